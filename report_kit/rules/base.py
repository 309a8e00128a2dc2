"""What a compiled check is, and the helpers every kind of check shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from report_kit.catalogue import Rule
from report_kit.findings import Finding, Location
from report_kit.layout import Layout
from report_kit.rules.context import Context


class NotEvaluated(Exception):
    """Raised by a check whose inputs are unusable; the run records it, never as a pass."""


@dataclass(frozen=True)
class Check:
    """One rule bound to concrete cells (e.g. ``T3.balance`` for the 自然人 column)."""

    rule: Rule
    name: str
    involved: tuple[str, ...]
    run: Callable[[Context], Iterable[Finding]]
    anchor: str = ""  # the pointer its findings name first


def location(layout: Layout, pointer: str) -> Location:
    return Location(pointer=pointer, label=layout.label(pointer))


def format_number(value: int | float) -> str:
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def plain(value: int | float) -> int | float:
    """A float that holds an integer becomes an int, so JSON output shows ``5`` not ``5.0``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        return round(value, 6)
    return value
