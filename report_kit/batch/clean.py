"""Text from strangers' files made safe to write into every output format.

Unit names, file names and messages quoting them may carry lone surrogates (a JSON
``"\\ud800"`` escape, or a file name that is not valid UTF-8), control characters that
openpyxl refuses (``IllegalCharacterError``) and HTML does not allow, or be longer than an
Excel cell holds. One bad name must never stop the review of the whole folder, so every
string of an entry passes through :func:`clean_text` before any writer sees it.
"""

from __future__ import annotations

import os
import re
from typing import Any

# C0 controls except tab, newline and carriage return, DEL, the C1 block and U+FFFE/U+FFFF
# (not XML characters: lxml refuses the workbook); lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_EITHER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
EXCEL_CELL_LIMIT = 32767  # characters an Excel cell can hold
REPLACEMENT = "\ufffd"


def display_path(relative: str) -> str:
    """A relative path as text: bytes that are not UTF-8 shown as ``\\xff`` (unique, readable)."""
    try:
        relative.encode("utf-8")
        return relative
    except UnicodeEncodeError:
        return os.fsencode(relative).decode("utf-8", "backslashreplace")


def clean_text(value: str) -> str:
    if len(value) <= EXCEL_CELL_LIMIT and not _EITHER.search(value):
        return value  # the usual text: one C-level search, no copies (a batch cleans ~1M strings)
    text = _SURROGATE.sub(REPLACEMENT, value)
    text = _CONTROL.sub("", text)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 1] + "…"
    return text


def clean(value: Any) -> Any:
    """``value`` with every string inside (dict keys, lists, tuples) cleaned; others unchanged."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, tuple):
        return tuple(clean(v) for v in value)
    return value
