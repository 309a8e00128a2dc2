"""What a clerk typed in one cell → the canonical value, or a :class:`CellProblem`.

Split from :mod:`report_kit.readers.xlsx` so that the forgiving rules live in one place that
any reader of cells can use: ``5``, ``5.0``, ``"１２"``, ``"1,200"``, ``" 7 "`` are numbers;
``"12件"``, ``"十二"``, ``"/"``, ``"无"``, 2.5 in a count cell, dates and booleans are problems
whose Chinese hint suggests the number when it is obvious (「12件」 → 12) and stays silent when
it is not (「两三」 is an estimate, not 23). A blank cell is :data:`BLANK`; what a blank
means (0 with a warning, or the template's format) is the reader's decision.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

from report_kit.chinese_numbers import FULLWIDTH, is_estimate, parse_number
from report_kit.workbook_map import Slot

_SPACES = " \t\r\n\u3000\u00a0"
_ARABIC = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_UNITS = ("万元", "件", "个", "元", "项", "次", "条", "起", "份", "人", "家")
# Placeholders clerks type for 「nothing happened」 instead of 0.
_NOTHING = frozenset(
    {
        "/",
        "／",
        "\\",
        "—",
        "——",
        "–",
        "-",
        "－",
        "无",
        "没有",
        "暂无",
        "空",
        "否",
        "×",
        "x",
        "X",
        "null",
        "N/A",
        "n/a",
    }
)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


class CellProblem(Exception):
    """A cell value the reader will not guess about: becomes an S.cell_text finding.

    ``case`` names the wording among the ``variants`` of ``S.cell_text`` in the catalogue
    (``obvious``: 「，应填12」 …); ``values`` fill its placeholders.
    """

    def __init__(self, found: str, case: str, values: dict | None = None, expected: Any = None) -> None:
        super().__init__(found)
        self.found = found
        self.case = case
        self.values = values or {}
        self.expected = expected  # the number meant, when it is obvious (「12件」 → 12)

    @property
    def hint(self) -> str:
        return _wording(self.case, self.values).get("hint", "")

    @property
    def how_to_fix(self) -> str:
        return _wording(self.case, self.values).get("how_to_fix") or _rule().variant("default_fix")


def _rule():
    from report_kit.catalogue import load_catalogue

    return load_catalogue()["S.cell_text"]


def _wording(case: str, values: dict) -> dict[str, str]:
    return _rule().variant(case, values)


def plain_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Blank:
    """The one value of :data:`BLANK`: nothing was typed in the cell."""

    def __repr__(self) -> str:
        return "BLANK"


BLANK = _Blank()


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip(_SPACES))


def _number(raw: Any, slot: Slot, layout=None) -> Any:
    """A count (integer ≥ 0 expected) or an amount (number ≥ 0), or BLANK, or CellProblem."""
    if _is_blank(raw):
        return BLANK
    if isinstance(raw, bool):
        raise CellProblem("TRUE" if raw else "FALSE", "boolean")
    if isinstance(raw, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        shown = raw.isoformat() if hasattr(raw, "isoformat") else str(raw)
        raise CellProblem(shown, "date_in_number")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise CellProblem(str(raw), "not_finite")
    if isinstance(raw, (int, float)):
        return _checked(raw, slot, str(_plain_number(raw)))
    text = str(raw).strip(_SPACES)
    # A leading apostrophe is Excel's 「store as text」 marker, kept literally by some programs.
    cleaned = text.removeprefix("'").strip(_SPACES).translate(FULLWIDTH).replace("，", ",")
    if _ARABIC.match(cleaned):
        number = Decimal(cleaned.replace(",", ""))
        return _checked(number, slot, text)
    raise _suggest(text, slot)


def _checked(number: int | float | Decimal, slot: Slot, shown: str) -> int | float:
    """Plain Python number; a fraction in a count cell is an error, a negative one is the schema's."""
    integral = number == int(number)
    if slot.kind == "count" and not integral:
        raise CellProblem(shown, "fraction_count")
    if integral:
        return int(number)
    return float(number)


