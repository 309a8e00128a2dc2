"""Unit, year, publication date, the prose sections and the fee figures of a published report.

Real pages wrap the report in noise: breadcrumbs, a metadata band (索引号 / 发布机构 /
发文日期), the title repeated or garbled. The title is the first short paragraph holding a
title word (``title_words`` in ``schemas/ingest.json``) and a year; the unit is what stands
before the year. The six sections are found by the layout's own headings, matched on meaning.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from report_kit.catalogue import emit
from report_kit.chinese_numbers import parse_number
from report_kit.findings import Finding, Location
from report_kit.ingest.labels import ingest_data, norm
from report_kit.ingest.model import Document, Paragraph
from report_kit.layout import Layout
from report_kit.rules.text import CLAIM_NUMBER
from report_kit.settings import YEAR_RANGE

_YEAR = re.compile(r"(?<![0-9])(20[0-9]{2})\s*年(?:度)?")
_DATE = re.compile(r"(20[0-9]{2})\s*[年\-/.]\s*([0-9]{1,2})\s*[月\-/.]\s*([0-9]{1,2})\s*日?")
_TITLE_TRIM = re.compile(r"^[\s《“\"'【\[]*(?:关于)?|[\s》”\"'】\]]+$")
_SECTION_NUMBER = re.compile(r"^\s*([一二三四五六七八九十])\s*[、.．]")
_ITEM_NUMBER = re.compile(r"^\s*[(（]\s*([一二三四五六七八九十])\s*[)）]")
MAX_TITLE = 80
MAX_HEADING = 40


@dataclass
class Meta:
    unit: str | None = None
    year: int | None = None
    published_on: str | None = None
    title: str | None = None
    text: dict[str, str] = field(default_factory=dict)  # pointer → prose
    fees: dict[str, int | float | None] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    inferred: dict[str, str] = field(default_factory=dict)


def _valid_year(year: int) -> bool:
    return YEAR_RANGE[0] <= year <= YEAR_RANGE[1]


def find_title(paragraphs: list[Paragraph], hint: str | None) -> tuple[str | None, int]:
    words = ingest_data()["title_words"]
    for index, p in enumerate(paragraphs[:60]):
        text = p.text.strip()
        if len(text) <= MAX_TITLE and any(w in text for w in words) and _YEAR.search(text):
            return text, index
        if index + 1 < len(paragraphs) and _YEAR.search(text) and len(text) < MAX_TITLE // 2:
            joined = text + paragraphs[index + 1].text.strip()  # a title broken over two lines
            if len(joined) <= MAX_TITLE and any(w in joined for w in words):
                return joined, index + 1
    if hint and any(w in hint for w in words):
        return hint.strip(), -1
    return None, -1


def _unit_from_title(title: str) -> str | None:
    match = _YEAR.search(title)
    if not match:
        return None
    unit = title[: match.start()]
    unit = re.split(r"[:：]", unit)[-1]  # 「标题：XX局2023年…」 in a metadata band
    unit = _TITLE_TRIM.sub("", unit).strip(" -—_|")
    unit = unit.removesuffix("关于").strip()  # 「XX局关于2023年政府信息公开工作年度报告」
    return unit or None


def _band(paragraphs: list[Paragraph], keys: list[str]) -> str | None:
    """The value after 「发布机构：」 and the like in the page's metadata band."""
    pattern = re.compile(
        r"(?:" + "|".join(map(re.escape, keys)) + r")\s*[:：]\s*([^\s|｜]+(?:\s[^\s|｜:：]+)?)"
    )
    for p in paragraphs[:80]:
        match = pattern.search(p.text)
        if match:
            return match.group(1).strip()
    return None


def _date(text: str) -> str | None:
    for match in _DATE.finditer(text):
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
        except ValueError:
            continue
    return None


