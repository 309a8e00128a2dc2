"""Validation speed (issue 2): one in-memory submission, and `report-kit check` on one file.

Run by hand: ``python benchmarks/bench_validate.py``. Targets: ≤ 2 ms median per in-memory
validation (text checks included); ≤ 300 ms wall for the CLI on one JSON file, start-up
included.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def sample_submissions(n: int) -> list[dict]:
    from hypothesis import HealthCheck, given, settings

    from strategies import valid_submissions

    drawn: list[dict] = []

    @settings(max_examples=n, database=None, suppress_health_check=list(HealthCheck), deadline=None)
    @given(valid_submissions())
    def collect(submission):
        drawn.append(submission)

    collect()
    return drawn


def bench_in_memory(rounds: int = 2000) -> dict:
    from report_kit.validator import get_validator

    validator = get_validator()
    submissions = sample_submissions(50)
    example = ROOT / "examples" / "轮台县市场监督管理局-2024.json"
    if example.exists():
        submissions.append(json.loads(example.read_text(encoding="utf-8")))
    times = []
    for i in range(rounds):
        submission = submissions[i % len(submissions)]
        start = time.perf_counter()
        validator.validate(submission)
        times.append(time.perf_counter() - start)
    broken = json.loads(json.dumps(submissions[0]))
    broken["applications"]["received"]["natural_person"] = "12件"
    broken["reviews"]["reconsideration"]["total"] = -1
    invalid = []
    for _ in range(300):
        start = time.perf_counter()
        validator.validate(broken)
        invalid.append(time.perf_counter() - start)
    return {
        "valid_median_ms": statistics.median(times) * 1000,
        "valid_p95_ms": sorted(times)[int(len(times) * 0.95)] * 1000,
        "invalid_median_ms": statistics.median(invalid) * 1000,
    }


def bench_cli(rounds: int = 10) -> dict:
    example = ROOT / "examples" / "轮台县市场监督管理局-2024.json"
    if not example.exists():
        submission = sample_submissions(1)[0]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
            json.dump(submission, handle, ensure_ascii=False)
        example = Path(handle.name)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "report_kit", "check", str(example)], capture_output=True)
        times.append(time.perf_counter() - start)
    return {"cli_median_ms": statistics.median(times) * 1000, "cli_min_ms": min(times) * 1000}


def main() -> dict:
    results = {**bench_in_memory(), **bench_cli()}
    for key, value in results.items():
        print(f"{key:>20}: {value:8.2f}")
    return results


if __name__ == "__main__":
    main()
