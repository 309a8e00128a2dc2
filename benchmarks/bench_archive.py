"""Archive and year-over-year speed (issue 6), run by hand: ``python benchmarks/bench_archive.py``.

Measures, on copies of the example report with different unit names:
- ``Archive.add`` per submission (one ``BEGIN IMMEDIATE`` transaction each, WAL commit);
- ``Archive.previous_for`` look-ups;
- the cross-year rules on the usual pair and on the similarity worst case;
- ``report-kit batch --archive`` on N JSON files against ``batch`` without it (fresh
  processes; the difference is the year-over-year step: re-read, compare, archive).
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.json"


def _copies(folder: Path, n: int, year: int = 2024) -> list[Path]:
    base = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    base["unit"].pop("code", None)
    base["year"] = year
    paths = []
    for i in range(n):
        doc = copy.deepcopy(base)
        doc["unit"]["name"] = f"测试县第{i}局"
        path = folder / f"{i:05d}.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def bench_store(n: int) -> dict:
    from report_kit.archive import Archive
    from report_kit.check import check_file

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        paths = _copies(tmp, n)
        reports = [check_file(p) for p in paths]
        db = tmp / "年报库.sqlite"
        times = []
        with Archive(db) as store:
            for report, path in zip(reports, paths):
                start = time.perf_counter()
                store.add(report, path)
                times.append(time.perf_counter() - start)
            lookups = []
            for report in reports:
                start = time.perf_counter()
                store.previous_for(report.submission["unit"], 2025)
                lookups.append(time.perf_counter() - start)
        size = db.stat().st_size + sum(p.stat().st_size for p in tmp.glob("年报库.sqlite-*"))
    return {
        "add_ms_median": round(statistics.median(times) * 1000, 2),
        "add_ms_p95": round(sorted(times)[int(0.95 * len(times))] * 1000, 2),
        "previous_for_ms_median": round(statistics.median(lookups) * 1000, 3),
        "size_kb_per_report": round(size / n / 1024, 1),
    }


def bench_rules() -> dict:
    from report_kit.rules.history import cross_year_findings

    current = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    previous = copy.deepcopy(current)
    previous["year"] = 2023
    previous["text"]["problems"] = "政策解读形式较为单一。" * 3
    usual = []
    for _ in range(200):
        start = time.perf_counter()
        cross_year_findings(current, previous)
        usual.append(time.perf_counter() - start)
    # worst case: 8,000 characters each side, same character mix, ≈ 90 % alike
    text = "".join(chr(0x4E00 + (i * 7919) % 3000) for i in range(8000))
    worst_current, worst_previous = copy.deepcopy(current), copy.deepcopy(previous)
    worst_current["text"]["problems"] = text
    worst_previous["text"]["problems"] = text[400:] + text[:400]
    start = time.perf_counter()
    cross_year_findings(worst_current, worst_previous)
    worst = time.perf_counter() - start
    return {
        "cross_year_ms_median": round(statistics.median(usual) * 1000, 2),
        "similarity_worst_case_s": round(worst, 2),
    }


def bench_batch(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = tmp / "报送"
        folder.mkdir()
        _copies(folder, n)
        last = tmp / "上年"
        last.mkdir()
        _copies(last, n, year=2023)
        db = tmp / "年报库.sqlite"
        command = [sys.executable, "-m", "report_kit", "batch", str(folder), "--today", "2025-06-01"]

        def timed(*extra: str) -> float:
            start = time.perf_counter()
            subprocess.run([*command, *extra], capture_output=True, check=False)
            return time.perf_counter() - start

        plain = timed("-o", str(tmp / "a"))
        subprocess.run(
            [sys.executable, "-m", "report_kit", "archive", "add", str(last), "--archive", str(db)],
            capture_output=True,
            check=False,
        )
        archived = timed("-o", str(tmp / "b"), "--archive", str(db))
        previous = timed("-o", str(tmp / "c"), "--previous", str(last))
    return {
        "files": n,
        "batch_s": round(plain, 2),
        "batch_archive_s": round(archived, 2),
        "batch_previous_dir_s": round(previous, 2),
        "year_over_year_ms_per_file": round((archived - plain) / n * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    results = {"store": bench_store(args.count), "rules": bench_rules(), "batch": bench_batch(args.count)}
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
