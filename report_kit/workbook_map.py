"""Where every value of a submission sits in the fill-in workbook, per template version.

The template writer puts values there, the workbook reader takes them back and the
annotator colours them, so all three must agree on one map. The map is computed from the
layout (meta fields, prose items, fee figures) and from the official table drawings of
``grid.py``; nothing here restates a label. A template version freezes the arrangement
(sheet names, offsets, the order of the meta rows): changing any of it needs a new version
string, and the reader refuses workbooks of a version it does not know rather than guess.

Besides the input cells (:class:`Slot`), the map lists the fixed label cells
(:class:`Fixed`) whose text the reader compares with the layout to notice inserted or
deleted rows, renamed sheets and similar surgery before it reads a single number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from report_kit.formats import current, revision
from report_kit.grid import Grid, table_grid
from report_kit.layout import Layout, load_layout
from report_kit.pointer import parts

TEMPLATE_VERSION = "report_kit-template-1"
KNOWN_VERSIONS = (TEMPLATE_VERSION,)

META_SHEET = "_report_kit"  # veryHidden; LibreOffice keeps it as a plain hidden sheet
META_KEYS = ("template_version", "format")
PROPERTY_VERSION = "report_kit_template_version"  # custom document properties, a second copy
PROPERTY_FORMAT = "report_kit_format"

GUIDE_SHEET = "填报说明"
META_TITLE_SHEET = "基本信息"
TEXT_SHEET = "文字部分"

GRID_TOP = 4  # rows 1–3 hold the title and the fill-in hint; 表三!D7 is 本年新收 · 自然人
GRID_LEFT = 1
META_FIRST_ROW = 3  # row 1 title, row 2 column headers
TEXT_FIRST_ROW = 3

# Clerks think of their unit first; the order is part of the template version.
META_ORDER = (
    "/unit/name",
    "/unit/kind",
    "/unit/level",
    "/unit/region",
    "/unit/code",
    "/year",
    "/scope",
    "/published_on",
    "/format",
)


def column_letter(col: int) -> str:
    """1 → A, 27 → AA; kept here so that reading never has to import openpyxl."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def a1(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


@dataclass(frozen=True)
class Slot:
    """One input cell: the pointer of its value, where it is, and how to read it.

    ``kind`` is ``count`` or ``amount`` for table cells and fee figures, ``text`` for
    prose, or the layout's meta type (``name``, ``enum``, ``year``, ``date``, ``string``).
    """

    pointer: str
    sheet: str
    row: int
    col: int
    kind: str
    label: str
    enum: str | None = None
    required: bool = False
    colspan: int = 1

    @property
    def address(self) -> str:
        return a1(self.row, self.col)

    @property
    def numeric(self) -> bool:
        return self.kind in ("count", "amount")


@dataclass(frozen=True)
class Fixed:
    """A label cell of the template whose text proves the rows and columns are where the map says."""

    sheet: str
    row: int
    col: int
    text: str

    @property
    def address(self) -> str:
        return a1(self.row, self.col)


@dataclass
class WorkbookMap:
    version: str
    format: str
    slots: dict[str, Slot] = field(default_factory=dict)
    fixed: list[Fixed] = field(default_factory=list)
    grids: dict[str, Grid] = field(default_factory=dict)  # sheet name → drawing placed at GRID_TOP/LEFT
    reading_order: list[tuple[Slot, tuple[str, ...]]] = field(default_factory=list)  # canonical key order
    _sources: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def input_sheets(self) -> tuple[str, ...]:
        """The sheets the reader needs, in workbook order."""
        return (META_TITLE_SHEET, *self.grids, TEXT_SHEET)

    def source_map(self) -> dict[str, tuple[str, str]]:
        """Pointer → (sheet, A1) of every slot; a fresh dict, computed once per map."""
        if not self._sources:
            self._sources.update(
                {pointer: (slot.sheet, slot.address) for pointer, slot in self.slots.items()}
            )
        return dict(self._sources)

    def slots_of(self, sheet: str) -> list[Slot]:
        return [slot for slot in self.slots.values() if slot.sheet == sheet]

    def fixed_of(self, sheet: str) -> list[Fixed]:
        return [f for f in self.fixed if f.sheet == sheet]