def _plain_number(raw: int | float) -> int | float:
    return int(raw) if isinstance(raw, float) and raw.is_integer() else raw


def _cell_units(slot: Slot) -> tuple[str, ...]:
    """The units a clerk may have typed after the figure that the cell itself counts in."""
    if slot.kind == "amount":
        return ("万元",) if "万元" in slot.label else ("元",)
    return tuple(unit for unit in _UNITS if not unit.endswith("元"))


def _cell_unit_name(slot: Slot) -> str:
    return _cell_units(slot)[0] if slot.kind == "amount" else _rule().variant("count_unit")


def _suggest(text: str, slot: Slot) -> CellProblem:
    """The problem of text in a number cell, with the number when it is obvious."""
    if text in _NOTHING:
        return CellProblem(text, "nothing")
    core = text
    for prefix in ("共", "合计"):
        core = core.removeprefix(prefix)
    for unit in _UNITS:
        if core.endswith(unit):
            if unit not in _cell_units(slot):
                # 「1235元」 in a 万元 cell, 「300万元」 in a 元 cell: the figure is not obvious
                return CellProblem(text, "other_unit", {"unit": _cell_unit_name(slot)})
            core = core[: -len(unit)].strip(_SPACES)
            break
    number = parse_number(core) if core and not is_estimate(core) else None
    if number is None or number < 0:
        return CellProblem(text, "unclear")
    if slot.kind == "count" and number != int(number):
        return CellProblem(text, "fraction_count")
    value = int(number) if number == int(number) else float(number)
    return CellProblem(text, "obvious", {"number": str(number)}, value)


def _year(raw: Any, slot: Slot, layout=None) -> Any:
    if _is_blank(raw):
        return BLANK
    try:
        return _number(raw, Slot(slot.pointer, slot.sheet, slot.row, slot.col, "count", slot.label))
    except CellProblem as problem:
        text = problem.found
        digits = re.fullmatch(r"\s*(\d{4})\s*年?度?\s*", text.translate(FULLWIDTH))
        if digits:
            year = digits.group(1)
            raise CellProblem(text, "obvious_year", {"number": year}, int(year)) from None
        raise CellProblem(text, "not_year") from None


def _date(raw: Any, slot: Slot, layout=None) -> Any:
    """ISO date text; Excel dates, serial numbers and 「2025年1月20日」 are all understood."""
    if _is_blank(raw):
        return BLANK
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 1 <= raw < 2958466:
        return (_EXCEL_EPOCH + dt.timedelta(days=int(raw))).isoformat()
    text = str(raw).strip(_SPACES).translate(FULLWIDTH)
    match = _DATE_TEXT.match(text)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups())).isoformat()
        except ValueError:
            pass
    return text  # the schema layer reports an invalid date, with the cell


def _enum(raw: Any, slot: Slot, layout) -> Any:
    """Key of the enumeration: the drop-down shows Chinese labels, JSON writers use keys."""
    if _is_blank(raw):
        return BLANK
    text = plain_text(raw)
    choices = layout.enums[slot.enum]
    if text in choices:
        return text
    by_label = {label: key for key, label in choices.items()}
    return by_label.get(text, text)


def _string(raw: Any, slot: Slot, layout=None) -> Any:
    if _is_blank(raw):
        return BLANK
    if isinstance(raw, (dt.date, dt.datetime)):
        return raw.isoformat()
    return plain_text(raw)


def _text(raw: Any, slot: Slot, layout=None) -> Any:
    if _is_blank(raw):
        return BLANK
    # Prose is kept as typed (a trailing newline round-trips); only Windows line ends are unified.
    text = plain_text(raw) if not isinstance(raw, str) else raw
    return text.replace("\r\n", "\n").replace("\r", "\n")


READERS = {
    "count": _number,
    "amount": _number,
    "year": _year,
    "date": _date,
    "enum": _enum,
    "name": _string,
    "string": _string,
    "text": _text,
}


def coerce(raw: Any, slot: Slot, layout) -> Any:
    """The canonical value of ``raw`` for ``slot``'s kind, or :data:`BLANK`; raises :class:`CellProblem`."""
    return READERS[slot.kind](raw, slot, layout)