def read_meta(document: Document, layout: Layout) -> Meta:
    paragraphs = document.paragraphs
    meta = Meta()
    title, title_index = find_title(paragraphs, document.title_hint)
    meta.title = title
    if title:
        meta.unit = _unit_from_title(title)
        if not meta.unit and title_index > 0:  # 「轮台县市场监督管理局」 on the line above the title
            above = paragraphs[title_index - 1].text.strip()
            if above and len(above) <= 30 and not re.search(r"[0-9：:>＞|]", above):
                meta.unit = above
                meta.title = f"{above}{title}"
        year = _YEAR.search(title)
        if year and _valid_year(int(year.group(1))):
            meta.year = int(year.group(1))
    band = ingest_data()["metadata_band"]
    if not meta.unit:
        meta.unit = _band(paragraphs, band["publisher"])
        if meta.unit:
            meta.inferred["/unit/name"] = "发布机构"
    published = _band(paragraphs, band["date"])
    meta.published_on = _date(published) if published else None
    sections = find_sections(paragraphs, layout, max(title_index, 0))
    _preamble_year(meta, paragraphs, sections.preamble_end, max(title_index + 1, 0))
    if meta.published_on is None:
        for p in reversed(paragraphs[-6:]):
            if len(p.text) <= 20 and (date := _date(p.text)):
                meta.published_on = date
                break
    if meta.unit is None:
        meta.findings.append(
            emit("R.meta_missing", {"what": "单位名称", "detail": "（标题、发布机构中均没有）"})
        )
    if meta.year is None:
        meta.findings.append(
            emit("R.meta_missing", {"what": "报告年度", "detail": "（标题和正文开头均没有）"})
        )
    meta.text = {k: _drop_signature(v, meta.unit) for k, v in sections.text.items()}
    meta.fees, fee_findings = read_fees(meta.text)
    meta.findings.extend(fee_findings)
    return meta


def _drop_signature(text: str, unit: str | None) -> str:
    """The signature block (unit, date) after the last section is not part of its prose."""
    lines = text.split("\n")
    while (
        lines
        and len(lines) > 1
        and len(lines[-1]) <= 30
        and ((unit and lines[-1].strip() == unit) or (_date(lines[-1]) and len(lines[-1]) <= 16))
    ):
        lines.pop()
    return "\n".join(lines)


def _preamble_year(meta: Meta, paragraphs: list[Paragraph], end: int, start: int) -> None:
    templates = ingest_data()["preamble_year"]
    patterns = [re.compile(re.escape(t).replace(re.escape("{YEAR}"), r"(20[0-9]{2})")) for t in templates]
    for p in paragraphs[start : max(end, start + 1)]:
        for pattern in patterns:
            match = pattern.search(p.text)
            if not match:
                continue
            year = int(match.group(1))
            if meta.year is None and _valid_year(year):
                meta.year = year
            elif meta.year is not None and year != meta.year:
                quote = p.text if len(p.text) <= 120 else p.text[:119] + "…"
                meta.findings.append(
                    emit(
                        "R.year_mismatch",
                        {
                            "title_year": meta.year,
                            "other_year": year,
                            "where": "报告开头的说明",
                            "quote": quote,
                        },
                        (Location("/year", "报告年度"),),
                        quote=quote,
                    )
                )
            return


@dataclass
class Sections:
    text: dict[str, str]
    preamble_end: int


def _heading_score(text: str, title: str) -> bool:
    candidate, wanted = norm(text), norm(title)
    return bool(candidate) and (wanted in candidate or (len(candidate) >= 4 and candidate in wanted))


def find_sections(paragraphs: list[Paragraph], layout: Layout, start: int) -> Sections:
    """Prose between the layout's headings, mapped to ``text`` pointers."""
    sections = layout.sections
    current: dict | None = None
    item: dict | None = None
    texts: dict[str, list[str]] = {}
    preamble_end = len(paragraphs)
    order = 0
    for index in range(start, len(paragraphs)):
        p = paragraphs[index]
        text = p.text.strip()
        number = _SECTION_NUMBER.match(text)
        section = (
            _section(sections, order, text, number.group(1)) if number and len(text) <= MAX_HEADING else None
        )
        if section is not None:
            current, item = section, None
            order = sections.index(section) + 1
            preamble_end = min(preamble_end, index)
            continue
        if current is None:
            continue
        items = current.get("items") or []
        if items:
            head = _ITEM_NUMBER.match(text)
            if head:
                found = _item(items, text, head.group(1))
                if found is not None:
                    item = found
                    rest = _after_label(text, found["label"])
                    if rest:
                        texts.setdefault(item["pointer"], []).append(rest)
                    continue
            if item is None and current["key"] != "other":
                item = items[0]  # 「一、总体情况」 written without its sub-headings
            if item is not None:
                texts.setdefault(item["pointer"], []).append(text)
            elif current["key"] == "other":
                texts.setdefault(
                    "/text/other/fees" if "信息处理费" in text else "/text/other/more", []
                ).append(text)
            continue
        if "pointer" in current:
            texts.setdefault(current["pointer"], []).append(text)
    return Sections({k: "\n".join(v) for k, v in texts.items()}, preamble_end)


