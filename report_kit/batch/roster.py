"""The roster (报送名单) of units that must report, and matching submissions against it.

Names are typed by hand on both sides, so they are compared after normalising: NFKC (full
and half width), no whitespace or punctuation, and traditional characters converted to
simplified by OpenCC (``ingest.clean.to_simplified``, phrase-aware t2s), as published reports are. A credit code, when both sides have one, wins over the name.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from report_kit.credit_code import problem as credit_code_problem
from report_kit.ingest.clean import to_simplified

NAME_HEADER = "单位名称"
CODE_HEADER = "统一社会信用代码"
KIND_HEADER = "单位类型"
# Headers people actually type, compared after normalise_name (so 「单位 名称」, 「Name」 match).
NAME_HEADERS = (NAME_HEADER, "单位全称", "单位", "名称", "机关名称", "报送单位", "name", "unit", "unit_name")
CODE_HEADERS = (CODE_HEADER, "信用代码", "社会信用代码", "代码", "单位代码", "code", "unit_code")
KIND_HEADERS = (KIND_HEADER, "类型", "单位类别", "类别", "kind", "unit_kind", "type")


def normalise_name(name: str | None) -> str:
    """The comparison key of a unit name (empty when nothing meaningful is left)."""
    text = to_simplified(unicodedata.normalize("NFKC", name or ""))
    return "".join(
        ch.casefold() for ch in text if not unicodedata.category(ch).startswith(("Z", "P", "C", "S"))
    )


@dataclass(frozen=True)
class RosterUnit:
    index: int
    name: str
    code: str = ""
    kind: str = ""

    @property
    def key(self) -> str:
        return normalise_name(self.name)


class RosterError(ValueError):
    """The roster file cannot be used; the message is Chinese and shown to the user."""


def read_roster(path: str | os.PathLike) -> list[RosterUnit]:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix == ".xlsx":
        # the first sheet with a 单位名称 header: a 填报说明 sheet may come before the list
        sheets = _xlsx_rows(path)
        for rows in sheets[1:]:
            if _header_row(rows) is not None and _header_row(sheets[0]) is None:
                return parse_rows(rows, path.name)
        rows = sheets[0] if sheets else []
    else:
        raise RosterError(f"名单文件应为 .xlsx 或 .csv 格式：{path.name}")
    return parse_rows(rows, path.name)


def parse_rows(rows: list[list], source: str = "名单") -> list[RosterUnit]:
    """Units from table rows: the header row is the first one (of the first ten) naming 单位名称."""
    cleaned = [[("" if v is None else str(v)).strip() for v in row] for row in rows]
    at = _header_row(cleaned)
    if at is None:
        raise RosterError(
            f"名单“{source}”中找不到“{NAME_HEADER}”列：请在前十行中加一行表头，"
            f"写明“{NAME_HEADER}”（可选“{CODE_HEADER}”“{KIND_HEADER}”）。"
        )
    header = cleaned[at]
    name_col = _column(header, NAME_HEADERS)
    code_col = _column(header, CODE_HEADERS)
    kind_col = _column(header, KIND_HEADERS)

    def cell(row: list[str], col: int | None) -> str:
        return row[col] if col is not None and col < len(row) else ""

    units = []
    for row in cleaned[at + 1 :]:
        name = cell(row, name_col)
        if not normalise_name(name):
            continue
        code = unicodedata.normalize("NFKC", cell(row, code_col)).replace(" ", "").upper()
        units.append(RosterUnit(len(units), name, code, cell(row, kind_col)))
    return units


def _header_row(rows: list[list]) -> int | None:
    """Index of the first of the first ten rows that names the unit column."""
    for i, row in enumerate(rows[:10]):
        if _column([("" if v is None else str(v)).strip() for v in row], NAME_HEADERS) is not None:
            return i
    return None


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    """Index of the first header cell equal to one of ``names`` (preferred name first)."""
    keys = [normalise_name(cell) for cell in header]
    for name in names:
        key = normalise_name(name)
        if key in keys:
            return keys.index(key)
    return None


ROSTER_MAX_BYTES = 20 * 1024 * 1024  # a roster of tens of thousands of units is ~2 MB


def _csv_rows(path: Path) -> list[list]:
    if path.stat().st_size > ROSTER_MAX_BYTES:
        raise RosterError(f"名单“{path.name}”超过20MB，不像是一份报送名单。")
    data = path.read_bytes()
    # Excel's 「Unicode 文本」 (and WPS) save UTF-16 with a byte-order mark: the mark says it all
    encodings = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # gb18030 refuses a few byte pairs; a broken UTF-16 file ends here too
        raise RosterError(f"名单“{path.name}”的编码无法识别，请另存为UTF-8编码的CSV。")
    # 「另存为 文本文件（制表符分隔）」 renamed to .csv is common: tabs and no commas in the header
    text = text.replace("\x00", "")  # a NUL byte (a broken export) would stop the csv module
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in first and "," not in first else ","
    # one cell may be as long as the file (the csv module's default stops at 131,072 characters)
    csv.field_size_limit(max(csv.field_size_limit(), ROSTER_MAX_BYTES))
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise RosterError(
            f"名单“{path.name}”不是有效的CSV文件（{exc}），请用Excel另存为CSV后再试。"
        ) from None


def _xlsx_rows(path: Path) -> list[list[list]]:
    """The rows of every sheet."""
    from python_calamine import CalamineWorkbook

    from report_kit.readers.zip_guard import check_xlsx_container

    try:
        refused = check_xlsx_container(path)  # the same bomb defences as for submissions
    except Exception:
        refused = []  # not a zip at all: calamine below says so
    if refused:
        raise RosterError(f"名单“{path.name}”无法使用。{refused[0].message}")
    try:
        book = CalamineWorkbook.from_path(str(path))
        first = book.get_sheet_by_index(0).to_python()
    except Exception as exc:
        raise RosterError(f"名单“{path.name}”无法读取：{exc}") from None
    sheets = [first]
    for index in range(1, len(book.sheet_names)):
        try:
            sheets.append(book.get_sheet_by_index(index).to_python())
        except Exception:  # a chart sheet, a broken later sheet: only the first one must read
            continue
    return sheets


@dataclass(frozen=True)
class Match:
    """How one submission relates to the roster: one unit, none, or several candidates."""

    units: tuple[RosterUnit, ...]

    @property
    def unit(self) -> RosterUnit | None:
        return self.units[0] if len(self.units) == 1 else None


class RosterIndex:
    def __init__(self, units: list[RosterUnit]) -> None:
        self.units = units
        self.by_code: dict[str, list[RosterUnit]] = {}
        self.by_name: dict[str, list[RosterUnit]] = {}
        for unit in units:
            if unit.code:
                self.by_code.setdefault(unit.code, []).append(unit)
            self.by_name.setdefault(unit.key, []).append(unit)

    def ambiguous_names(self) -> list[list[RosterUnit]]:
        """Groups of roster units whose names normalise equal (listed once each)."""
        return [group for group in self.by_name.values() if len(group) > 1]

    def match_file_name(self, stem: str) -> RosterUnit | None:
        """The roster unit whose full name a file name contains (「轮台县审计局-2024」), for files
        that could not be read and so name no unit; None unless exactly one unit fits."""
        key = normalise_name(stem)
        hits = sorted(
            ((name, units) for name, units in self.by_name.items() if len(name) >= 4 and name in key),
            key=lambda hit: -len(hit[0]),
        )
        if not hits or len(hits[0][1]) > 1 or (len(hits) > 1 and len(hits[1][0]) == len(hits[0][0])):
            return None
        return hits[0][1][0]

    def match(self, name: str | None, code: str | None) -> Match:
        code = unicodedata.normalize("NFKC", code or "").replace(" ", "").upper()
        if code and code in self.by_code:
            return Match(tuple(self.by_code[code]))
        candidates = self.by_name.get(normalise_name(name), [])
        if code and credit_code_problem(code) is None:
            # Both sides carry valid codes and they differ: a same-named unit is a different
            # unit. A code that is not valid (an 18-digit code Excel turned into 9.16e+17, a
            # typo) says nothing, so the name decides.
            candidates = [u for u in candidates if not u.code or credit_code_problem(u.code) is not None]
        return Match(tuple(candidates))
