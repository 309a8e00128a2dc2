"""Cost of error localisation (issue 12), run by hand: ``python benchmarks/bench_repairs.py``.

Target: localisation adds ≤ 2 ms (median) to validating an invalid submission and nothing to
a valid one. Measured on the shipped example:

- valid: ``Validator.validate`` with localisation on and off (off = the localiser knows no
  identity rule, so no finding triggers it);
- invalid, one wrong cell: every 表三 and 表四 cell in turn typed 10 too high;
- invalid, two wrong 表三 cells in different rows and columns (a sample of pairs);
each timed with localisation on and off back to back; the added cost is the median of the
paired differences.
"""

from __future__ import annotations

import copy
import json
import random
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.json"
ROUNDS = 5


def _set(document: dict, pointer: str, value) -> None:
    parts = pointer.strip("/").split("/")
    node = document
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def _get(document: dict, pointer: str):
    node = document
    for part in pointer.strip("/").split("/"):
        node = node[part]
    return node


def _once(validator, document, today) -> float:
    start = time.perf_counter()
    validator.validate(document, today=today)
    return (time.perf_counter() - start) * 1000


def _compare(validator, documents, today) -> dict:
    """Each document timed with localisation on and off back to back, so that the load of
    a shared machine drifts into both; the added cost is the median of the differences."""
    rules = validator.localiser.rules
    on, off, added = [], [], []
    for _ in range(ROUNDS):
        for document in documents:
            with_it = _once(validator, document, today)
            validator.localiser.rules = frozenset()
            try:
                without = _once(validator, document, today)
            finally:
                validator.localiser.rules = rules
            on.append(with_it)
            off.append(without)
            added.append(with_it - without)
    return {
        "cases": len(documents),
        "median_on_ms": round(statistics.median(on), 3),
        "median_off_ms": round(statistics.median(off), 3),
        "added_median_ms": round(statistics.median(added), 3),
        "p95_on_ms": round(sorted(on)[int(len(on) * 0.95)], 3),
    }


def main() -> dict:
    import datetime as dt

    from report_kit.validator import get_validator

    validator = get_validator()
    layout = validator.layout
    today = dt.date(2030, 6, 1)
    base = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    validator.validate(base, today=today)  # warm caches

    def mistyped(*pointers):
        document = copy.deepcopy(base)
        for pointer in pointers:
            _set(document, pointer, _get(base, pointer) + 10)
        return document

    t3 = [p for p, c in layout.cells.items() if c.table == "T3"]
    t4 = [p for p, c in layout.cells.items() if c.table == "T4"]
    rng = random.Random(12)
    pairs = []
    while len(pairs) < 100:
        a, b = rng.sample(t3, 2)
        ca, cb = layout.cells[a], layout.cells[b]
        if ca.row.path != cb.row.path and ca.column.key != cb.column.key:
            pairs.append((a, b))
    results = {
        "valid": _compare(validator, [base] * 200, today),
        "one_cell_t3": _compare(validator, [mistyped(p) for p in t3], today),
        "one_cell_t4": _compare(validator, [mistyped(p) for p in t4], today),
        "two_cells_t3": _compare(validator, [mistyped(*pair) for pair in pairs], today),
    }
    return results


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, indent=2))
