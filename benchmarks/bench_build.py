"""Build speed (issue 4): one Word report and one web page from an in-memory submission.

Run by hand: ``python benchmarks/bench_build.py``. Targets: ≤ 150 ms median for one .docx
(content + template + writing the file), ≤ 20 ms median for one .html. Also reports the
``report-kit build`` command on the example, start-up included, for reference.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.yaml"


def _timed(function, rounds: int) -> list[float]:
    function()  # warm caches (layout, grids, template bytes) as a batch run would
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def bench(rounds: int = 50) -> dict:
    from report_kit.readers import read_submission
    from report_kit.report_content import build_content
    from report_kit.writers.report_docx import write_docx
    from report_kit.writers.report_html import write_html

    submission = read_submission(EXAMPLE).submission
    with tempfile.TemporaryDirectory() as folder:
        docx_path, html_path = Path(folder) / "r.docx", Path(folder) / "r.html"
        docx_times = _timed(lambda: write_docx(build_content(submission), docx_path), rounds)
        html_times = _timed(lambda: write_html(build_content(submission), html_path), rounds * 4)
        content_times = _timed(lambda: build_content(submission), rounds * 4)
        cli_times = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "report_kit", "build", str(EXAMPLE), "-o", str(docx_path)],
                capture_output=True,
                check=True,
            )
            cli_times.append(time.perf_counter() - start)
    return {
        "docx_median_ms": statistics.median(docx_times) * 1000,
        "docx_p95_ms": sorted(docx_times)[int(len(docx_times) * 0.95)] * 1000,
        "html_median_ms": statistics.median(html_times) * 1000,
        "content_median_ms": statistics.median(content_times) * 1000,
        "cli_build_median_ms": statistics.median(cli_times) * 1000,
    }


def main() -> dict:
    results = bench()
    for key, value in results.items():
        print(f"{key:>20}: {value:8.2f}")
    return results


if __name__ == "__main__":
    main()
