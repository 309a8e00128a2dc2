"""The fill-in workbook: the national tables as units know them, with only the input cells open.

Everything placed here comes from data: positions from :mod:`report_kit.workbook_map`,
table drawings from :mod:`report_kit.grid`, labels and enumerations from the layout,
identity hints and deadlines from the rule catalogue. The same function writes an empty
template and a filled one (``submission=``), which is what the round-trip property test
relies on: whatever a submission holds, the reader must get back from this workbook.

Sheets are protected without a password — the goal is to stop accidental row insertion,
not to keep anyone out — and the workbook carries its template version twice (a
veryHidden sheet and custom document properties), because either may be lost by some
office suite and the reader must still find the cell map.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from report_kit.atomic import atomic_path
from report_kit.catalogue import load_catalogue, render
from report_kit.grid import GridCell
from report_kit.layout import Layout, load_layout
from report_kit.rules.context import MISSING
from report_kit.settings import YEAR_RANGE
from report_kit.workbook_map import (
    GRID_LEFT,
    GRID_TOP,
    GUIDE_SHEET,
    META_SHEET,
    META_TITLE_SHEET,
    PROPERTY_FORMAT,
    PROPERTY_VERSION,
    TEMPLATE_VERSION,
    TEXT_SHEET,
    Slot,
    WorkbookMap,
    column_letter,
    workbook_map,
)
from report_kit.writers.grid_sheet import SheetSink, draw_grid
from report_kit.writers.safe_cells import sanitise_workbook
from report_kit.writers.sheet_print import PORTRAIT_UNITS, break_pages, setup_print, text_height
from report_kit.writers.template_prefill import PREVIOUS_NOTE, template_revision, template_values
from report_kit.writers.xlsx_styles import (
    BOLD,
    BORDER,
    CENTER,
    HEADER_FILL,
    HINT_FONT,
    INPUT_FILL,
    LABEL_FILL,
    LEFT,
    NORMAL,
    PREFILLED_FILL,
    TITLE_FONT,
    TOP_LEFT,
    UNLOCKED,
    merge,
    put_text,
    style_range,
)
from report_kit.years import is_year

AUTHOR = "report_kit"

DATA_COLUMN_WIDTH = 10
ROW_HEIGHT = 20
GUIDE_WIDTH = PORTRAIT_UNITS  # wrapped text only: must fit A4 at 100 % (sheet_print)
TEXT_ROW_HEIGHT = 150
TEXT_WIDTHS = {"A": 14, "B": PORTRAIT_UNITS - 22, "C": 8}  # A4 portrait at 100 %: 11-point print

META_HINTS = {
    "/unit/name": "填写与公章一致的单位全称。",
    "/unit/region": "可不填。例如：某某省某某市某某县。",
    "/unit/code": "可不填。18位统一社会信用代码。",
    "/year": "统计年度，四位数字（如2024），不是发布年份。",
    "/published_on": "年度报告公布的日期，格式如2025-01-20；尚未公布的可以不填。",
}


# ---------------------------------------------------------------- helpers


def _title(ws: Worksheet, text: str, width: int, hint: str | None = None) -> None:
    put_text(ws, 1, 1, text).font = TITLE_FONT
    ws.cell(1, 1).alignment = CENTER
    merge(ws, 1, 1, 1, width)
    ws.row_dimensions[1].height = 28
    if hint:
        put_text(ws, 2, 1, hint).font = HINT_FONT
        ws.cell(2, 1).alignment = LEFT
        merge(ws, 2, 1, 1, width)
        ws.row_dimensions[2].height = 32


def _protect(ws: Worksheet) -> None:
    """Protection without a password: stops accidents (inserted rows), not people."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widening a column or a row is harmless
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _count_validation() -> DataValidation:
    return DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="请填写整数",
        error="件数应为大于或等于0的整数，不要带单位或文字；没有发生的填0。",
    )


def _amount_validation() -> DataValidation:
    return DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="请填写数字",
        error="金额应为大于或等于0的数字，不要带单位或文字；没有发生的填0。",
    )


def _number_validations(ws: Worksheet, slots: list[Slot]) -> None:
    counts, amounts = _count_validation(), _amount_validation()
    for slot in slots:
        if slot.kind == "count":
            counts.add(slot.address)
        elif slot.kind == "amount":
            amounts.add(slot.address)
    for validation in (counts, amounts):
        if validation.sqref:
            ws.add_data_validation(validation)


