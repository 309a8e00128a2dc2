"""审核结果.xlsx: summary, findings, roster check, and the region's tables with charts.

Every text cell passes through ``safe_value`` — unit names and messages come from strangers'
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
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from report_kit.batch.run import STATUS_ERRORS, STATUS_PASSED, STATUS_UNREADABLE, BatchResult
from report_kit.batch.tables import (
    SOURCE_KIND_LABELS,
    finding_rows,
    has_year_over_year,
    summary_rows,
    unit_kind_label,
    unit_or_guess,
)
from report_kit.catalogue import load_catalogue
from report_kit.grid import GridCell, all_grids
from report_kit.layout import load_layout
from report_kit.pointer import flatten
from report_kit.writers.grid_sheet import draw_grid
from report_kit.writers.safe_cells import safe_value
from report_kit.writers.sheet_print import (
    break_pages,
    row_height,
    setup_print,
    text_height,
    wants_landscape,
)
from report_kit.writers.xlsx_rows import SheetRows, splice
from report_kit.writers.xlsx_styles import BORDER, CENTER, GREEN_FILL, HEADER_FILL, ORANGE_FILL, RED_FILL

HEADER_FONT = Font(bold=True)
LIST_SIZE = 9  # points of the list sheets' rows: a findings list of a county fits a few pages
LIST_FONT = Font(size=LIST_SIZE)
STATUS_FILLS = {STATUS_PASSED: GREEN_FILL, STATUS_ERRORS: ORANGE_FILL, STATUS_UNREADABLE: RED_FILL}
WRAP = Alignment(wrap_text=True, vertical="center")
TOP_WRAP = Alignment(wrap_text=True, vertical="top")
ONE_LINE = Alignment(vertical="top", shrink_to_fit=True)  # a rule id is never broken mid-word
ONE_LINE_KEYS = {"rule"}
TOP = Alignment(vertical="top")
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
FINDING_COLUMNS = [  # the printed columns add up to ~165 units: A4 landscape at ~90 %, 9-point rows
    ("单位名称", "unit", 11),
    ("规则", "rule", 16),
    ("级别", "severity_label", 5),
    ("位置", "place", 14),
    ("项目名称", "label", 22),
    ("问题", "message", 44),
    ("修改建议", "suggestion", 30),
    ("最可能出错", "repair", 20),
    # for filters and scripts, right of the print area: a meeting's print needs neither
    ("文件", "file", 28),
    ("数据项", "pointer", 30),
]
UNPRINTED = 2  # the last columns of FINDING_COLUMNS
ROSTER_COLUMNS = [
    ("单位名称", "unit", 30),
    ("统一社会信用代码", "code", 20),
    ("单位类型", "kind", 10),
    ("核对结果", "state", 12),
    ("提交文件", "files", 40),
]


def _styled(ws, value: Any, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=safe_value(value))
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _header(ws, columns: list[tuple[str, str, int]]) -> None:
    for col, (_, _, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = row_height((title, width) for title, _, width in columns)
    ws.append(
        [
            _styled(ws, title, font=HEADER_FONT, fill=HEADER_FILL, border=BORDER, alignment=CENTER)
            for title, _, _ in columns
        ]
    )


DISPLAYED_KEYS = frozenset({"late", "change_flag", "source_kind", "files", "kind"})  # what _display changes


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


def _rows(
    ws,
    columns,
    rows: list[dict],
    status_key: str | None = None,
    group_key: str | None = None,
    unprinted: int = 0,
) -> SheetRows:
    """A header and one line per row; write-only, so 10,000 files cost seconds, not minutes.

    Prints one page wide with the header on every page; text wraps and each row gets the
    height its longest text needs; with ``group_key`` (the file), a page never starts inside
    one file's rows when they fit on a page.
    """
    printed = columns[: len(columns) - unprinted]
    total = sum(width for _, _, width in printed)
    landscape = wants_landscape(total)
    setup_print(ws, landscape=landscape, header_rows=(1, 1))
    if len(printed) < len(columns):
        ws.print_area = f"A1:{get_column_letter(len(printed))}{len(rows) + 1}"
    _header(ws, columns)
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    heights: dict[int, float] = {1: ws.row_dimensions[1].height}
    groups: list[tuple[int, int]] = []
    plan: list[list[Any]] = []
    keys = [key for _, key, _ in columns]
    for number, row in enumerate(rows, start=2):
        values = [
            safe_value(value)
            if type(value := row.get(key)) is str and key not in DISPLAYED_KEYS  # most cells: plain text
            else ""
            if key == "late" and not row.get("published_on")
            else safe_value(_display(key, value))
            for key in keys
        ]
        if "unit" in keys and "file" in row:
            values[keys.index("unit")] = safe_value(unit_or_guess(row))
        shown = [
            (value, width) for value, (_, key, width) in zip(values, printed) if key not in ONE_LINE_KEYS
        ]
        heights[number] = row_height(shown, LIST_SIZE)
        if group_key is not None:
            if groups and rows[number - 3].get(group_key) == row.get(group_key):
                groups[-1] = (groups[-1][0], number)
            else:
                groups.append((number, number))
        plan.append(values)
    break_pages(ws, heights, total_width=total, landscape=landscape, groups=groups, repeated=(1, 1))
    # the rows are written as XML text at save time (writers/xlsx_rows.py): made into openpyxl
    # cells, 100,000 of them cost most of a 10,000-file batch's output time
    lines = SheetRows(ws, first_row=2)
    styles = [
        lines.style_id(
            _styled(ws, None, alignment=ONE_LINE if key in ONE_LINE_KEYS else TOP_WRAP, font=LIST_FONT)._style
        )
        for _, key, _ in columns
    ]
    status_styles = {
        status: lines.style_id(_styled(ws, None, fill=fill, alignment=TOP_WRAP, font=LIST_FONT)._style)
        for status, fill in STATUS_FILLS.items()
    }
    at = next((i for i, (_, key, _) in enumerate(columns) if key == status_key), None)
    for number, (row, values) in enumerate(zip(rows, plan), start=2):
        cell_styles = styles
        if at is not None and row.get(status_key) in status_styles:
            cell_styles = [*styles]
            cell_styles[at] = status_styles[row[status_key]]
        lines.append(values, cell_styles, heights[number])
    return lines


class _Canvas:
    """Cells placed anywhere, then streamed row by row into a write-only sheet."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.cells: dict[tuple[int, int], WriteOnlyCell | Any] = {}

    def put(self, row: int, col: int, value: Any, **style) -> None:
        self.cells[(row, col)] = _styled(self.ws, value, **style) if style else safe_value(value)

    def merge(self, row: int, col: int, rowspan: int, colspan: int) -> None:
        if rowspan > 1 or colspan > 1:
            self.ws.merged_cells.add(
                CellRange(min_col=col, min_row=row, max_col=col + colspan - 1, max_row=row + rowspan - 1)
            )

    def flush(self) -> None:
        if not self.cells:
            return
        height = max(r for r, _ in self.cells)
        width = max(c for _, c in self.cells)
        for r in range(1, height + 1):
            self.ws.append([self.cells.get((r, c)) for c in range(1, width + 1)])


