"""审核结果.xlsx: summary, findings, roster check, and the region's tables with charts.

Every text cell passes through ``neutralise`` — unit names and messages come from strangers'
files. The aggregate sheet is drawn from the shared grids (``report_kit.grid``) so that its
labels and merges are the official ones. The saved file is made byte-stable (fixed zip
timestamps and document dates) so that a re-run with the same ``--today`` gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from report_kit.batch.aggregate import AGGREGATE_TABLES
from report_kit.batch.run import STATUS_ERRORS, STATUS_PASSED, STATUS_UNREADABLE, BatchResult
from report_kit.batch.tables import (
    SOURCE_KIND_LABELS,
    finding_rows,
    has_year_over_year,
    summary_rows,
    unit_kind_label,
)
from report_kit.grid import table_grid
from report_kit.layout import load_layout
from report_kit.writers.safe_cells import neutralise
from report_kit.writers.xlsx_styles import BORDER, CENTER, GREEN_FILL, HEADER_FILL, ORANGE_FILL, RED_FILL

HEADER_FONT = Font(bold=True)
STATUS_FILLS = {STATUS_PASSED: GREEN_FILL, STATUS_ERRORS: ORANGE_FILL, STATUS_UNREADABLE: RED_FILL}
WRAP = Alignment(wrap_text=True, vertical="center")
TOP_RULES = 15

SUMMARY_COLUMNS = [
    ("单位名称", "unit", 30),
    ("单位类型", "unit_kind_label", 10),
    ("报告年度", "year", 9),
    ("文件", "file", 32),
    ("文件类型", "source_kind", 11),
    ("审核结果", "status", 9),
    ("错误", "errors", 6),
    ("警告", "warnings", 6),
    ("发布日期", "published_on", 11),
    ("是否逾期", "late", 8),
    ("本年新收申请", "received", 11),
    ("结转下年度", "carried_forward", 10),
    ("行政复议", "reconsideration", 9),
    ("行政诉讼", "litigation", 9),
]
YEAR_OVER_YEAR_COLUMNS = [  # only when the batch ran with --previous/--archive
    ("上年年度", "previous_year", 9),
    ("上年新收申请", "previous_received", 11),
    ("新收增减", "received_change", 9),
    ("本年办理结果总计", "results", 11),
    ("上年办理结果总计", "previous_results", 11),
    ("办理结果增减", "results_change", 11),
    ("变化较大", "change_flag", 9),
]
FINDING_COLUMNS = [
    ("单位名称", "unit", 28),
    ("文件", "file", 28),
    ("规则", "rule", 18),
    ("级别", "severity_label", 6),
    ("位置", "address", 12),
    ("数据项", "pointer", 30),
    ("项目名称", "label", 30),
    ("问题", "message", 60),
    ("修改建议", "suggestion", 50),
]
ROSTER_COLUMNS = [
    ("单位名称", "unit", 30),
    ("统一社会信用代码", "code", 20),
    ("单位类型", "kind", 10),
    ("核对结果", "state", 12),
    ("提交文件", "files", 40),
]


def _styled(ws, value: Any, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=neutralise(value))
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _header(ws, columns: list[tuple[str, str, int]]) -> None:
    for col, (_, _, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.append(
        [
            _styled(ws, title, font=HEADER_FONT, fill=HEADER_FILL, border=BORDER, alignment=CENTER)
            for title, _, _ in columns
        ]
    )


def _display(key: str, value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not abs(value) <= 2**53:
        return str(value)  # beyond what a spreadsheet number holds (a typing slip): shown as text
    if key == "late":
        return "是" if value else "否"
    if key == "change_flag":
        return "是" if value else ""
    if key == "source_kind":
        return SOURCE_KIND_LABELS.get(value, "")
    if key == "files":
        text = "、".join(value)
        if len(text) > CELL_LIMIT:  # Excel's limit per cell; the JSON keeps every name
            text = text[: CELL_LIMIT - 20].rsplit("、", 1)[0] + f"等{len(value)}个文件"
        return text
    if key == "kind":
        return unit_kind_label(value or "")
    return value


def _rows(ws, columns, rows: list[dict], status_key: str | None = None) -> None:
    """A header and one line per row; write-only, so 10,000 files cost seconds, not minutes."""
    _header(ws, columns)
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    for row in rows:
        values = [
            "" if key == "late" and not row.get("published_on") else neutralise(_display(key, row.get(key)))
            for _, key, _ in columns
        ]
        if status_key is not None:
            at = next(i for i, (_, key, _) in enumerate(columns) if key == status_key)
            if row.get(status_key) in STATUS_FILLS:
                values[at] = _styled(ws, row[status_key], fill=STATUS_FILLS[row[status_key]])
        ws.append(values)


class _Canvas:
    """Cells placed anywhere, then streamed row by row into a write-only sheet."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.cells: dict[tuple[int, int], WriteOnlyCell | Any] = {}

    def put(self, row: int, col: int, value: Any, **style) -> None:
        self.cells[(row, col)] = _styled(self.ws, value, **style) if style else neutralise(value)

    def flush(self) -> None:
        if not self.cells:
            return
        height = max(r for r, _ in self.cells)
        width = max(c for _, c in self.cells)
        for r in range(1, height + 1):
            self.ws.append([self.cells.get((r, c)) for c in range(1, width + 1)])