def _comment(ws: Worksheet, slot: Slot, notes: list[str]) -> None:
    text = "\n".join(notes)
    ws.cell(slot.row, slot.col).comment = Comment(text, AUTHOR, height=70, width=240)


def _number_value(value: Any) -> Any:
    if value is MISSING or value is None:
        return None
    if isinstance(value, (bool, int, float)):
        return value
    return str(value)


# ---------------------------------------------------------------- data-derived hints


def identity_titles(layout: Layout, table_id: str) -> list[str]:
    """Titles of the table's unconditional arithmetic rules, printed under the table."""
    return [
        rule.title
        for rule in load_catalogue(layout.format).of_kind("linear")
        if rule.table == table_id and "when" not in rule.raw
    ]


def deadline_lines(layout: Layout) -> list[str]:
    """The statutory deadlines of ``D.late``, one line each (wording: the rule's variants)."""
    rule = load_catalogue(layout.format)["D.late"]
    kinds = layout.enums["kind"]
    lines = []
    for entry in rule.raw["deadlines"]:
        if entry.get("none"):
            who = "、".join(kinds.get(k, k) for k in entry.get("kind", ()))
            lines.append(rule.variant("none", {"kinds": who}))
        else:
            lines.append(rule.variant("by", entry))
    return lines


# ---------------------------------------------------------------- sheets


GUIDE_STYLES = {"title": TITLE_FONT, "hint": HINT_FONT, "heading": BOLD}


def guide_paragraphs(wmap: WorkbookMap, layout: Layout, values: dict) -> list[tuple[str, Font]]:
    """The 填报说明 sheet's paragraphs: the layout's ``template_guide`` with its placeholders
    filled from the layout, the catalogue and the workbook map, and the deadlines of
    ``D.late`` where the guide says ``{"insert": "deadlines"}``."""
    unit = values.get("/unit/name") or ""
    year = values.get("/year")
    fill = {
        **{table_id: table.name for table_id, table in layout.tables.items()},  # {T2}: 表二
        "report_title": layout.raw["report_title"].format(unit=unit, year=year if year else "____"),
        "format_title": layout.raw["title"],
        "notice": layout.raw["notice"],
        "template_version": TEMPLATE_VERSION,
        "meta_sheet": META_TITLE_SHEET,
        "meta_labels": "、".join(
            slot.label
            for slot in wmap.slots_of(META_TITLE_SHEET)
            if slot.kind != "enum" or slot.enum != "format"
        ),
        "table_sheets": "”“".join(wmap.grids),
        "text_sheet": TEXT_SHEET,
        "text_sections": "、".join(
            section_title(s) + (f"（{'、'.join(i['label'] for i in s['items'])}）" if s.get("items") else "")
            for s in layout.sections
            if "pointer" in s
        ),
        "fees": layout.tables["fees"].title,
        "balance": load_catalogue(layout.format)["T3.balance"].title,
        "balance_note": layout.drawn_as("applicants").raw["note"].strip("（）"),
    }
    paragraphs: list[tuple[str, Font]] = []
    for entry in layout.raw["template_guide"]:
        if entry.get("insert") == "deadlines":
            paragraphs += [(line, NORMAL) for line in deadline_lines(layout)]
            paragraphs += [(line, BOLD) for line in _own_deadline(layout, values)]
        else:
            paragraphs.append((render(entry["text"], fill), GUIDE_STYLES.get(entry.get("style"), NORMAL)))
    return paragraphs


def _guide(wb: Workbook, wmap: WorkbookMap, layout: Layout, values: dict) -> None:
    ws = wb.active
    ws.title = GUIDE_SHEET
    ws.column_dimensions["A"].width = GUIDE_WIDTH
    for row, (text, font) in enumerate(guide_paragraphs(wmap, layout, values), start=1):
        cell = put_text(ws, row, 1, text)
        cell.font = font
        cell.alignment = LEFT
        ws.row_dimensions[row].height = text_height(text, GUIDE_WIDTH, font.size)
    setup_print(ws, centred=False)
    _protect(ws)


