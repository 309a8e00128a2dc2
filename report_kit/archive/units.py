"""How a unit is recognised across years: by 统一社会信用代码, else by its normalised name.

Names are written inconsistently (full-width brackets, stray spaces, 「（）」 vs 「()」), so
the comparison key drops everything but letters and digits after NFKC normalisation.
Renamed units (机构改革) are tied together by the archive's alias table, not here.
"""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    """The comparison key of a unit name: NFKC, no whitespace, punctuation or symbols."""
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "ZPSC").casefold()


def unit_identity(submission: dict) -> tuple[str | None, str]:
    """(credit code or None, display name) of a submission's unit."""
    unit = submission.get("unit") if isinstance(submission, dict) else None
    unit = unit if isinstance(unit, dict) else {}
    code = unit.get("code")
    code = code.strip().upper() if isinstance(code, str) and code.strip() else None
    name = unit.get("name") if isinstance(unit.get("name"), str) else ""
    return code, name.strip()


def same_unit(a: dict, b: dict) -> bool:
    """Whether two submissions are the same unit's: codes decide when both have one."""
    code_a, name_a = unit_identity(a)
    code_b, name_b = unit_identity(b)
    if code_a and code_b:
        return code_a == code_b
    return bool(name_key(name_a)) and name_key(name_a) == name_key(name_b)
