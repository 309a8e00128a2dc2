"""Speed of reading published reports (issue 10; docs/import.md records the numbers).

Budgets: one .html or .docx report ≤ 50 ms in process, one PDF ≤ 300 ms, a batch of 1,000
published .html reports ≤ 60 s on 2 cores. Run by hand: ``python benchmarks/bench_import.py``
(``--batch`` adds the 1,000-report batch through ``report-kit batch``; the PDF needs soffice).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report_kit.check import validate_read  # noqa: E402
from report_kit.ingest import read_document  # noqa: E402
from report_kit.readers.base import normalise  # noqa: E402
from report_kit.report_content import build_content  # noqa: E402
from report_kit.writers.report_docx import write_docx  # noqa: E402
from report_kit.writers.report_html import render_html  # noqa: E402


def _example() -> dict:
    import yaml

    return normalise(
        yaml.safe_load((ROOT / "examples" / "轮台县市场监督管理局-2024.yaml").read_text("utf-8"))
    )


def _time(path: Path, rounds: int) -> tuple[float, float]:
    read_document(path)  # imports (lxml, OpenCC, PDFium) and caches once
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        validate_read(read_document(path), str(path))
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--batch", action="store_true", help="also run report-kit batch on 1,000 pages")
    args = parser.parse_args()
    submission = _example()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        html = work / "report.html"
        html.write_text(render_html(build_content(submission)), encoding="utf-8")
        docx = work / "report.docx"
        write_docx(build_content(submission), docx)
        results = {"html": _time(html, args.rounds), "docx": _time(docx, args.rounds)}
        soffice = shutil.which("soffice")
        if soffice:
            subprocess.run(
                [soffice, f"-env:UserInstallation=file://{work}/lo", "--headless", "--convert-to", "pdf",
                 "--outdir", str(work), str(docx)],
                check=True, capture_output=True, timeout=300,
            )  # fmt: skip
            results["pdf"] = _time(work / "report.pdf", args.rounds)
        for kind, (median, worst) in results.items():
            budget = 300 if kind == "pdf" else 50
            print(f"{kind:5} read+check: median {median:6.1f} ms, max {worst:6.1f} ms (budget {budget} ms)")
        if args.batch:
            pages = work / "pages"
            pages.mkdir()
            text = html.read_text(encoding="utf-8")
            for i in range(1000):
                name = f"示例第{i:04d}号单位"
                (pages / f"{name}.html").write_text(
                    text.replace("轮台县市场监督管理局", name), encoding="utf-8"
                )
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "report_kit", "batch", str(pages), "-o", str(work / "review")],
                capture_output=True, timeout=900, check=False,
            )  # fmt: skip
            elapsed = time.perf_counter() - start
            import json

            review = json.loads((work / "review" / "审核结果.json").read_text(encoding="utf-8"))
            read = sum(1 for f in review["files"] if f.get("unit"))
            print(f"batch of 1,000 .html reports: {elapsed:.1f} s (budget 60 s); {read} units read")
    return 0


if __name__ == "__main__":
    sys.exit(main())
