"""The findings of one build as a file the unit can work through: xlsx, csv or json.

The kind follows the file name's suffix, so ``--errors 错误清单.xlsx`` needs no extra
option. CSV and JSON are exactly what ``check --format csv|json`` prints (one contract);
the workbook has the same Chinese columns as the CSV. Every text cell is neutralised
(:mod:`report_kit.writers.safe_cells`): messages quote what the unit typed, and a value
starting with 「=」 must not become a formula in the reviewer's Excel.
"""

from __future__ import annotations

import os
from pathlib import Path

from report_kit.atomic import atomic_path
from report_kit.findings import FileReport
from report_kit.writers.findings_data import CSV_COLUMNS, flatten, render_csv, render_json
from report_kit.writers.safe_cells import safe_value, sanitise_workbook

SUFFIXES = (".xlsx", ".csv", ".json")
SHEET_TITLE = "校验错误清单"
COLUMN_WIDTHS = {"message": 60, "suggestion": 40, "label": 36, "file": 30, "pointer": 36, "unit": 24}


class ErrorsFileError(ValueError):
    """The requested errors file has a suffix we cannot write; the message is Chinese."""


def errors_kind(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        allowed = "、".join(SUFFIXES)
        raise ErrorsFileError(f"错误清单文件“{path}”的扩展名应为 {allowed} 之一。")
    return suffix[1:]


def write_errors(report: FileReport, path: str | os.PathLike) -> str:
    """Write the findings of ``report`` to ``path`` atomically; returns the kind written."""
    kind = errors_kind(path)
    with atomic_path(path) as temp:
        if kind == "json":
            temp.write_text(render_json([report]), encoding="utf-8")
        elif kind == "csv":
            temp.write_text(render_csv([report]), encoding="utf-8", newline="")
        else:
            book = _build_xlsx(report)
            sanitise_workbook(book)
            book.save(temp)
    return kind


def _build_xlsx(report: FileReport):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append([title for _, title in CSV_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in flatten([report]):
        values = []
        for key, _ in CSV_COLUMNS:
            value = row[key]
            if isinstance(value, str):
                value = safe_value(value)
            values.append(value)
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, even 「=SUM(A1)」 after neutralising
    for index, (key, _) in enumerate(CSV_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS.get(key, 12)
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    return workbook
