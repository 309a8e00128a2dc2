"""The 分工台账 as a workbook a 政务公开办 prints: one row per task, A4 landscape, fit to width,
header row repeated on every page."""

from __future__ import annotations

import io

from report_kit.plan.ledger import Ledger
from report_kit.writers.safe_cells import neutralise
from report_kit.writers.sheet_print import setup_print

COLUMNS = (("序号", 8), ("任务", 70), ("牵头单位", 24), ("责任单位", 30), ("完成时限", 14))


def ledger_workbook(ledger: Ledger):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "分工台账"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    title = ledger.document.get("title") or "工作要点"
    ws.cell(row=1, column=1, value=neutralise(f"{title}分工台账")).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    for col, (label, width) in enumerate(COLUMNS, 1):
        cell = ws.cell(row=2, column=col, value=label)
        cell.font = Font(bold=True)
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[cell.column_letter].width = width
    row = 3
    heading: list[str] = []
    for task in ledger.tasks:
        if task.path[:2] != heading[:2] and task.path:
            shown = [p for i, p in enumerate(task.path[:2]) if i >= len(heading) or heading[i] != p]
            for text in shown:
                cell = ws.cell(row=row, column=1, value=neutralise(text))
                cell.font = Font(bold=True)
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
                row += 1
            heading = list(task.path[:2])
        units = "、".join(task.units)
        values = (task.number or "", task.text, "、".join(task.lead_units), units, task.deadline or "")
        for col, value in enumerate(values, 1):
            cell = ws.cell(row=row, column=col, value=neutralise(value))
            cell.border = border
            cell.alignment = wrap
        row += 1
    setup_print(ws, landscape=True, header_rows=(2, 2))
    ws.freeze_panes = "A3"
    return wb


def ledger_xlsx_bytes(ledger: Ledger) -> bytes:
    from report_kit.batch.outputs_xlsx import stable_bytes

    date = ledger.document.get("date") or "2000-01-01"
    raw = io.BytesIO()
    raw.write(stable_bytes(ledger_workbook(ledger), date))
    return raw.getvalue()
