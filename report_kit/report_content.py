"""The compiled report as an ordered list of blocks — the one content both writers render.

The Word writer (:mod:`report_kit.writers.report_docx`) and the HTML writer
(:mod:`report_kit.writers.report_html`) never look at a submission: they walk the blocks
built here and only decide how each kind looks in their medium. So the printed report and
the web page cannot drift apart: same title, same preamble, same headings, the same table
cells with the same spans, the same signature.

Every label comes from the layout (``schemas/layout-<format>.json``) and every table drawing
from :mod:`report_kit.grid`; this module only adds the sentences a report always carries
(preamble, signature date) and turns submission values into display text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from report_kit.batch.names import RESERVED_CHARACTERS
from report_kit.findings import Finding
from report_kit.formats import revision_of
from report_kit.grid import Grid, rows_of, table_grid
from report_kit.layout import Layout, load_layout
from report_kit.rules.context import MISSING, resolve
from report_kit.settings import SEVERITY_LABELS
from report_kit.years import as_year

LAW = "《中华人民共和国政府信息公开条例》"  # fallback; the layout names the law (``law``)
DRAFT_MARK = "草稿 · 未通过校验"
ANNEX_HEADING = "附件：校验错误清单"
ANNEX_CAPTION = "校验错误清单"
ANNEX_COLUMNS = ("序号", "规则", "级别", "位置", "问题")
BLANK_DATE = "    年  月  日"
UNIT_PLACEHOLDER = "（单位名称）"
YEAR_PLACEHOLDER = "（年度）"

# How a --force draft flags table cells (one mechanism for every writer; each draws the marks
# its way, the legend under the annex heading says what they mean). A cell named by an error
# (its locations and the cells of its equation) is "involved"; the one cell a repair suggests
# changing is "suspect" and drawn stronger. A cell is never both: suspect wins.
MARK_INVOLVED = "involved"
MARK_SUSPECT = "suspect"
MARK_LEGEND = {
    MARK_INVOLVED: "正文表格中浅红底纹的单元格涉及上列错误",
    MARK_SUSPECT: "红底粗框的单元格是最可能填错、建议先核对的一格",
}
MARK_NAMES = {MARK_INVOLVED: "涉及校验错误", MARK_SUSPECT: "建议先核对此格"}  # short, per cell

# Width of the GB/T 9704 text block in mm; table column widths are planned against it and
# each writer scales them to its medium (twips of the template's page, percentages in HTML).
TEXT_WIDTH_MM = 156.0
VERTICAL_LABEL_MM = 10.5  # a multi-row label column narrower than this is set vertically

# Characters XML 1.0 forbids (and HTML treats as parse errors): dropped from all user text so
# that neither writer can be broken by a stray control character pasted from another program.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class TableCell:
    """One cell of a drawn table, with its final text; ``header`` cells head rows or columns."""

    row: int
    col: int
    text: str
    kind: str  # header | note | block | label | data | text
    rowspan: int = 1
    colspan: int = 1
    pointer: str | None = None
    align: str = "center"  # center | left
    mark: str = ""  # "" | MARK_INVOLVED | MARK_SUSPECT: how a --force draft flags the cell

    @property
    def header(self) -> bool:
        return self.kind in ("header", "note", "block", "label")


@dataclass(frozen=True)
class Table:
    id: str  # T2 | T3 | T4 | errors
    caption: str
    width: int
    height: int
    header_rows: int  # leading rows that repeat when the table breaks across pages
    cells: tuple[TableCell, ...]
    widths_mm: tuple[float, ...]  # planned column widths, summing to TEXT_WIDTH_MM
    min_width_em: float  # narrowest legible width on a screen (below it the table scrolls)

    @property
    def head_rows(self) -> int:
        """Rows that head the table: the rows repeated on a new page, or, for a table that has
        none (表二: every block brings its own column headers), the header rows above its
        first data row. The Word writer marks them ``w:tblHeader`` (Word and LibreOffice then
        never leave them alone at the foot of a page), the HTML writer puts them in <thead>."""
        if self.header_rows:
            return self.header_rows
        data_rows = [cell.row for cell in self.cells if not cell.header]
        return min(data_rows) if data_rows else 0

    def vertical(self, cell: TableCell) -> bool:
        """A multi-row group label in a column about one character wide (「三、本年度办理结果」
        beside 22 rows of 表三) is set as vertical text by both writers."""
        width = sum(self.widths_mm[cell.col : cell.col + cell.colspan])
        return cell.kind == "label" and cell.rowspan > 1 and width < VERTICAL_LABEL_MM

    def rows(self) -> list[list[TableCell]]:
        """Cells grouped by the row they start in, left to right."""
        return rows_of(self.cells, self.height)


@dataclass(frozen=True)
class Block:
    """One element of the report, in reading order.

    kinds: ``draft_mark``, ``title``, ``preamble``, ``heading`` (``level`` 1 for 「一、」, 2 for
    「（一）」), ``paragraph``, ``table``, ``signature``, ``annex_heading`` (starts a new page).
    """

    kind: str
    text: str = ""
    level: int = 0
    table: Table | None = None


@dataclass(frozen=True)
class ReportContent:
    title: str
    blocks: tuple[Block, ...]
    draft: bool = False
    unit: str = ""
    year: int | None = None
    format: str = ""  # the revision id; report_kit.formats.revision_of
    header_text: str = ""  # the running page header; the draft mark when the report is a draft

    def of_kind(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]

    def tables(self) -> list[Table]:
        return [b.table for b in self.blocks if b.table is not None]


# ------------------------------------------------------------------------------------------
# Text helpers


def clean(text: str) -> str:
    return _ILLEGAL.sub("", text)


def paragraphs(value: Any) -> list[str]:
    """A prose value split into paragraphs on newlines; indentation typed by hand is dropped
    (the styles indent every paragraph by two characters)."""
    if not isinstance(value, str):
        return []
    # split before cleaning: a line break pasted from Word (\x0b) or a page break (\x0c) is
    # a control character, but it separates paragraphs and must not glue two of them together
    lines = (clean(line).strip() for line in value.splitlines())
    return [line for line in lines if line]


def display_value(value: Any) -> str:
    """A table value as the unit entered it: 12 → 「12」, 12.35 → 「12.35」, never 1e+16.

    Wrong values that a ``--force`` draft still shows (「12件」) are kept as text; a
    missing value is an empty cell.
    """
    if value is MISSING or value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return clean(str(value)).strip()


def chinese_date(value: Any) -> str:
    """ISO date → 「2025年1月20日」 (Arabic digits, no leading zeros); otherwise a blank date
    line to be filled in by hand."""
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            return BLANK_DATE
    return f"{day.year}年{day.month}月{day.day}日"


def unit_name(submission: dict) -> str:
    unit = submission.get("unit")
    name = unit.get("name") if isinstance(unit, dict) else None
    return clean(name).strip() if isinstance(name, str) and name.strip() else ""


def report_year(submission: dict) -> int | None:
    year = submission.get("year")
    return as_year(year)


def report_title(submission: dict, layout: Layout | None = None) -> str:
    layout = layout or load_layout(revision_of(submission))
    year = report_year(submission)
    return layout.raw["report_title"].format(
        unit=unit_name(submission) or UNIT_PLACEHOLDER, year=year if year is not None else YEAR_PLACEHOLDER
    )


def preamble(submission: dict, layout: Layout) -> str:
    """The opening sentence, from the layout's ``preamble`` templates."""
    sentence = layout.raw["preamble"]
    year = report_year(submission)
    if year is not None:
        period = sentence["period"].format(year=year)
    else:
        period = sentence["period"].replace("{year}年", YEAR_PLACEHOLDER)
    return sentence["text"].format(
        law=layout.raw.get("law", LAW),
        title=layout.raw["title"],
        notice=layout.raw["notice"],
        period=period,
        publisher=unit_name(submission) or sentence["publisher"],
    )