CELL_LIMIT = 32767  # characters Excel holds in one cell
COLUMN_WIDTH = 12  # of every column of the 汇总数据 tables
LINE_HEIGHT = 15  # points per line of 11-point text


def _aggregate_sheet(wb: Workbook, result: BatchResult) -> None:
    ws = wb.create_sheet("汇总数据")
    canvas = _Canvas(ws)
    year = f"{result.year}年度" if result.year is not None else ""
    title = f"本行政区域{year}汇总数据（{result.aggregate_count}份审核通过的报告合计）"
    canvas.put(1, 1, title, font=Font(bold=True, size=14))
    flat = _flatten(result.aggregate)
    row = 3
    width = 0
    heights: dict[int, int] = {}  # row → lines of text it must show
    for table_id in AGGREGATE_TABLES:
        grid = table_grid(table_id)
        width = max(width, grid.width)
        canvas.put(row, 1, grid.title, font=Font(bold=True, size=12))
        row += 1
        for cell in grid.cells:
            r, c = row + cell.row, 1 + cell.col
            for rr in range(r, r + cell.rowspan):
                for cc in range(c, c + cell.colspan):
                    canvas.put(rr, cc, None, border=BORDER)
            if cell.kind == "data":
                canvas.put(r, c, flat.get(cell.pointer), border=BORDER, alignment=CENTER)
            elif cell.kind in ("header", "block"):
                canvas.put(r, c, cell.text, border=BORDER, alignment=CENTER, font=HEADER_FONT)
            else:
                canvas.put(r, c, cell.text, border=BORDER, alignment=WRAP)
            if cell.kind != "data" and cell.text:
                # merged and wrapped labels are never auto-fitted (Excel, LibreOffice): give
                # their rows the height the text needs, ~2 width units per CJK character
                lines = math.ceil(len(cell.text) * 2 / (COLUMN_WIDTH * cell.colspan - 1))
                per_row = math.ceil(lines / cell.rowspan)
                for rr in range(r, r + cell.rowspan):
                    heights[rr] = max(heights.get(rr, 1), per_row)
            if cell.rowspan > 1 or cell.colspan > 1:
                ws.merged_cells.add(
                    CellRange(
                        min_col=c, min_row=r, max_col=c + cell.colspan - 1, max_row=r + cell.rowspan - 1
                    )
                )
        row += grid.height + 2
    for col in range(1, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = COLUMN_WIDTH
    for r, lines in heights.items():
        if lines > 1:
            ws.row_dimensions[r].height = LINE_HEIGHT * lines + 2
    ws.column_dimensions[get_column_letter(width + 2)].width = 24  # the charts' category labels
    _charts(ws, canvas, result, flat, width + 2)
    canvas.flush()


def _flatten(document: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in document.items():
        pointer = f"{prefix}/{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, pointer))
        else:
            out[pointer] = value
    return out


def _bar_chart(ws, canvas: _Canvas, top: int, col: int, headers, rows, title: str, height: float) -> int:
    """A small two-column table at (top, col) and a native bar chart beside it; returns the
    first free row below both (charts are ~2 rows per cm at the default row height)."""
    canvas.put(top, col, headers[0], font=HEADER_FONT)
    canvas.put(top, col + 1, headers[1], font=HEADER_FONT)
    for i, (label, value) in enumerate(rows, start=top + 1):
        canvas.put(i, col, label)
        canvas.put(i, col + 1, value)
    if rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = title
        chart.y_axis.title = headers[1]
        chart.legend = None
        # openpyxl ≥ 3.1 writes axes as deleted unless told otherwise (Excel then hides them);
        # maxMin lists the categories top-down in table order, as people read them
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.x_axis.scaling.orientation = "maxMin"
        end = top + len(rows)
        chart.add_data(Reference(ws, min_col=col + 1, min_row=top, max_row=end), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=col, min_row=top + 1, max_row=end))
        chart.height, chart.width = height, 16
        ws.add_chart(chart, f"{get_column_letter(col + 3)}{top}")
    return top + max(len(rows) + 1, int(height * 2) + 1) + 2


def status_counts(result: BatchResult) -> list[tuple[str, int]]:
    """The outcomes across the region: submissions by status, and roster units missing."""
    counts = result.counts
    rows = [
        (STATUS_PASSED, counts["passed"]),
        (STATUS_ERRORS, counts["errors"]),
        (STATUS_UNREADABLE, counts["unreadable"]),
    ]
    if result.roster is not None:
        rows.append(("名单内未提交", counts["missing"]))
    return rows


def _charts(ws, canvas: _Canvas, result: BatchResult, flat: dict[str, Any], col: int) -> None:
    """Native bar charts, each beside the small table it plots: the review's outcomes, the rules
    broken most often, and the region's 表三 outcomes."""
    row = _bar_chart(ws, canvas, 3, col, ("审核结果", "份数"), status_counts(result), "本批次审核结果", 7.5)
    top = result.rule_counts()[:TOP_RULES]
    row = _bar_chart(ws, canvas, row, col, ("规则", "问题数"), top, f"问题最多的规则（前{TOP_RULES}项）", 9)
    _bar_chart(
        ws,
        canvas,
        row,
        col,
        ("办理结果", "件数"),
        outcome_totals(flat),
        "本行政区域申请办理结果（表三）",
        12,
    )


def outcome_totals(flat: dict[str, Any]) -> list[tuple[str, int]]:
    """表三's outcomes （一）…（六） with their 总计 column, sub-rows folded into their group."""
    layout = load_layout()
    table = layout.tables["T3"]
    groups = table.raw["groups"]
    outcome_paths = set(layout.collections["T3.rows.outcome"])
    total_column = next(c for c in table.columns if c.key == "total")
    sums: dict[str, int] = {}
    for row in table.rows:
        if row.path not in outcome_paths:
            continue
        group = row.group
        while group and groups[group].get("parent") and groups[groups[group]["parent"]].get("parent"):
            group = groups[group]["parent"]
        label = groups[group]["label"] if group and groups[group].get("parent") else row.label
        sums[label] = sums.get(label, 0) + (flat.get(table.cell_pointer(row, total_column)) or 0)
    return list(sums.items())


def build_review_workbook(result: BatchResult) -> Workbook:
    wb = Workbook(write_only=True)
    summary_columns = SUMMARY_COLUMNS + (YEAR_OVER_YEAR_COLUMNS if has_year_over_year(result) else [])
    _rows(wb.create_sheet("汇总"), summary_columns, summary_rows(result), status_key="status")
    _rows(wb.create_sheet("问题清单"), FINDING_COLUMNS, finding_rows(result))
    roster = wb.create_sheet("名单核对")
    if result.roster is None:
        roster.append(["未提供报送名单（--roster），未进行名单核对。"])
    else:
        _rows(roster, ROSTER_COLUMNS, result.roster, status_key=None)
    _aggregate_sheet(wb, result)
    stamp = dt.datetime.fromisoformat(result.generated_on)
    wb.properties.created = stamp
    wb.properties.creator = "report_kit"
    return wb


_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def stable_bytes(wb: Workbook, generated_on: str) -> bytes:
    """The workbook's bytes with every timestamp fixed to the generation date."""
    raw = io.BytesIO()
    wb.save(raw)
    stamp = f"{generated_on}T00:00:00Z".encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(lambda m: m.group(1) + stamp + m.group(2), data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def write_review_workbook(result: BatchResult, target: Path) -> None:
    target.write_bytes(stable_bytes(build_review_workbook(result), result.generated_on))
