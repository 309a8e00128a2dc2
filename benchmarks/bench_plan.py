"""Work-plan speed (issue 11), run by hand: ``python benchmarks/bench_plan.py``.

Targets: reading a plan ≤ 200 ms; ``--plan`` adds ≤ 1 ms per report to check.
Measures, in this process (warm: the data files and regexes loaded once, as in a batch):
- ``read_plan`` on each of the five seed plans (tests/fixtures/plans) and on the Word table
  and 任务分解表 built by tests/plan_documents.py;
- ``validate_read`` of the example report with and without ``plan=`` (the difference is what
  ``--plan`` costs a report), the ledger's index built once as in a batch.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "tests" / "fixtures" / "plans"
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.json"


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_read(repeat: int = 15) -> dict[str, float]:
    from report_kit.plan import read_plan

    sys.path.insert(0, str(ROOT / "tests"))
    import plan_documents

    results = {}
    read_plan(next(PLANS.glob("000_*.txt")))  # warm: data files, regexes
    for path in sorted(PLANS.glob("*.txt")):
        results[path.name[:3]] = _median_ms(lambda p=path: read_plan(p), repeat)
    with tempfile.TemporaryDirectory() as tmp:
        table = plan_documents.word_table_plan(Path(tmp) / "表格.docx")
        breakdown = plan_documents.breakdown_plan(Path(tmp) / "分解表.docx")
        results["word_table"] = _median_ms(lambda: read_plan(table), repeat)
        results["breakdown_docx"] = _median_ms(lambda: read_plan(breakdown), repeat)
    return results


def bench_check(repeat: int = 300) -> dict[str, float]:
    from report_kit.check import validate_read
    from report_kit.plan import read_plan
    from report_kit.plan.coverage import coverage_findings
    from report_kit.readers import read_submission

    ledger = read_plan(next(PLANS.glob("000_*.txt")))
    result = read_submission(EXAMPLE)
    coverage_findings(ledger, result.submission)  # the index is built once per ledger
    validate_read(result, "x")
    without = _median_ms(lambda: validate_read(result, "x"), repeat)
    with_plan = _median_ms(lambda: validate_read(result, "x", plan=ledger), repeat)
    only = _median_ms(lambda: coverage_findings(ledger, result.submission), repeat)
    tasks = len(coverage_findings(ledger, result.submission))
    return {
        "check_ms": without,
        "check_with_plan_ms": with_plan,
        "plan_added_ms": with_plan - without,
        "coverage_only_ms": only,
        "warnings": tasks,
    }


def main() -> dict:
    results = {"read_ms": bench_read(), **bench_check()}
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return results


if __name__ == "__main__":
    main()
