"""Workbook speed (issue 3): reading + validating a filled template, and writing a template.

Run by hand: ``python benchmarks/bench_workbook.py``. Targets: ≤ 5 ms median for
``check_file`` on one filled workbook (sniffing, calamine reading, validation, all in
process); ≤ 200 ms median for writing one template with openpyxl.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.json"
RESAVED = ROOT / "tests" / "fixtures" / "workbooks" / "libreoffice-resaved.xlsx"


def _median_ms(function, rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000


def main(read_rounds: int = 300, write_rounds: int = 20) -> dict:
    from report_kit.check import check_file
    from report_kit.readers.xlsx import read_workbook
    from report_kit.validator import get_validator
    from report_kit.writers.template_xlsx import write_workbook

    submission = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        filled = Path(folder) / "填报.xlsx"
        blank = Path(folder) / "模板.xlsx"
        write_workbook(filled, submission)
        get_validator()
        check_file(filled)  # warm: imports, compiled schema and rules
        report = check_file(filled)
        assert report.valid and report.source_kind == "xlsx", [f.message for f in report.findings]
        results = {}
        results["check_median_ms"], results["check_p95_ms"] = _median_ms(
            lambda: check_file(filled), read_rounds
        )
        results["read_median_ms"], _ = _median_ms(lambda: read_workbook(filled), read_rounds)
        if RESAVED.exists():  # the same figures, written by LibreOffice Calc
            results["check_libreoffice_median_ms"], _ = _median_ms(lambda: check_file(RESAVED), read_rounds)
        results["write_template_median_ms"], results["write_template_p95_ms"] = _median_ms(
            lambda: write_workbook(blank, unit="轮台县市场监督管理局", kind="department", level="county"),
            write_rounds,
        )
        results["write_filled_median_ms"], _ = _median_ms(
            lambda: write_workbook(filled, submission), write_rounds
        )
        results["filled_size_kb"] = filled.stat().st_size / 1024
    for key, value in results.items():
        print(f"{key:>26}: {value:8.2f}")
    return results


if __name__ == "__main__":
    sys.exit(main() and 0)