# ------------------------------------------------------------------------------------------
# Tables


def plan_widths(grid: Grid) -> tuple[float, ...]:
    """Column widths (mm) for an official table in the 156 mm text block.

    Data columns are narrow and equal; the row-label column takes what is left. Group
    columns of 表三 are narrow as in the official drawing: 「三、本年度办理结果」 (over 22 rows)
    one character wide, so it stacks vertically, and 「（三）不予公开」 four characters wide.
    """
    data = grid.data_cells()
    first_data = min(c.col for c in data)
    n_data = grid.width - first_data
    if first_data == 0:
        return (TEXT_WIDTH_MM / grid.width,) * grid.width
    if first_data == 1:
        data_width = min(36.0, (TEXT_WIDTH_MM - 40.0) / n_data)
        return (TEXT_WIDTH_MM - data_width * n_data,) + (data_width,) * n_data
    group_widths = (8.0, 17.0, 17.0, 17.0)[: first_data - 1]
    data_width = 11.0
    label = TEXT_WIDTH_MM - sum(group_widths) - data_width * n_data
    return (*group_widths, label) + (data_width,) * n_data


# A count of up to four digits with its cell padding; a row label wrapped to at most ~3 lines.
DATA_MIN_EM = 3.0
LABEL_MIN_EM = 7.0


