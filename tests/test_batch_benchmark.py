"""The batch benchmark runs end to end (``pytest -m slow``); the real targets are in docs/batch.md."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.slow
def test_batch_benchmark_small():
    spec = importlib.util.spec_from_file_location("bench_batch", BENCH / "bench_batch.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_batch"] = module
    spec.loader.exec_module(module)
    results = module.main(["--count", "300", "--jobs", "1", "2"])
    assert [r["files"] for r in results] == [300, 300]
    assert results[0]["counts"] == results[1]["counts"]
    # speed is measured by hand (docs/batch.md), never asserted; memory does not depend on load
    assert all(r["peak_mb_upper_bound"] < 500 for r in results)


@pytest.mark.slow
def test_batch_benchmark_realistic_mix(tmp_path):
    """The issue-13 mix (60 % filled, 30 % with blank cells, 10 % JSON) runs end to end."""
    spec = importlib.util.spec_from_file_location("bench_batch", BENCH / "bench_batch.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_batch"] = module
    spec.loader.exec_module(module)
    folder = tmp_path / "mix"
    results = module.main(["--count", "200", "--format", "mix", "--dir", str(folder), "--jobs", "2"])
    assert results[0]["files"] == 200
    suffixes = [p.suffix for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert 0.75 < suffixes.count(".xlsx") / 200 < 0.99 and suffixes.count(".json") > 5
    assert results[0]["peak_mb_upper_bound"] < 500
