"""One table cell's text → a number, a blank, a dash, a label, or something unreadable.

Published cells hold more than digits: full-width digits, thousands separators, units
(``35000元``, ``12件``), notes (``18（其中修订7件）``), ``/`` or ``—`` or ``无`` for zero, or
nothing at all. The words for blanks and units are data (``schemas/ingest.json``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from report_kit.ingest.labels import ingest_data

NUMBER = "number"
BLANK = "blank"  # nothing written
DASH = "dash"  # "/", "—", "无" written instead of a number
LABEL = "label"
UNREADABLE = "unreadable"

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NOTE = re.compile(r"^(?P<num>[+-]?[0-9][0-9,]*(?:\.[0-9]+)?)\s*[(（\[【](?P<note>[^)）\]】]*)[)）\]】]?$")


_SIGNED = re.compile(r"^(?P<word>增加|减少|增|减)(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?)(?:件|个|项)?$")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str  # as seen (trimmed), for quoting
    value: int | float | None = None
    note: str | None = None  # a note or unit that was dropped to read the number
    split: tuple[str, ...] = ()  # several numbers in one cell ("5 3")


@cache
def _vocabulary() -> tuple[frozenset[str], re.Pattern]:
    data = ingest_data()
    units = sorted(data["unit_suffixes"], key=len, reverse=True)
    plain = re.compile(
        r"^(?P<num>[+-]?[0-9][0-9,]*(?:\.[0-9]+)?)\s*(?P<unit>" + "|".join(map(re.escape, units)) + r")?$"
    )
    return frozenset(data["blank_words"]), plain


def _number(text: str) -> int | float | None:
    digits = text.replace(",", "")
    if digits.count(",") or not digits:
        return None
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    if value == value.to_integral_value() and "." not in digits:
        return int(value)
    return float(value)


def read_cell(raw: str | None) -> Token:
    """Classify one cell (already cleaned by :mod:`clean`)."""
    text = " ".join((raw or "").split())
    if not text:
        return Token(BLANK, "")
    folded = unicodedata.normalize("NFKC", text).replace("，", ",")
    blanks, plain = _vocabulary()
    if folded in blanks or text in blanks:
        return Token(DASH, text)
    parts = folded.split()
    if len(parts) > 1 and all(plain.match(p) for p in parts):
        return Token(NUMBER, text, None, split=tuple(parts))
    compact = folded.replace(" ", "")
    match = plain.match(compact)
    if match and (value := _number(match.group("num"))) is not None:
        return Token(NUMBER, text, value, note=match.group("unit"))
    match = _NOTE.match(compact)
    if match and (value := _number(match.group("num"))) is not None:
        return Token(NUMBER, text, value, note=match.group("note") or None)
    signed = _SIGNED.match(compact)
    if signed and (value := _number(signed.group("num"))) is not None:
        sign = ingest_data()["signs"][signed.group("word")]
        return Token(NUMBER, text, sign * value)
    if _CJK.search(folded):
        return Token(LABEL, text)
    return Token(UNREADABLE, text)


def as_type(token: Token, cell_type: str) -> int | float | None:
    """The token's value as the layout column's type wants it, or None."""
    value = token.value
    if value is None:
        return None
    if cell_type == "amount":
        return value if value >= 0 else None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    if cell_type == "signed":
        return value
    return value if value >= 0 else None