def legible_width_em(widths_mm: Sequence[float], label_columns: int) -> float:
    """The narrowest width (em, to half an em) at which a table drawn with ``widths_mm`` stays
    legible: every data column at least ``DATA_MIN_EM`` wide and the widest row-label column
    at least ``LABEL_MIN_EM``. Derived from the planned widths, so a table of any revision
    gets its width the way Word gets its column widths — the HTML page scrolls a table below
    it rather than squeezing its digits apart."""
    total = sum(widths_mm)
    need = DATA_MIN_EM * total / min(widths_mm[label_columns:])
    if label_columns:
        need = max(need, LABEL_MIN_EM * total / max(widths_mm[:label_columns]))
    return math.ceil(need * 2) / 2


def cell_marks(findings: Iterable[Finding], suspects: Iterable[str] = ()) -> dict[str, str]:
    """JSON pointer → mark for the table cells a draft flags: every cell an *error* names
    (locations and ``involved``; warnings do not block the report and flag nothing), and the
    ``suspects`` — the cells a repair would change — marked stronger."""
    marks: dict[str, str] = {}
    for finding in findings:
        if finding.severity != "error":
            continue
        for pointer in (*(loc.pointer for loc in finding.locations), *finding.involved):
            marks[pointer] = MARK_INVOLVED
    marks.update(dict.fromkeys(suspects, MARK_SUSPECT))
    return marks


def mark_legend(blocks: Iterable[Block]) -> str:
    """The sentence under the annex heading that explains the marks the tables show (an
    error about the prose or the unit flags no cell, and then needs no legend)."""
    shown = {cell.mark for block in blocks if block.table is not None for cell in block.table.cells}
    used = [MARK_LEGEND[m] for m in (MARK_INVOLVED, MARK_SUSPECT) if m in shown]
    return f"说明：{'；'.join(used)}。" if used else ""


def table_from_grid(grid: Grid, submission: dict, marks: dict[str, str] | None = None) -> Table:
    label_columns = min(c.col for c in grid.data_cells())
    widths = plan_widths(grid)
    cells = []
    for cell in grid.cells:
        if cell.kind == "data":
            text = display_value(resolve(submission, cell.pointer))
            align = "center"
            mark = (marks or {}).get(cell.pointer, "")
        else:
            mark = ""
            text = cell.text
            # Long row labels of a multi-column label area (表三) read better flush left;
            # group labels spanning several rows and every header stay centred.
            align = "left" if cell.kind == "label" and cell.rowspan == 1 and label_columns > 1 else "center"
        cells.append(
            TableCell(
                cell.row, cell.col, text, cell.kind, cell.rowspan, cell.colspan, cell.pointer, align, mark
            )
        )
    return Table(
        id=grid.table,
        caption=grid.title,
        width=grid.width,
        height=grid.height,
        header_rows=grid.header_rows,
        cells=tuple(cells),
        widths_mm=widths,
        min_width_em=legible_width_em(widths, label_columns),
    )


def where(finding: Finding, layout: Layout, limit: int = 3) -> str:
    """Where a finding points, as a reader of the printed annex needs it: the workbook cell
    if there is one, and the official label with its table (「表三 · （七）总计 · 自然人」)."""
    parts = []
    for loc in finding.locations[:limit]:
        label = loc.label or loc.pointer
        cell = layout.cells.get(loc.pointer)
        if cell is not None:
            label = f"{layout.tables[cell.table].name} · {label}"
        parts.append(f"{loc.address}（{label}）" if loc.address else label)
    text = "；".join(dict.fromkeys(p for p in parts if p))
    if len(finding.locations) > limit:
        text += f"等{len(finding.locations)}处"
    return clean(text)


# The rule column fits an identifier of 18 characters (「T3.applicant_total」) on one line at
# 10.5 pt, so that an id is not broken in the middle of a word in the printed annex.
ANNEX_WIDTHS = (11.0, 38.0, 12.0, 40.0, 55.0)
ANNEX_MIN_EM = 20.0  # the annex's text columns wrap to a phone