def _own_deadline(layout: Layout, values: dict) -> list[str]:
    """The unit's own deadline, when the template knows its kind, scope and year."""
    from report_kit.rules.document import deadline_for

    kind, scope, year = values.get("/unit/kind"), values.get("/scope"), values.get("/year")
    if not (isinstance(kind, str) and isinstance(scope, str) and is_year(year)):
        return []
    rule = load_catalogue(layout.format)["D.late"]
    deadline, entry = deadline_for(rule, scope, kind, year)
    if deadline is None:
        return [rule.variant("own_none", {"year": year})]
    dates = {"deadline_year": deadline.year, "deadline_month": deadline.month, "deadline_day": deadline.day}
    return [rule.variant("own", {"year": year, **dates})]


def section_title(section: dict) -> str:
    return f"“{section['number']}、{section['title']}”"


def _meta(wb: Workbook, wmap: WorkbookMap, layout: Layout, values: dict) -> None:
    ws = wb.create_sheet(META_TITLE_SHEET)
    widths = {"A": 20, "B": 46, "C": 60}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    _title(ws, META_TITLE_SHEET, 3)
    for col, text in enumerate(("项目", "填写内容", "说明"), start=1):
        cell = put_text(ws, 2, col, text)
        cell.font, cell.fill, cell.border, cell.alignment = BOLD, HEADER_FILL, BORDER, CENTER
    enums = layout.enums
    for slot in wmap.slots_of(META_TITLE_SHEET):
        label = ws.cell(slot.row, 1)
        put_text(ws, slot.row, 1, slot.label)
        label.font, label.fill, label.border, label.alignment = NORMAL, LABEL_FILL, BORDER, LEFT
        cell = ws.cell(slot.row, slot.col)
        cell.border, cell.alignment, cell.font = BORDER, LEFT, NORMAL
        value = values.get(slot.pointer)
        if slot.kind == "enum" and slot.enum == "format":
            cell.number_format = "@"
            put_text(ws, slot.row, slot.col, str(value or layout.format))
            cell.fill = LABEL_FILL
            hint = f"固定为{enums['format'][layout.format]}，请勿修改。"
        elif slot.kind == "enum":
            choices = enums[slot.enum]
            if value is not None:
                put_text(ws, slot.row, slot.col, choices.get(value, str(value)))
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(choices.values()) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="请从列表中选择",
                error="请从下拉列表中选择：" + "、".join(choices.values()),
            )
            validation.add(slot.address)
            ws.add_data_validation(validation)
            cell.protection, cell.fill = UNLOCKED, INPUT_FILL
            hint = "从下拉列表选择：" + "、".join(choices.values()) + "。"
        elif slot.kind == "year":
            if value is not None:
                cell.value = value if isinstance(value, int) else str(value)
            validation = DataValidation(
                type="whole",
                operator="between",
                formula1=str(YEAR_RANGE[0]),
                formula2=str(YEAR_RANGE[1]),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="请填写年份",
                error="报告年度应为四位数字的年份，如2024。",
            )
            validation.add(slot.address)
            ws.add_data_validation(validation)
            cell.protection, cell.fill = UNLOCKED, INPUT_FILL
            cell.alignment = Alignment(horizontal="left", vertical="center")
            hint = META_HINTS.get(slot.pointer, "")
        elif slot.kind == "date":
            cell.number_format = "yyyy-mm-dd"
            if isinstance(value, str):
                try:
                    cell.value = dt.date.fromisoformat(value)
                except ValueError:
                    put_text(ws, slot.row, slot.col, value)
            elif value is not None:
                cell.value = value
            cell.protection, cell.fill = UNLOCKED, INPUT_FILL
            cell.alignment = Alignment(horizontal="left", vertical="center")
            hint = META_HINTS.get(slot.pointer, "")
        else:
            cell.number_format = "@"  # a credit code typed as digits must not become a number
            if value is not None:
                put_text(ws, slot.row, slot.col, str(value))
            cell.protection, cell.fill = UNLOCKED, INPUT_FILL
            hint = META_HINTS.get(slot.pointer, "")
        note = put_text(ws, slot.row, 3, hint)
        note.font, note.alignment = HINT_FONT, LEFT
        ws.row_dimensions[slot.row].height = 22
    setup_print(ws, landscape=True)
    _protect(ws)


