"""The official tables as grids of cells with spans — the one drawing every writer shares.

The Excel template, the Word report and the HTML page all lay 表二/表三/表四 out exactly as
the national format prints them: merged block headers, the 3×3 note of 表三, the 行政复议 /
行政诉讼 header of 表四. This module derives that drawing from the layout file once, so the
writers only map grid cells to their medium.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from report_kit.layout import Layout, Table, load_layout


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    text: str = ""
    kind: str = "header"  # header | label | data | note | block
    rowspan: int = 1
    colspan: int = 1
    pointer: str | None = None  # for data cells: where the value lives in the submission
    value_type: str = "count"  # count | amount


def rows_of(cells, height: int) -> list[list]:
    """Cells (anything with ``row`` and ``col``) grouped by the row they start in, left to right:
    the order both a layout grid and a drawn report table are written in."""
    grouped: list[list] = [[] for _ in range(height)]
    for cell in cells:
        grouped[cell.row].append(cell)
    for row in grouped:
        row.sort(key=lambda c: c.col)
    return grouped


@dataclass
class Grid:
    table: str
    title: str
    width: int
    header_rows: int  # how many leading rows repeat when a table breaks across pages
    cells: list[GridCell] = field(default_factory=list)

    @property
    def height(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    def rows(self) -> list[list[GridCell]]:
        """Cells grouped by the row they start in, left to right."""
        return rows_of(self.cells, self.height)

    def data_cells(self) -> list[GridCell]:
        return [c for c in self.cells if c.kind == "data"]


def _blocks(layout: Layout, table_id: str) -> Grid:
    table = layout.tables[table_id]
    raw = table.raw
    width = 1 + max(len(block["columns"]) for block in raw["blocks"])
    grid = Grid(table_id, f"{table.name} {table.title}", width, header_rows=0)
    r = 0
    for index, block in enumerate(raw["blocks"]):
        grid.cells.append(GridCell(r, 0, block["header"], "block", colspan=width))
        r += 1
        columns = block["columns"]
        span = (width - 1) // len(columns)
        grid.cells.append(GridCell(r, 0, raw["label_column"], "header"))
        for c, column in enumerate(columns):
            last = c == len(columns) - 1
            grid.cells.append(
                GridCell(
                    r, 1 + c * span, column["label"], "header", colspan=width - 1 - c * span if last else span
                )
            )
        r += 1
        for row in (row for row in table.rows if row.block == index):
            grid.cells.append(GridCell(r, 0, row.label, "label"))
            for c, column in enumerate(row.columns):
                last = c == len(row.columns) - 1
                grid.cells.append(
                    GridCell(
                        r,
                        1 + c * span,
                        kind="data",
                        colspan=width - 1 - c * span if last else span,
                        pointer=table.cell_pointer(row, column),
                        value_type=column.type,
                    )
                )
            r += 1
    return grid


def _applicants(layout: Layout, table_id: str) -> Grid:
    table = layout.tables[table_id]
    raw = table.raw
    labels = raw["label_columns"]
    width = labels + len(table.columns)
    grid = Grid(table_id, f"{table.name} {table.title}", width, header_rows=3)
    grid.cells.append(GridCell(0, 0, raw["note"], "note", rowspan=3, colspan=labels))
    grid.cells.append(GridCell(0, labels, raw["header"]["top"], "header", colspan=len(table.columns)))
    col = labels
    for group in raw["header"]["groups"]:
        keys = group["columns"]
        if len(keys) == 1:
            grid.cells.append(GridCell(1, col, group["label"], "header", rowspan=2))
        else:
            grid.cells.append(GridCell(1, col, group["label"], "header", colspan=len(keys)))
            for offset, key in enumerate(keys):
                label = next(c.label for c in table.columns if c.key == key)
                grid.cells.append(GridCell(2, col + offset, label, "header"))
        col += len(keys)

    groups = raw["groups"]
    chain = table.group_chain
    first_row = 3
    placed: set[str] = set()
    for index, row in enumerate(table.rows):
        r = first_row + index
        path = chain(row.group)
        for depth, group in enumerate(path):
            if group in placed:
                continue
            placed.add(group)
            members = [i for i, other in enumerate(table.rows) if group in chain(other.group)]
            grid.cells.append(
                GridCell(first_row + members[0], depth, groups[group]["label"], "label", rowspan=len(members))
            )
        depth = len(path)
        grid.cells.append(GridCell(r, depth, row.label, "label", colspan=labels - depth))
        for c, column in enumerate(table.columns):
            grid.cells.append(
                GridCell(
                    r,
                    labels + c,
                    kind="data",
                    pointer=table.cell_pointer(row, column),
                    value_type=column.type,
                )
            )
    return grid


def _reviews(layout: Layout, table_id: str) -> Grid:
    table: Table = layout.tables[table_id]
    raw = table.raw
    width = len(table.rows) * len(table.columns)
    grid = Grid(table_id, f"{table.name} {table.title}", width, header_rows=len(raw["header"]) + 1)
    occupied: set[tuple[int, int]] = set()
    for r, header_row in enumerate(raw["header"]):
        c = 0
        for spec in header_row:
            while (r, c) in occupied:
                c += 1
            rowspan = spec.get("rowspan", 1)
            grid.cells.append(GridCell(r, c, spec["label"], "header", rowspan=rowspan, colspan=spec["span"]))
            for rr in range(r, r + rowspan):
                for cc in range(c, c + spec["span"]):
                    occupied.add((rr, cc))
            c += spec["span"]
    label_row = len(raw["header"])
    data_row = label_row + 1
    for g, row in enumerate(table.rows):
        for c, column in enumerate(table.columns):
            x = g * len(table.columns) + c
            grid.cells.append(GridCell(label_row, x, column.label, "header"))
            grid.cells.append(
                GridCell(
                    data_row, x, kind="data", pointer=table.cell_pointer(row, column), value_type=column.type
                )
            )
    return grid


# How each kind of printed table is drawn; a table names its kind in the layout (``drawing``).
DRAWINGS = {"blocks": _blocks, "applicants": _applicants, "reviews": _reviews}


def table_grid(table_id: str, format_revision: str | None = None) -> Grid:
    """The drawing of one table of a revision (default: the current one)."""
    return _table_grid(table_id, load_layout(format_revision).format)


@cache
def _table_grid(table_id: str, format_revision: str) -> Grid:
    layout = load_layout(format_revision)
    return DRAWINGS[layout.tables[table_id].raw["drawing"]](layout, table_id)


def all_grids(format_revision: str | None = None) -> list[Grid]:
    return [table_grid(t, format_revision) for t in load_layout(format_revision).statistical_tables]