def findings_table(findings: Sequence[Finding], layout: Layout) -> Table:
    cells = [TableCell(0, c, text, "header") for c, text in enumerate(ANNEX_COLUMNS)]
    for index, finding in enumerate(findings, start=1):
        values = (
            (str(index), "data", "center"),
            (finding.rule, "data", "center"),
            (SEVERITY_LABELS[finding.severity], "data", "center"),
            (where(finding, layout), "text", "left"),
            (clean(" ".join(filter(None, (finding.message, finding.repair_hint)))), "text", "left"),
        )
        cells.extend(
            TableCell(index, c, text, kind, align=align) for c, (text, kind, align) in enumerate(values)
        )
    return Table(
        id="errors",
        caption=ANNEX_CAPTION,
        width=len(ANNEX_COLUMNS),
        height=len(findings) + 1,
        header_rows=1,
        cells=tuple(cells),
        widths_mm=ANNEX_WIDTHS,
        min_width_em=ANNEX_MIN_EM,
    )


# ------------------------------------------------------------------------------------------
# The report


def _section_blocks(
    section: dict, submission: dict, layout: Layout, marks: dict[str, str] | None = None
) -> Iterable[Block]:
    yield Block("heading", f"{section['number']}、{section['title']}", level=1)
    if "table" in section:
        grid = table_grid(section["table"], layout.format)
        yield Block("table", table=table_from_grid(grid, submission, marks))
        return
    value = resolve(submission, section["pointer"])
    items = section.get("items") or []
    if not items or isinstance(value, str):
        yield from (Block("paragraph", text) for text in paragraphs(value))
        return
    # Only the items the unit wrote get a heading, numbered without gaps in the official
    # order: the n-th written item takes the n-th number of the layout.
    written = [item for item in items if paragraphs(resolve(submission, item["pointer"]))]
    for number, item in zip((item["number"] for item in items), written):
        yield Block("heading", f"{number}{item['label']}", level=2)
        yield from (Block("paragraph", text) for text in paragraphs(resolve(submission, item["pointer"])))


def build_content(
    submission: dict,
    *,
    findings: Sequence[Finding] = (),
    draft: bool = False,
    suspects: Iterable[str] = (),
) -> ReportContent:
    """The report of one submission, in the order of the national format.

    ``draft`` marks the report 「草稿 · 未通过校验」 (title area and page header) and appends
    ``findings`` as the annex 「附件：校验错误清单」; a report that passed has neither. A draft
    also flags, in its tables, the cells its errors name and the ``suspects`` (pointers of
    the cells a repair would change), see :func:`cell_marks`.
    """
    layout = load_layout(revision_of(submission))
    marks = cell_marks(findings, suspects) if draft else {}
    title = report_title(submission, layout)
    blocks: list[Block] = []
    if draft:
        blocks.append(Block("draft_mark", DRAFT_MARK))
    blocks.append(Block("title", title))
    blocks.append(Block("preamble", preamble(submission, layout)))
    for section in layout.sections:
        blocks.extend(_section_blocks(section, submission, layout, marks))
    blocks.append(Block("signature", unit_name(submission) or UNIT_PLACEHOLDER))
    blocks.append(Block("signature", chinese_date(submission.get("published_on"))))
    if draft:
        blocks.append(Block("annex_heading", ANNEX_HEADING))
        if legend := mark_legend(blocks):
            blocks.append(Block("paragraph", legend))
        blocks.append(Block("table", table=findings_table(findings, layout)))
    return ReportContent(
        title=title,
        blocks=tuple(blocks),
        draft=draft,
        unit=unit_name(submission),
        year=report_year(submission),
        format=layout.format,
        header_text=DRAFT_MARK if draft else "",
    )


MAX_FILENAME_BYTES = 230  # 255 bytes per name on ext4, less the atomic writer's temporary prefix and suffix
# the reserved characters of every file system, C0/C1 controls and bidi overrides: one list
_UNSAFE_FILENAME = re.compile(RESERVED_CHARACTERS.pattern + "+")


def default_filename(submission: dict, suffix: str = ".docx") -> str:
    """「轮台县市场监督管理局2024年政府信息公开工作年度报告.docx」: the title, safe as a file
    name on Windows, macOS and Linux."""
    name = _UNSAFE_FILENAME.sub("", report_title(submission)).strip(" .") or "政府信息公开工作年度报告"
    # File systems allow 255 bytes per name: a very long unit name keeps its end (「…年度报告」)
    # and loses characters from the front of the unit name.
    budget = MAX_FILENAME_BYTES - len(suffix.encode("utf-8"))
    while len(name.encode("utf-8")) > budget:
        name = name[1:]
    return name.strip(" .") + suffix


__all__ = [
    "ANNEX_HEADING",
    "BLANK_DATE",
    "DRAFT_MARK",
    "MARK_INVOLVED",
    "MARK_SUSPECT",
    "Block",
    "ReportContent",
    "Table",
    "TableCell",
    "build_content",
    "default_filename",
    "display_value",
]