CELL_LIMIT = 32767  # characters Excel holds in one cell
COLUMN_WIDTH = 9  # of every column of the 汇总数据 tables: 表四's fifteen fit A4 portrait at ~75 %
CHART_COLUMNS = 8  # columns a chart covers (≈ 13 cm); its table starts right of it
CHART_LABEL_SPAN = 4  # columns a chart table's label spans (36 units)
CHART_CM = 12.5
EXTRA_SPAN = 2  # columns of a chart table's extra column (the rule id)
CM = 28.35  # points per centimetre


def _aggregate_sheet(wb: Workbook, result: BatchResult) -> None:
    """The region's 表二/表三/表四 as printed, then the charts in rows of their own below them
    (a chart beside 表三 would stretch its rows), each chart with the small table it plots.
    Prints portrait, one page wide, with pages broken between tables and between charts."""
    ws = wb.create_sheet("汇总数据")
    canvas = _Canvas(ws)
    year = f"{result.year}年度" if result.year is not None else ""
    title = f"本行政区域{year}汇总数据（{result.aggregate_count}份审核通过的报告合计）"
    canvas.put(1, 1, title, font=Font(bold=True, size=14))
    flat = flatten(result.aggregate)
    heights: dict[int, float] = {1: 24.0}
    keep: list[tuple[int, int]] = []
    grids = all_grids()
    width = max(grid.width for grid in grids)
    row = 3
    for grid in grids:
        starts = _column_starts(grid, width)
        canvas.put(row, 1, grid.title, font=Font(bold=True, size=12))
        heights[row] = 20.0
        top = row + 1

        def data(cell: GridCell, r: int, c: int) -> None:
            canvas.put(r, c, flat.get(cell.pointer), border=BORDER, alignment=CENTER)

        widths = [COLUMN_WIDTH * (starts[i + 1] - starts[i]) for i in range(grid.width)]
        drawn = draw_grid(canvas, grid, top, starts, widths, data, spread_heights=True, row_height=ROW)
        for r, height in drawn.heights.items():
            heights[r] = max(heights.get(r, ROW), height)
        keep += drawn.groups
        bottom = top + grid.height - 1
        keep += [(row, bottom), (row, top + grid.header_rows), (bottom - 1, bottom)]
        row = bottom + 2
    for col in range(1, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = COLUMN_WIDTH
    _charts(ws, canvas, result, flat, row, heights, keep)
    for r, height in heights.items():
        ws.row_dimensions[r].height = height
    setup_print(ws)
    break_pages(ws, heights, total_width=COLUMN_WIDTH * width, landscape=False, keep_together=keep)
    canvas.flush()


def _column_starts(grid, width: int) -> list[int]:
    """Sheet column (1-based) where each grid column starts, and where the table ends.

    The tables share the sheet's columns, and the widest (表四) sets them; a narrower table is
    spread over the same width so that all three line up: up to three more columns go to its
    label columns, the last label column first (表三's 「1.申请人无正当理由…」 needs them most),
    the rest evenly to its number columns (表二's 本年制发件数 …).
    """
    labels = min(c.col for c in grid.data_cells())
    spans = [1] * grid.width
    extra = width - grid.width
    for index, share in zip(range(labels - 1, -1, -1), (2, 1)):
        spans[index] += min(share, extra)
        extra -= min(share, extra)
    data = list(range(labels, grid.width))
    for index in range(extra):
        spans[data[index % len(data)]] += 1
    starts = [1]
    for span in spans:
        starts.append(starts[-1] + span)
    return starts


ROW = 15.0  # points: the default row height


def _axis_font(axis, size: int) -> None:
    """Category labels at ``size`` points, so that every bar keeps its label."""
    properties = CharacterProperties(sz=size * 100)
    axis.txPr = RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=properties), endParaRPr=properties)])


