"""What counts as a report year where a document gives one: an integer that is not a bool.

JSON's ``true`` is an ``int`` in Python; ``2024.0`` or ``"2024"`` are shape errors the schema
layer reports. Every module that reads ``/year`` (check, history, archive, batch, build, the
template) asks here, so they all agree on which reports have a year.
"""

from __future__ import annotations

from typing import Any


def as_year(value: Any) -> int | None:
    """``value`` when it is a usable year, else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def is_year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