def _section(sections: list[dict], order: int, text: str, number: str) -> dict | None:
    """The section 「三、收到和处理政府信息公开申请情况」 opens (wording may vary a little)."""
    for section in sections[order:]:
        if _heading_score(text, section["title"]) or (section["number"] == number and len(norm(text)) <= 2):
            return section
    return None


def _item(items: list[dict], text: str, number: str) -> dict | None:
    """The sub-heading 「（四）政府信息公开平台建设」 names: whole label first, then its start."""
    head = norm(text[:60])
    whole = [c for c in items if norm(c["label"]) in head]
    if whole:
        return max(whole, key=lambda c: (c["number"].strip("（）()") == number, len(c["label"])))
    start = [c for c in items if norm(c["label"])[:4] in head[:16]]
    if start:
        return max(start, key=lambda c: c["number"].strip("（）()") == number)
    return None


def _after_label(text: str, label: str) -> str:
    """「（一）主动公开情况。2023年，…」 → 「2023年，…」; a bare heading → ''."""
    body = _ITEM_NUMBER.sub("", text, count=1).strip()
    if len(body) <= len(label) + 6 and not re.search(r"[。；]", body):
        return ""
    cut = re.search(r"[。：:；]", body[: len(label) + 8])
    return body[cut.end() :].strip() if cut else body


def read_fees(text: dict[str, str]) -> tuple[dict[str, int | float | None], list[Finding]]:
    """The 信息处理费 figures the prose states; ``null`` (with ``R.fees_unread``) when it does not."""
    data = ingest_data()
    prose = text.get("/text/other/fees", "") + "\n" + text.get("/text/other/more", "")
    keys = list(data["fees_patterns"])
    if any(re.search(p, prose) for p in data["fees_zero"]):
        found = {key: None for key in keys}
        for key, patterns in data["fees_patterns"].items():
            for pattern in patterns:
                match = re.search(pattern.replace("{NUM}", CLAIM_NUMBER), prose)
                if match:
                    found[key] = parse_number(match.group("num"))
                    break
        return {k: (0 if v is None else _plain(v)) for k, v in found.items()}, []
    found = {}
    for key, patterns in data["fees_patterns"].items():
        found[key] = None
        for pattern in patterns:
            match = re.search(pattern.replace("{NUM}", CLAIM_NUMBER), prose)
            if match and (value := parse_number(match.group("num"))) is not None:
                found[key] = _plain(value)
                break
    if all(v is None for v in found.values()):
        return found, [emit("R.fees_unread", {}, tuple(Location(f"/fees/{k}", "") for k in keys))]
    return found, []


def _plain(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def unit_kind(name: str | None) -> tuple[str, str, str]:
    """(kind, level, scope) guessed from the unit's name (``kind_by_name``/``level_by_name``).

    A published report does not say these; the guess is recorded in ``source.inferred``.
    """
    data = ingest_data()
    name = (name or "").strip()
    kind, level = "department", None
    for rule in data["kind_by_name"]:
        if any(name.endswith(word) for word in rule["suffixes"]):
            kind, level = rule["kind"], rule["level"]
            break
    if level is None:
        level = level_of_name(name)
    scope = "government" if kind in ("government", "township") else "agency"
    return kind, level, scope


LEVEL_ORDER = ("township", "county", "city", "province")


def level_of_name(name: str) -> str:
    """The administrative level named last in a unit's name, by the ``level_by_name`` table.

    The name is read as words, the longest first at each place, so 「自治区」 is not 「区」 and
    「地区行政公署」 is a prefecture; a division word right before another one belongs to a
    place name (「贵州省」 is a province, not a 州). The lowest level found wins, so a county
    department under a long region prefix is county-level; the 直辖市 are provinces.
    """
    table = ingest_data()["level_by_name"]
    words: dict[str, str | None] = dict.fromkeys(table["ignore"])
    words.update(table["words"])
    longest = max(map(len, words))
    tokens: list[str | None] = []  # the level of each word read; None for an ignored word
    at = 0
    while at < len(name):
        for size in range(min(longest, len(name) - at), 0, -1):
            if name[at : at + size] in words:
                tokens.append(words[name[at : at + size]])
                at += size
                break
        else:
            tokens.append("")  # any other character
            at += 1
    found = [
        level
        for index, level in enumerate(tokens)
        if level and not (index + 1 < len(tokens) and tokens[index + 1])
    ]
    return min(found, key=LEVEL_ORDER.index) if found else table["default"]