def _bar_chart(
    ws,
    canvas: _Canvas,
    top: int,
    headers: tuple[str, ...],
    rows: list[tuple],
    title: str,
    size_cm: tuple[float, float],
    heights: dict[int, float],
) -> int:
    """A native bar chart at column A of row ``top``, in rows of its own, and right of it the
    table it plots (label, value, any extra columns); returns the first row below both."""
    first = CHART_COLUMNS + 1
    value_col = first + CHART_LABEL_SPAN
    canvas.put(top, first, headers[0], font=HEADER_FONT, fill=HEADER_FILL, border=BORDER, alignment=CENTER)
    ws.merged_cells.add(CellRange(min_col=first, min_row=top, max_col=value_col - 1, max_row=top))
    for offset, text in enumerate(headers[1:]):
        at = value_col + (1 + (offset - 1) * EXTRA_SPAN if offset else 0)
        canvas.put(top, at, text, font=HEADER_FONT, fill=HEADER_FILL, border=BORDER, alignment=CENTER)
        if offset:
            canvas.put(top, at + 1, None, border=BORDER, fill=HEADER_FILL)
            ws.merged_cells.add(CellRange(min_col=at, min_row=top, max_col=at + EXTRA_SPAN - 1, max_row=top))
    heights[top] = ROW
    for r, (label, value, *extra) in enumerate(rows, start=top + 1):
        canvas.put(r, first, label, alignment=WRAP, border=BORDER)
        for c in range(first + 1, value_col):
            canvas.put(r, c, None, border=BORDER)
        ws.merged_cells.add(CellRange(min_col=first, min_row=r, max_col=value_col - 1, max_row=r))
        canvas.put(r, value_col, value, border=BORDER, alignment=TOP)
        for offset, item in enumerate(extra):
            at = value_col + 1 + offset * EXTRA_SPAN
            canvas.put(r, at, item, border=BORDER, alignment=ONE_LINE)
            canvas.put(r, at + 1, None, border=BORDER)
            ws.merged_cells.add(CellRange(min_col=at, min_row=r, max_col=at + EXTRA_SPAN - 1, max_row=r))
        heights[r] = text_height(str(label), COLUMN_WIDTH * CHART_LABEL_SPAN)
    end = top + len(rows)
    chart_rows = math.ceil(size_cm[1] * CM / ROW) + 1 if rows else 0
    for r in range(end + 1, top + chart_rows):
        heights[r] = ROW
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
        chart.x_axis.tickLblSkip = 1  # every bar labelled, however many
        _axis_font(chart.x_axis, 8)
        chart.dataLabels = DataLabelList(
            showVal=True, showCatName=False, showSerName=False, showLegendKey=False
        )
        chart.width, chart.height = size_cm
        chart.add_data(Reference(ws, min_col=value_col, min_row=top, max_row=end), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=first, min_row=top + 1, max_row=end))
        ws.add_chart(chart, f"A{top}")
    # the chart's height in rows, where the table beside it is shorter
    bottom = top
    reach = 0.0
    while reach < size_cm[1] * CM and rows or bottom <= end:
        reach += heights.setdefault(bottom, ROW)
        bottom += 1
    return bottom + 1


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


