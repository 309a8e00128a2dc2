"""Numbers as Chinese officials write them: 「12」「１２」「1,200」「十二」「两」「一千二百」.

Used by the prose checks (rules.md §5) and by the workbook reader, which must tell a
number typed with full-width digits from text such as 「12件」.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}

_CHINESE_DIGITS = frozenset(_DIGITS)


def is_estimate(text: str) -> bool:
    """「两三」「七八」: Chinese digits side by side are a range (an estimate), not 23 or 78.

    Two digits without a zero, or any run of digits with 两 in it; 「二〇二四」 is a year.
    """
    if len(text) < 2 or not set(text) <= _CHINESE_DIGITS:
        return False
    return "两" in text or (len(text) == 2 and not set(text) & {"零", "〇"})


CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)

# A number as it appears in prose: Arabic (half- or full-width, with thousands separators
# and decimals) or Chinese numerals. Used inside the text-claim patterns as ``{NUM}``.
NUMBER_PATTERN = (
    r"(?P<num>[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?"
    r"|[" + CHINESE_NUMERAL_CHARS + r"]+)"
)

_ARABIC = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def parse_chinese(text: str) -> int | None:
    """Value of a Chinese numeral such as 「十二」「两千零五」「一万二千」; None if malformed."""
    if not text or any(ch not in _DIGITS and ch not in _SMALL_UNITS and ch not in _BIG_UNITS for ch in text):
        return None
    if all(ch in _DIGITS for ch in text) and len(text) > 1:
        # Digit-by-digit reading: 「二〇二四」.
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total = 0
    section = 0
    digit: int | None = None
    for ch in text:
        if ch in _DIGITS:
            if digit is not None and _DIGITS[ch] != 0 and digit != 0:
                return None
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        else:
            section += digit or 0
            total = (total + section) * _BIG_UNITS[ch]
            section = 0
            digit = None
    return total + section + (digit or 0)


def parse_number(text: str) -> int | Decimal | None:
    """Value of a number written in Arabic or Chinese numerals; None when it is not one.

    Integral values come back as ``int``, others as ``Decimal`` so that amounts keep their
    exact decimal digits.
    """
    cleaned = text.strip().translate(FULLWIDTH).replace("，", ",")
    if not cleaned:
        return None
    if _ARABIC.match(cleaned):
        try:
            value = Decimal(cleaned.replace(",", ""))
        except InvalidOperation:
            return None
        return int(value) if value == value.to_integral_value() else value
    return parse_chinese(cleaned)
