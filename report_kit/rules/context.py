"""What every check sees of one submission: its data, its usable numbers, the clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from report_kit.layout import Layout
from report_kit.pointer import MISSING, resolve

__all__ = ["MISSING", "Context", "resolve", "usable_number"]


def usable_number(value: Any, cell_type: str) -> int | float | None:
    """The value as a number a rule may compute with, or None (wrong type, negative, …)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value < 0 or value != value or value == float("inf"):  # negative, NaN, infinite
        return None
    if cell_type == "count" and isinstance(value, float):
        return int(value) if value.is_integer() else None
    return value


@dataclass
class Context:
    submission: dict
    layout: Layout
    today: dt.date
    bad: frozenset[str] = frozenset()
    numbers: dict[str, int | float] = field(default_factory=dict)
    deadline: dt.date | None = None  # a local deadline (rules.md §4): where the law sets none, or earlier

    @classmethod
    def build(cls, submission: dict, layout: Layout, today: dt.date, bad: set[str]) -> Context:
        numbers: dict[str, int | float] = {}
        for pointer, cell in layout.cells.items():
            value = usable_number(resolve(submission, pointer), cell.type)
            if value is not None:
                numbers[pointer] = value
        if bad:
            for pointer in list(numbers):
                if _under_any(pointer, bad):
                    del numbers[pointer]
        return cls(submission, layout, today, frozenset(bad), numbers)

    def value(self, pointer: str) -> Any:
        return resolve(self.submission, pointer)

    def is_bad(self, pointer: str) -> bool:
        return _under_any(pointer, self.bad) if self.bad else False

    def text(self, pointer: str) -> str | None:
        """The prose at ``pointer`` when it is usable text, else None."""
        value = self.value(pointer)
        if isinstance(value, str) and not self.is_bad(pointer):
            return value
        return None


def _under_any(pointer: str, prefixes: frozenset[str] | set[str]) -> bool:
    probe = pointer
    while probe:
        if probe in prefixes:
            return True
        probe = probe.rpartition("/")[0]
    return "" in prefixes