def _table(
    wb: Workbook,
    wmap: WorkbookMap,
    layout: Layout,
    sheet: str,
    values: dict,
    notes: dict[str, list[str]],
) -> None:
    grid = wmap.grids[sheet]
    table_id = grid.table
    ws = wb.create_sheet(sheet)
    label_columns = min(c.col for c in grid.data_cells())
    widths = _column_widths(grid, label_columns, layout.tables[grid.table].raw["drawing"])
    for index, width in enumerate(widths):
        ws.column_dimensions[column_letter(GRID_LEFT + index)].width = width
    hint = "只在白色单元格中填写阿拉伯数字，没有发生的填0，不要插入或删除行列。"
    if any(slot.pointer in notes for slot in wmap.slots_of(sheet)):
        hint += "带红色小三角的单元格有批注：总计应等于哪些项之和，或数字从何而来。"
    if any(PREVIOUS_NOTE in notes.get(slot.pointer, ()) for slot in wmap.slots_of(sheet)):
        hint += "浅绿色单元格已按上年报告预填，请核对。"
    _title(ws, grid.title, grid.width, hint)
    slots = {slot.pointer: slot for slot in wmap.slots_of(sheet)}

    def data(cell: GridCell, row: int, col: int) -> None:
        target = ws.cell(row, col)
        target.protection, target.fill, target.alignment, target.font = UNLOCKED, INPUT_FILL, CENTER, NORMAL
        value = _number_value(values.get(cell.pointer, MISSING))
        if isinstance(value, str):
            put_text(ws, row, col, value)
        elif value is not None:
            target.value = value
        if cell.pointer in notes:
            _comment(ws, slots[cell.pointer], notes[cell.pointer])
            if PREVIOUS_NOTE in notes[cell.pointer]:
                target.fill = PREFILLED_FILL

    starts = [GRID_LEFT + index for index in range(grid.width + 1)]
    drawn = draw_grid(SheetSink(ws), grid, GRID_TOP, starts, widths, data, row_height=ROW_HEIGHT)
    heights: dict[int, float] = {1: ws.row_dimensions[1].height, 2: ws.row_dimensions[2].height}
    heights.update(drawn.heights)
    groups = drawn.groups  # rows of a labelled group (（三）不予公开 …): one page
    for row in range(GRID_TOP, GRID_TOP + grid.height):
        ws.row_dimensions[row].height = heights[row]
    _number_validations(ws, list(slots.values()))
    bottom = GRID_TOP + grid.height + 1
    titles = identity_titles(layout, table_id)
    if titles:
        put_text(ws, bottom, 1, "report-kit check 会逐项核对：").font = HINT_FONT
        for offset, text in enumerate(titles, start=1):
            put_text(ws, bottom + offset, 1, f"· {text}").font = HINT_FONT
        groups.append((bottom, bottom + len(titles)))
    last_row = GRID_TOP + grid.height - 1
    groups.append((last_row - 1, last_row))  # the last row never alone on a page
    header = (GRID_TOP, GRID_TOP + grid.header_rows - 1) if grid.header_rows else None
    if header:
        ws.freeze_panes = ws.cell(GRID_TOP + grid.header_rows, GRID_LEFT + label_columns)
    setup_print(ws, landscape=True, header_rows=header)
    break_pages(
        ws,
        heights,
        total_width=sum(widths),
        landscape=True,
        last=bottom + len(titles),
        keep_together=groups,
        repeated=header,
    )
    _protect(ws)


def _column_widths(grid, label_columns: int, drawing: str) -> list[float]:
    if drawing == "applicants":
        labels = [5.0, 9.0, 40.0][-label_columns:] if label_columns <= 3 else [12.0] * label_columns
        return labels + [DATA_COLUMN_WIDTH] * (grid.width - label_columns)
    if drawing == "blocks":
        return [24.0] + [16.0] * (grid.width - 1)
    return [DATA_COLUMN_WIDTH] * grid.width