def rule_rows(result: BatchResult) -> list[tuple[str, int, str]]:
    """The most frequent rules as (title, count, rule id): bars are labelled by what the rule
    checks, the id stays in the table for looking it up in 问题清单."""
    rules = load_catalogue().rules
    return [
        (rules[rule].title if rule in rules else rule, count, rule)
        for rule, count in result.rule_counts()[:TOP_RULES]
    ]


def _charts(
    ws,
    canvas: _Canvas,
    result: BatchResult,
    flat: dict[str, Any],
    row: int,
    heights: dict[int, float],
    keep: list[tuple[int, int]],
) -> None:
    """Native bar charts below the tables: the review's outcomes, the rules broken most often,
    and the region's 表三 outcomes; each chart and its table stay on one page."""
    top_rules = rule_rows(result)
    charts = [
        (("审核结果", "份数"), status_counts(result), "本批次审核结果", (CHART_CM, 5)),
        (
            ("规则名称", "问题数", "规则"),
            top_rules,
            f"问题最多的规则（前{TOP_RULES}项）",
            (CHART_CM, max(5.0, 1.5 + 0.9 * len(top_rules))),
        ),
        (("办理结果", "件数"), outcome_totals(flat), "本行政区域申请办理结果（表三）", (CHART_CM, 6.5)),
    ]
    for headers, rows, title, size in charts:
        end = _bar_chart(ws, canvas, row, headers, rows, title, size, heights)
        keep.append((row, end - 1))
        row = end


