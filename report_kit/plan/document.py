"""The plan's own particulars: title, 文号, issuer, year and date (the ledger's ``document``)."""

from __future__ import annotations

import datetime as dt
import re

TITLE_WORDS = (
    "工作要点",
    "实施方案",
    "分工方案",
    "任务分解表",
    "分工台账",
    "任务清单",
    "工作方案",
    "重点任务",
)
DOC_NO = re.compile(r"([\u4e00-\u9fff]{1,8}[〔\[【(（]\s*(?:19|20)\d\d\s*[〕\]】)）]?\s*\d{1,4}\s*号)")
DATE = re.compile(r"^((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:印发)?$")
DAMAGED_DATE = re.compile(r"^((?:19|20)\d\d)(\d{3,4})$")
ISSUER_END = re.compile(r"(人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅|领导小组|政务公开办)$")


def read_document(lines: list[str]) -> dict:
    """The ``document`` block from the plan's first lines (the notice and the plan's title)."""
    stripped = [_clean(line) for line in lines]
    head = [s for s in stripped[:200] if s]
    title = _title(head)
    doc_no = _doc_no(head)
    date, date_at = _date(stripped)
    issuer = _issuer(stripped, date_at, head)
    year = None
    found = re.search(r"((?:19|20)\d\d)\s*年", title or "")
    if found:
        year = int(found.group(1))
    elif date:
        year = int(date[:4])
    return {"title": title, "doc_no": doc_no, "issuer": issuer, "year": year, "date": date}


def _clean(line: str) -> str:
    return re.sub(r"[\s\u3000\xa0]+", "", line or "")


def _doc_no(head: list[str]) -> str | None:
    """The 文号: a line of its own among the first, or the end of the notice's title line
    (「…的通知——通政公字【2021】1号」); never a document the preamble cites."""
    for s in head[:8]:
        match = DOC_NO.search(s)
        if match and (match.group(1) == s or ("关于" in s and s.endswith(match.group(1)))):
            return match.group(1)
    return None


def _title(head: list[str]) -> str | None:
    for s in head:
        if (
            len(s) <= 40
            and any(w in s for w in TITLE_WORDS)
            and not re.search(r"关于|通知|印发|附件|[。，：]", s)
        ):
            return s.strip("《》")
    for s in head:  # the notice's title: 「关于印发《X》的通知」
        found = re.search(r"《([^》]*(?:" + "|".join(TITLE_WORDS) + r")[^》]*)》", s)
        if found:
            return found.group(1)
    return None


def _date(stripped: list[str]) -> tuple[str | None, int]:
    for at, s in enumerate(stripped[:200]):
        match = DATE.match(s)
        if match:
            iso = _iso(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            if iso:
                return iso, at
        match = DAMAGED_DATE.match(s)  # 「2021628」: the 年月日 lost on a web page
        if match:
            year, rest = int(match.group(1)), match.group(2)
            for cut in (1, 2):
                iso = _iso(year, int(rest[:cut]), int(rest[cut:]))
                if iso:
                    return iso, at
    return None, -1


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _issuer(stripped: list[str], date_at: int, head: list[str]) -> str | None:
    if date_at > 0:
        for s in reversed(stripped[max(0, date_at - 4) : date_at]):
            if s:
                name = re.sub(r"[（(][^）)]*[）)]$", "", s)
                if ISSUER_END.search(name) and len(name) <= 30:
                    return name
                break
    for s in head[:10]:
        match = re.match(r"^(.{2,30}?)关于印发", s)
        if match and ISSUER_END.search(match.group(1)):
            return match.group(1)
    return None
