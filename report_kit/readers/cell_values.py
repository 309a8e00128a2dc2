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
_FIX_DEFAULT = "请只填写阿拉伯数字，不带单位或文字；没有发生的事项填0。"


class CellProblem(Exception):
    """A cell value the reader will not guess about: becomes an S.cell_text finding."""

    def __init__(
        self, found: str, hint: str = "", how_to_fix: str = _FIX_DEFAULT, expected: Any = None
    ) -> None:
        super().__init__(found)
        self.found = found
        self.hint = hint
        self.how_to_fix = how_to_fix
        self.expected = expected  # the number meant, when it is obvious (「12件」 → 12)


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
        raise CellProblem("TRUE" if raw else "FALSE", "（是/否值）")
    if isinstance(raw, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        shown = raw.isoformat() if hasattr(raw, "isoformat") else str(raw)
        raise CellProblem(
            shown,
            "（单元格是日期或时间，可能是输入时被自动转换了）",
            "请把该单元格的格式改为“常规”或“数值”，再重新输入数字。",
        )
    if isinstance(raw, float) and not math.isfinite(raw):
        raise CellProblem(str(raw), "（不是有效的数值）")
    if isinstance(raw, (int, float)):
        return _checked(raw, slot, str(_plain_number(raw)))
    text = str(raw).strip(_SPACES)
    # A leading apostrophe is Excel's 「store as text」 marker, kept literally by some programs.
    cleaned = text.removeprefix("'").strip(_SPACES).translate(FULLWIDTH).replace("，", ",")
    if _ARABIC.match(cleaned):
        number = Decimal(cleaned.replace(",", ""))
        return _checked(number, slot, text)
    raise CellProblem(text, *_suggest(text, slot))


def _checked(number: int | float | Decimal, slot: Slot, shown: str) -> int | float:
    """Plain Python number; a fraction in a count cell is an error, a negative one is the schema's."""
    integral = number == int(number)
    if slot.kind == "count" and not integral:
        raise CellProblem(shown, "（件数应为整数）", "请填写整数件数；件数不能有小数。")
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
    return _cell_units(slot)[0] if slot.kind == "amount" else "件"


def _suggest(text: str, slot: Slot) -> tuple[str, str] | tuple[str, str, int | float]:
    """(hint, how to fix) for text in a number cell; the number when it is obvious."""
    if text in _NOTHING:
        return "（如表示没有发生，应填0）", "没有发生的事项请填0，不要填“无”“/”“—”等符号。"
    core = text
    for prefix in ("共", "合计"):
        core = core.removeprefix(prefix)
    for unit in _UNITS:
        if core.endswith(unit):
            if unit not in _cell_units(slot):
                # 「1235元」 in a 万元 cell, 「300万元」 in a 元 cell: the figure is not obvious
                return f"（该单元格的单位是{_cell_unit_name(slot)}）", _FIX_DEFAULT
            core = core[: -len(unit)].strip(_SPACES)
            break
    number = parse_number(core) if core and not is_estimate(core) else None
    if number is None or number < 0:
        return "", _FIX_DEFAULT
    if slot.kind == "count" and number != int(number):
        return "（件数应为整数）", "请填写整数件数；件数不能有小数。"
    shown = str(number)
    value = int(number) if number == int(number) else float(number)
    return f"，应填{shown}", f"请改为 {shown}（只填阿拉伯数字，不带单位或文字）。", value


def _year(raw: Any, slot: Slot, layout=None) -> Any:
    if _is_blank(raw):
        return BLANK
    try:
        return _number(raw, Slot(slot.pointer, slot.sheet, slot.row, slot.col, "count", slot.label))
    except CellProblem as problem:
        text = problem.found
        digits = re.fullmatch(r"\s*(\d{4})\s*年?度?\s*", text.translate(FULLWIDTH))
        if digits:
            raise CellProblem(
                text,
                f"，应填{digits.group(1)}",
                f"请改为 {digits.group(1)}（四位数字的统计年度）。",
                int(digits.group(1)),
            ) from None
        raise CellProblem(text, "（应为四位数字的年份）", "请填写统计年度，如 2024。") from None


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