def _text(wb: Workbook, wmap: WorkbookMap, layout: Layout, values: dict) -> None:
    ws = wb.create_sheet(TEXT_SHEET)
    for letter, width in TEXT_WIDTHS.items():
        ws.column_dimensions[letter].width = width
    _title(
        ws,
        TEXT_SHEET,
        3,
        "每项内容写在右侧的白色大单元格中，可以分多段（单元格内换行：Alt+Enter）；文中提到的数字必须与表格一致。",
    )
    slot_rows = {slot.row: slot for slot in wmap.slots_of(TEXT_SHEET)}
    fee_columns = {f"{layout.tables['fees'].pointer}/{c.key}": c for c in layout.tables["fees"].columns}
    for fixed in wmap.fixed_of(TEXT_SHEET):
        label = put_text(ws, fixed.row, fixed.col, fixed.text)
        label.border, label.alignment = BORDER, LEFT
        slot = slot_rows.get(fixed.row)
        if slot is None:  # a section heading
            label.font, label.fill = BOLD, HEADER_FILL
            style_range(ws, fixed.row, 1, 1, 3, border=BORDER, fill=HEADER_FILL)
            merge(ws, fixed.row, 1, 1, 3)
            ws.row_dimensions[fixed.row].height = 22
            continue
        label.font, label.fill = NORMAL, LABEL_FILL
        cell = ws.cell(slot.row, slot.col)
        cell.border, cell.protection, cell.fill, cell.font = BORDER, UNLOCKED, INPUT_FILL, NORMAL
        value = values.get(slot.pointer, MISSING)
        if slot.kind == "text":
            cell.alignment = TOP_LEFT
            if isinstance(value, str):
                put_text(ws, slot.row, slot.col, value)
            elif value is not MISSING and value is not None:
                put_text(ws, slot.row, slot.col, str(value))
            # the input cell spans to the section bars' right edge (the fee rows' unit column)
            style_range(ws, slot.row, slot.col, 1, 2, border=BORDER)
            merge(ws, slot.row, slot.col, 1, 2)
            text = value if isinstance(value, str) else ""
            fits = text_height(text, TEXT_WIDTHS["B"] + TEXT_WIDTHS["C"], NORMAL.size)
            label_fits = text_height(fixed.text, TEXT_WIDTHS["A"], NORMAL.size)
            ws.row_dimensions[slot.row].height = min(409, max(TEXT_ROW_HEIGHT, fits, label_fits))
        else:
            cell.alignment = Alignment(horizontal="left", vertical="center")
            number = _number_value(value)
            if isinstance(number, str):
                put_text(ws, slot.row, slot.col, number)
            elif number is not None:
                cell.value = number
            unit = put_text(ws, slot.row, 3, fee_columns[slot.pointer].unit or "")
            unit.border, unit.fill, unit.alignment = BORDER, LABEL_FILL, CENTER
            ws.row_dimensions[slot.row].height = 22
    _number_validations(ws, list(slot_rows.values()))
    setup_print(ws)
    _protect(ws)


def _metadata(wb: Workbook, wmap: WorkbookMap) -> None:
    ws = wb.create_sheet(META_SHEET)
    rows = [
        ("report_kit", "本工作表供 report_kit 识别模板版本和单元格位置，请勿修改或删除。"),
        ("template_version", wmap.version),
        ("format", wmap.format),
    ]
    for row, (key, value) in enumerate(rows, start=1):
        put_text(ws, row, 1, key)
        put_text(ws, row, 2, value)
    ws.sheet_state = "veryHidden"
    _protect(ws)
    wb.custom_doc_props.append(StringProperty(name=PROPERTY_VERSION, value=wmap.version))
    wb.custom_doc_props.append(StringProperty(name=PROPERTY_FORMAT, value=wmap.format))


# ---------------------------------------------------------------- entry points


def build_workbook(
    submission: dict | None = None, *, format_revision: str | None = None, **options: Any
) -> Workbook:
    """The workbook in ``format_revision`` (default: :func:`template_revision` of the options)."""
    format_revision = format_revision or template_revision(
        submission, year=options.get("year"), previous=options.get("previous")
    )
    wmap = workbook_map(TEMPLATE_VERSION, format_revision)
    layout = load_layout(format_revision)
    values, notes = template_values(submission, format_revision=format_revision, **options)
    wb = Workbook()
    _guide(wb, wmap, layout, values)
    _meta(wb, wmap, layout, values)
    for sheet in wmap.grids:
        _table(wb, wmap, layout, sheet, values, notes)
    _text(wb, wmap, layout, values)
    _metadata(wb, wmap)
    wb.security = WorkbookProtection(lockStructure=True)  # no renamed, deleted or added sheets
    wb.active = 0
    return wb


def write_workbook(
    path: str | os.PathLike,
    submission: dict | None = None,
    *,
    format_revision: str | None = None,
    **options: Any,
) -> None:
    """Write the fill-in workbook (empty, pre-filled from options/last year, or a full submission).

    Options: ``unit``, ``kind``, ``level``, ``year``, ``scope``, ``region``, ``code`` and
    ``previous`` (last year's canonical submission). The file appears atomically.
    """
    wb = build_workbook(submission, format_revision=format_revision, **options)
    sanitise_workbook(wb)
    with atomic_path(path) as temp:
        wb.save(temp)