def table_sheet_name(layout: Layout, table_id: str) -> str:
    return layout.tables[table_id].name


def section_heading(section: dict) -> str:
    return f"{section['number']}、{section['title']}"


def item_heading(item: dict) -> str:
    return f"{item.get('number', '')}{item['label']}"


def _add_grid(wmap: WorkbookMap, layout: Layout, table_id: str) -> None:
    grid = table_grid(table_id, layout.format)
    sheet = table_sheet_name(layout, table_id)
    wmap.grids[sheet] = grid
    for cell in grid.cells:
        row, col = GRID_TOP + cell.row, GRID_LEFT + cell.col
        if cell.kind == "data":
            wmap.slots[cell.pointer] = Slot(
                cell.pointer,
                sheet,
                row,
                col,
                cell.value_type,
                layout.label(cell.pointer),
                required=True,
                colspan=cell.colspan,
            )
        elif cell.text:
            wmap.fixed.append(Fixed(sheet, row, col, cell.text))


def _add_meta(wmap: WorkbookMap, layout: Layout) -> None:
    fields = {meta["pointer"]: meta for meta in layout.meta}
    missing = set(fields) ^ set(META_ORDER)
    if missing:  # a new meta field in the layout needs a new template version
        raise ValueError(f"meta fields and template order differ: {sorted(missing)}")
    for index, pointer in enumerate(META_ORDER):
        meta = fields[pointer]
        row = META_FIRST_ROW + index
        wmap.fixed.append(Fixed(META_TITLE_SHEET, row, 1, meta["label"]))
        wmap.slots[pointer] = Slot(
            pointer,
            META_TITLE_SHEET,
            row,
            2,
            meta["type"],
            meta["label"],
            enum=meta.get("enum"),
            required=meta.get("required", False),
        )


def _add_text(wmap: WorkbookMap, layout: Layout) -> None:
    row = TEXT_FIRST_ROW
    for section in layout.sections:
        if "pointer" not in section:
            continue
        items = section.get("items")
        if not items:
            wmap.fixed.append(Fixed(TEXT_SHEET, row, 1, section_heading(section)))
            wmap.slots[section["pointer"]] = Slot(
                section["pointer"], TEXT_SHEET, row, 2, "text", layout.label(section["pointer"])
            )
            row += 1
            continue
        wmap.fixed.append(Fixed(TEXT_SHEET, row, 1, section_heading(section)))
        row += 1
        for item in items:
            wmap.fixed.append(Fixed(TEXT_SHEET, row, 1, item_heading(item)))
            wmap.slots[item["pointer"]] = Slot(
                item["pointer"], TEXT_SHEET, row, 2, "text", layout.label(item["pointer"])
            )
            row += 1
    row += 1  # one empty row before the structured fee figures
    fees = layout.tables["fees"]
    wmap.fixed.append(Fixed(TEXT_SHEET, row, 1, fees.title))
    row += 1
    for column in fees.columns:
        pointer = f"{fees.pointer}/{column.key}"
        wmap.fixed.append(Fixed(TEXT_SHEET, row, 1, column.label))
        wmap.slots[pointer] = Slot(
            pointer, TEXT_SHEET, row, 2, column.type, layout.label(pointer), required=True
        )
        row += 1


@cache
def workbook_map(version: str = TEMPLATE_VERSION, format_revision: str | None = None) -> WorkbookMap | None:
    """The map of a template version and format revision (default: the current one), or None
    when this program does not know that version or writes no templates for that revision."""
    found = revision(format_revision) if format_revision is not None else current()
    if version not in KNOWN_VERSIONS or found is None or not found.template:
        return None
    layout = load_layout(found.id)
    wmap = WorkbookMap(version, found.id)
    _add_meta(wmap, layout)
    for table_id in layout.statistical_tables:
        _add_grid(wmap, layout, table_id)
    _add_text(wmap, layout)
    wmap.reading_order = [
        (wmap.slots[pointer], tuple(parts(pointer))) for pointer in sorted(wmap.slots, key=layout.sort_key)
    ]
    return wmap