def outcome_totals(flat: dict[str, Any]) -> list[tuple[str, int]]:
    """表三's outcomes （一）…（六） with their 总计 column, sub-rows folded into their group."""
    layout = load_layout()
    table = layout.drawn_as("applicants")
    groups = table.raw["groups"]
    outcome_paths = set(layout.collections["T3.rows.outcome"])
    total_column = next(c for c in table.columns if c.key == "total")
    sums: dict[str, int] = {}
    for row in table.rows:
        if row.path not in outcome_paths:
            continue
        chain = table.group_chain(row.group)  # folded into the group right under 三、本年度办理结果
        label = groups[chain[1]]["label"] if len(chain) > 1 else row.label
        sums[label] = sums.get(label, 0) + (flat.get(table.cell_pointer(row, total_column)) or 0)
    return list(sums.items())


def build_review_workbook(result: BatchResult) -> tuple[Workbook, list[SheetRows]]:
    """The workbook, and the list rows that ``stable_bytes`` writes into it as it saves."""
    wb = Workbook(write_only=True)
    summary_columns = SUMMARY_COLUMNS + (YEAR_OVER_YEAR_COLUMNS if has_year_over_year(result) else [])
    lists = [
        _rows(wb.create_sheet("汇总"), summary_columns, summary_rows(result), status_key="status"),
        _rows(
            wb.create_sheet("问题清单"),
            FINDING_COLUMNS,
            finding_rows(result),
            group_key="file",
            unprinted=UNPRINTED,
        ),
    ]
    roster = wb.create_sheet("名单核对")
    if result.roster is None:
        setup_print(roster)
        roster.append(["未提供报送名单（--roster），未进行名单核对。"])
    else:
        lists.append(_rows(roster, ROSTER_COLUMNS, result.roster, status_key=None))
    if result.plan is not None:
        _plan_sheet(wb.create_sheet("工作要点落实"), result.plan)
    _aggregate_sheet(wb, result)
    stamp = dt.datetime.fromisoformat(result.generated_on)
    wb.properties.created = stamp
    wb.properties.creator = "report_kit"
    return wb, lists


PLAN_FILLS = {"已说明": GREEN_FILL, "未说明": ORANGE_FILL, "未报送": RED_FILL}


def _plan_sheet(ws, plan: dict) -> None:
    """batch --plan: tasks down, units across, each cell 已说明 / 未说明 / 未报送 (blank: not the
    unit's task). Printed A4 landscape, one page wide, the unit row repeated."""
    setup_print(ws, landscape=True, header_rows=(1, 1))
    ws.freeze_panes = "C2"
    widths = [8, 40] + [6] * len(plan["units"])
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    vertical = Alignment(text_rotation=255, horizontal="center", vertical="center", wrap_text=True)
    header = [_styled(ws, "序号", font=Font(bold=True)), _styled(ws, "任务", font=Font(bold=True))]
    header += [_styled(ws, unit["name"], alignment=vertical, border=BORDER) for unit in plan["units"]]
    ws.append(header)
    for row in plan["tasks"]:
        cells = [_styled(ws, row["number"] or row["id"]), _styled(ws, row["task"])]
        for status in row["statuses"]:
            style = {"alignment": CENTER, "border": BORDER}
            if status in PLAN_FILLS:
                style["fill"] = PLAN_FILLS[status]
            cells.append(_styled(ws, status, **style))
        ws.append(cells)


_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def stable_bytes(wb: Workbook, generated_on: str, rows: list[SheetRows] = ()) -> bytes:
    """The workbook's bytes with every timestamp fixed to the generation date, and ``rows``
    written into their sheets (``writers/xlsx_rows.py``)."""
    from report_kit.writers.safe_cells import sanitise_workbook

    sanitise_workbook(wb)
    raw = io.BytesIO()
    wb.save(raw)
    stamp = f"{generated_on}T00:00:00Z".encode()
    spliced = {lines.worksheet.path.lstrip("/"): lines for lines in rows if len(lines)}
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
            if info.filename in spliced:
                splice(data, spliced[info.filename], dst, fixed)
            else:
                dst.writestr(fixed, data)
    return out.getvalue()


def write_review_workbook(result: BatchResult, target: Path) -> None:
    wb, lists = build_review_workbook(result)
    target.write_bytes(stable_bytes(wb, result.generated_on, lists))
