"""The workbook benchmark as a test, only on demand (``pytest -m slow``); bounds are loose on purpose."""

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
    results = module.main(read_rounds=100, write_rounds=5)
    assert results["check_median_ms"] < 5 * 3  # target 5 ms; generous for loaded CI machines
    assert results["write_template_median_ms"] < 200 * 3
