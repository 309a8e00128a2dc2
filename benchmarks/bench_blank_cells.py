"""Reading + validating a workbook against python-calamine's raw read of it (issue 13, item 11).

Run by hand: ``python benchmarks/bench_blank_cells.py [ROUNDS]``. Two workbooks: the shipped
example filled in completely, and the same with 20 cells that hold 0 left blank (what units do;
the sums still hold). Goal: ``check_file`` ≤ 3× calamine opening the file and reading every
sheet. Blank cells used to make the reader load the workbook with openpyxl (16–30×); they are
now looked up in the sheet XML (``readers/formula_cells.py``).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "轮台县市场监督管理局-2024.json"


def _median_ms(function, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def calamine_raw(path: Path) -> None:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()


def main(rounds: int = 200) -> dict[str, dict[str, float]]:
    sys.path.insert(0, str(HERE))
    from generate_batch import BLANK_CELLS, blank_zeros

    from report_kit.check import check_file
    from report_kit.writers.template_xlsx import write_workbook

    submission = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        filled = Path(folder) / "filled.xlsx"
        write_workbook(filled, submission)
        blanks = Path(folder) / "blanks.xlsx"
        blank_zeros(filled, blanks)
        assert sum(f.rule == "S.blank_cell" for f in check_file(blanks).findings) == BLANK_CELLS
        for name, path in (("filled", filled), (f"{BLANK_CELLS} blanks", blanks)):
            raw = _median_ms(lambda p=path: calamine_raw(p), rounds)
            checked = _median_ms(lambda p=path: check_file(p), rounds)
            results[name] = {"calamine_ms": raw, "check_ms": checked, "ratio": checked / raw}
            print(f"{name:>10}: calamine {raw:6.2f} ms, check_file {checked:6.2f} ms, {checked / raw:4.1f}×")
    return results


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
