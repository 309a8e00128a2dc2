"""The workbook benchmark runs (on demand, ``pytest -m slow``); its numbers are read by people, not asserted."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_workbook.py"


@pytest.mark.slow
def test_workbook_benchmark():
    spec = importlib.util.spec_from_file_location("bench_workbook", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results = module.main(read_rounds=5, write_rounds=2)
    for key in ("check_median_ms", "read_median_ms", "write_template_median_ms", "write_filled_median_ms"):
        assert results[key] > 0, key
