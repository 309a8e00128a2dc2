"""The region's 表二/表三/表四 summed over the submissions that passed.

A submission's table cells become one compact vector (``array('d')``) in the fixed order of
the official grids, so a batch of thousands keeps kilobytes per file rather than whole
submissions; sums are taken over vectors and turned back into the canonical shape at the end.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cache

from report_kit.grid import all_grids
from report_kit.pointer import MISSING, nest, parts

AMOUNT_PLACES = 4


@cache
def cell_pointers(format_revision: str | None = None) -> tuple[tuple[str, str], ...]:
    """(pointer, value_type) of every data cell of 表二/表三/表四, in grid order."""
    return tuple(
        (cell.pointer, cell.value_type) for grid in all_grids(format_revision) for cell in grid.data_cells()
    )


# Cells are kept as doubles: integers are exact up to 2**53, and sums of 万元 amounts are
# taken in Decimal. A larger value (a typing slip such as 10^400 decisions) cannot be summed
# exactly — nor written as JSON once a sum overflows — so such a report is left out of the sum.
MAX_SUMMABLE = 2**53


def _summable(value) -> bool:
    if isinstance(value, int):
        return abs(value) <= MAX_SUMMABLE
    return math.isfinite(value) and abs(value) <= MAX_SUMMABLE


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@cache
def _cell_keys() -> tuple[tuple[str, ...], ...]:
    """The keys of each cell pointer, parsed once: every file of a batch walks all ~200 cells."""
    return tuple(tuple(parts(pointer)) for pointer, _ in cell_pointers())


def _cell_values(submission: dict) -> list:
    """The value of every table cell in grid order (:data:`MISSING` where there is none).

    The same walk as ``pointer.get`` over each pointer, without re-parsing 200 pointers per
    file (that cost ~1 ms of each file's ~10 ms in a batch worker)."""
    values = []
    for keys in _cell_keys():
        node = submission
        for key in keys:
            if type(node) is dict or isinstance(node, Mapping):  # the exact type first: no ABC check
                node = node.get(key, MISSING)
            else:
                node = MISSING
                break
        values.append(node)
    return values


def _unsummable_at(values: list) -> int | None:
    for index, value in enumerate(values):
        if _is_number(value) and not _summable(value):
            return index
    return None


def unsummable_cell(submission: dict) -> tuple[str, object] | None:
    """(pointer, value) of the first table cell too large to be summed exactly, if any."""
    values = _cell_values(submission)
    index = _unsummable_at(values)
    return None if index is None else (cell_pointers()[index][0], values[index])


def cell_vector(submission: dict) -> array | None:
    """The table cells of a submission, or None when any cell is not a number (or too large)."""
    return _vector(_cell_values(submission))


def _vector(values: list) -> array | None:
    for value in values:
        # the exact types first: almost every cell is a plain int
        if type(value) is int:
            if not -MAX_SUMMABLE <= value <= MAX_SUMMABLE:
                return None
        elif not _is_number(value) or not _summable(value):
            return None
    return array("d", values)


def vector_and_unsummable(submission: dict) -> tuple[array | None, tuple[str, object] | None]:
    """``cell_vector`` and ``unsummable_cell`` in one walk over the cells (a batch worker needs both)."""
    values = _cell_values(submission)
    vector = _vector(values)
    if vector is not None:
        return vector, None  # every cell summable
    index = _unsummable_at(values)
    return None, None if index is None else (cell_pointers()[index][0], values[index])


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


def aggregate(submissions: Iterable[dict]) -> dict:
    """Sum of the tables of ``submissions`` (each must have numbers in every table cell)."""
    aggregator = Aggregator()
    for submission in submissions:
        vector = cell_vector(submission)
        if vector is None:
            raise ValueError("submission has non-numeric table cells")
        aggregator.add(vector)
    return aggregator.result()
