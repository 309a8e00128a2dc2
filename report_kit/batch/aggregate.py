"""The region's 表二/表三/表四 summed over the submissions that passed.

A submission's table cells become one compact vector (``array('d')``) in the fixed order of
the official grids, so a batch of thousands keeps kilobytes per file rather than whole
submissions; sums are taken over vectors and turned back into the canonical shape at the end.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from decimal import Decimal
from functools import cache

from report_kit.grid import table_grid

AGGREGATE_TABLES = ("T2", "T3", "T4")
AMOUNT_PLACES = 4


@cache
def cell_pointers(format_revision: str = "2021") -> tuple[tuple[str, str], ...]:
    """(pointer, value_type) of every data cell of 表二/表三/表四, in grid order."""
    return tuple(
        (cell.pointer, cell.value_type)
        for table in AGGREGATE_TABLES
        for cell in table_grid(table, format_revision).data_cells()
    )


def _resolve(document, pointer: str):
    node = document
    for part in pointer.strip("/").split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def cell_vector(submission: dict) -> array | None:
    """The table cells of a submission, or None when any cell is not a number."""
    values = array("d")
    for pointer, _ in cell_pointers():
        number = _number(_resolve(submission, pointer))
        if number is None:
            return None
        values.append(number)
    return values


class Aggregator:
    """Running sums of cell vectors; ``add`` as results arrive, ``result`` once at the end."""

    def __init__(self) -> None:
        self.count = 0
        self._counts = [0] * len(cell_pointers())
        self._amounts = [Decimal(0)] * len(cell_pointers())

    def add(self, vector: Iterable[float]) -> None:
        for i, (value, (_, value_type)) in enumerate(zip(vector, cell_pointers())):
            if value_type == "count":
                self._counts[i] += int(value)
            else:
                # Decimal of the repr: 0.1 + 0.2 in 万元 must add up to 0.3, whatever the order.
                self._amounts[i] += Decimal(repr(value))
        self.count += 1

    def values(self) -> dict[str, int | float]:
        out: dict[str, int | float] = {}
        for i, (pointer, value_type) in enumerate(cell_pointers()):
            if value_type == "count":
                out[pointer] = self._counts[i]
            else:
                out[pointer] = float(round(self._amounts[i], AMOUNT_PLACES))
        return out

    def result(self) -> dict:
        """The sums in the canonical submission shape (``active_disclosure``, ``applications``, ``reviews``)."""
        return nest(self.values())


def nest(flat: dict[str, object]) -> dict:
    document: dict = {}
    for pointer, value in flat.items():
        parts = pointer.strip("/").split("/")
        node = document
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return document


def aggregate(submissions: Iterable[dict]) -> dict:
    """Sum of the tables of ``submissions`` (each must have numbers in every table cell)."""
    aggregator = Aggregator()
    for submission in submissions:
        vector = cell_vector(submission)
        if vector is None:
            raise ValueError("submission has non-numeric table cells")
        aggregator.add(vector)
    return aggregator.result()
