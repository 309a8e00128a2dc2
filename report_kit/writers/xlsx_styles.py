"""Cell styles and cell-level helpers shared by every workbook report_kit writes.

The fill-in template (:mod:`report_kit.writers.template_xlsx`) and the batch review workbook
(:mod:`report_kit.batch.outputs_xlsx`) look alike because they take their borders, fills and
fonts from here; a change of house style is one edit. How a sheet prints (page, row heights
for wrapped text, page breaks) is :mod:`report_kit.writers.sheet_print`.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.worksheet import Worksheet

_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFFFFF")
GREEN_FILL = PatternFill("solid", fgColor="E2EFDA")  # passed; pre-filled from last year, still editable
ORANGE_FILL = PatternFill("solid", fgColor="FCE4D6")  # errors
RED_FILL = PatternFill("solid", fgColor="F8CBAD")  # unreadable
PREFILLED_FILL = GREEN_FILL
TITLE_FONT = Font(name="宋体", size=14, bold=True)
BOLD = Font(name="宋体", size=11, bold=True)
NORMAL = Font(name="宋体", size=11)
HINT_FONT = Font(name="宋体", size=10, italic=True, color="595959")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
VERTICAL = Alignment(horizontal="center", vertical="center", text_rotation=255, wrap_text=True)
UNLOCKED = Protection(locked=False)


def clean_text(value: str) -> str:
    """Characters XML cannot hold would make openpyxl refuse the whole workbook."""
    from report_kit.writers.safe_cells import xml_text

    return xml_text(value)


def put_text(ws: Worksheet, row: int, col: int, value: str):
    """A string that stays a string even when it starts with '=' (no formula injection)."""
    cell = ws.cell(row, col)
    cell.value = clean_text(value)
    cell.data_type = "s"
    return cell


def style_range(ws: Worksheet, row: int, col: int, rowspan: int, colspan: int, **style) -> None:
    for r in range(row, row + rowspan):
        for c in range(col, col + colspan):
            cell = ws.cell(r, c)
            for name, value in style.items():
                setattr(cell, name, value)


def merge(ws: Worksheet, row: int, col: int, rowspan: int, colspan: int) -> None:
    if rowspan > 1 or colspan > 1:
        ws.merge_cells(
            start_row=row, start_column=col, end_row=row + rowspan - 1, end_column=col + colspan - 1
        )
