"""Batch review throughput and memory (issue 5).

``python benchmarks/bench_batch.py [--count 10000] [--format xlsx|json|mix] [--dir DIR] [--jobs 1 2]``

``--format mix`` is the realistic batch of issue 13: 60 % filled workbooks, 30 % workbooks with
20 blank cells (where the unit had nothing to report), 10 % JSON.

Generates ``--count`` filled workbooks (``generate_batch.py``) unless ``--dir`` already holds
them, then runs the whole batch (validate, roster-free checks, aggregate, write the review
folder) once per ``--jobs`` value, each in a fresh process so that memory figures are per
run. Targets: 10,000 workbooks in ≤ 60 s on 2 cores, peak memory ≤ 500 MB. Peak memory is
reported as the orchestrating process's max RSS plus ``jobs`` × the largest worker's max
RSS (``resource.getrusage`` of self and children) — an upper bound of the simultaneous total.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_one(directory: str, jobs: int, output: str) -> dict:
    import datetime as dt
    import resource

    from report_kit.batch.outputs import write_outputs
    from report_kit.batch.run import run_batch

    started = time.perf_counter()
    result = run_batch(directory, today=dt.date(2025, 6, 1), jobs=jobs)
    validated = time.perf_counter()
    write_outputs(result, output)
    finished = time.perf_counter()
    own_usage = resource.getrusage(resource.RUSAGE_SELF)
    child_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = own_usage.ru_maxrss / 1024
    workers = child_usage.ru_maxrss / 1024
    # CPU seconds of the orchestrator and of the workers: unlike wall time they do not depend on
    # what else the machine is running, so they show the cost on a quiet machine
    cpu_main = own_usage.ru_utime + own_usage.ru_stime
    cpu_workers = child_usage.ru_utime + child_usage.ru_stime
    files = len(result.entries)
    return {
        "jobs": jobs,
        "files": files,
        "validate_s": round(validated - started, 2),
        "outputs_s": round(finished - validated, 2),
        "total_s": round(finished - started, 2),
        "files_per_s": round(files / (finished - started), 1),
        "cpu_main_s": round(cpu_main, 1),
        "cpu_workers_s": round(cpu_workers, 1),
        "main_rss_mb": round(own, 1),
        "worker_rss_mb": round(workers, 1),
        "peak_mb_upper_bound": round(own + jobs * workers, 1),  # workers = 0 when run in-process
        "counts": result.counts,
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description="batch review benchmark")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--format", choices=("xlsx", "json", "mix"), default="xlsx")
    parser.add_argument("--dir")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--run-one", nargs=3, metavar=("DIR", "JOBS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_one:
        directory, jobs, output = args.run_one
        print(json.dumps(run_one(directory, int(jobs), output), ensure_ascii=False))
        return []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as scratch:
        directory = args.dir
        # generate unless --dir already holds submissions (an empty or new --dir is filled)
        if directory is None or not Path(directory).is_dir() or not any(Path(directory).iterdir()):
            sys.path.insert(0, str(HERE))
            from generate_batch import generate

            directory = directory or str(Path(scratch) / "submissions")
            started = time.perf_counter()
            tally = generate(directory, args.count, args.format)
            print(
                f"generated {args.count} {args.format} files in {time.perf_counter() - started:.1f} s: {tally}"
            )
        results = []
        for jobs in args.jobs:
            output = str(Path(scratch) / f"review-{jobs}")
            line = (
                subprocess.run(
                    [sys.executable, __file__, "--run-one", directory, str(jobs), output],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            result = json.loads(line)
            results.append(result)
            print(json.dumps(result, ensure_ascii=False))
        return results


if __name__ == "__main__":
    main()
