"""An official table drawn into a worksheet: the one mapping of a grid (:mod:`report_kit.grid`)
to sheet cells, shared by the fill-in template's table sheets and the 审核结果 汇总数据 sheet.

Both workbooks print the same national tables, so spans, borders, header and label styles,
merges, the row heights wrapped labels need and the rows a page break must not split are
decided here once. The caller says where the table goes (``top``, and the sheet column each
grid column starts in), what a data cell holds (``data``), and how label heights are counted:
the template sizes each row by its own one-row labels, the 汇总数据 sheet spreads a tall
label's height over the rows it spans.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from report_kit.grid import Grid, GridCell
from report_kit.writers.sheet_print import text_height
from report_kit.writers.xlsx_styles import (
    BOLD,
    BORDER,
    CENTER,
    HEADER_FILL,
    LABEL_FILL,
    LEFT,
    NORMAL,
    VERTICAL,
    merge,
    put_text,
)

ROW_HEIGHT = 20.0  # points: a row of numbers and one-line labels


class Sink(Protocol):
    """Where cells go: a normal worksheet (:class:`SheetSink`) or a write-only canvas."""

    def put(self, row: int, col: int, value: Any, **style: Any) -> None: ...

    def merge(self, row: int, col: int, rowspan: int, colspan: int) -> None: ...


@dataclass
class Drawn:
    heights: dict[int, float] = field(default_factory=dict)  # sheet row → points
    groups: list[tuple[int, int]] = field(default_factory=list)  # rows of a labelled group: one page


def draw_grid(
    sink: Sink,
    grid: Grid,
    top: int,
    starts: Sequence[int],
    widths: Sequence[float],
    data: Callable[[GridCell, int, int], None],
    *,
    spread_heights: bool = False,
    row_height: float = ROW_HEIGHT,
) -> Drawn:
    """Draw ``grid`` with its first row at sheet row ``top``.

    ``starts[i]`` is the sheet column (1-based) where grid column ``i`` starts, with one more
    entry where the table ends; ``widths[i]`` the width of grid column ``i`` in character
    units. ``data(cell, row, col)`` fills a data cell (its border is drawn already).
    ``spread_heights``: a label spanning rows shares its height among them; otherwise only
    one-row labels size their row.
    """
    drawn = Drawn()
    label_columns = min(c.col for c in grid.data_cells())
    for cell in grid.cells:
        row, col = top + cell.row, starts[cell.col]
        span = starts[cell.col + cell.colspan] - col
        if cell.kind == "data":
            _box(sink, row, col, cell.rowspan, span, border=BORDER)
            data(cell, row, col)
        else:
            fill = HEADER_FILL if cell.kind in ("header", "note", "block") else LABEL_FILL
            _box(sink, row, col, cell.rowspan, span, border=BORDER, fill=fill)
            align = LEFT if cell.kind == "label" else CENTER  # block bands are centred, as printed
            if cell.kind == "label" and cell.rowspan > 3 and cell.col == 0 and label_columns > 1:
                align = VERTICAL  # 表三's 「三、本年度办理结果」 down its 22 rows
            if cell.text:
                font = BOLD if cell.kind in ("header", "block") else NORMAL
                sink.put(row, col, cell.text, border=BORDER, fill=fill, font=font, alignment=align)
                width = sum(widths[cell.col : cell.col + cell.colspan])
                _size(drawn.heights, cell, row, width, spread_heights, row_height)
            if cell.kind == "label" and cell.rowspan > 1 and cell.col > 0:
                drawn.groups.append((row, row + cell.rowspan - 1))  # （三）不予公开 … on one page
        sink.merge(row, col, cell.rowspan, span)
    for row in range(top, top + grid.height):
        drawn.heights.setdefault(row, row_height)
    return drawn


def _box(sink: Sink, row: int, col: int, rowspan: int, colspan: int, **style: Any) -> None:
    for r in range(row, row + rowspan):
        for c in range(col, col + colspan):
            sink.put(r, c, None, **style)


def _size(
    heights: dict[int, float], cell: GridCell, row: int, width: float, spread: bool, least: float
) -> None:
    # merged and wrapped labels are never auto-fitted (Excel, LibreOffice): rows get the height
    # their text needs
    if spread:
        per_row = text_height(cell.text, width) / cell.rowspan
        for r in range(row, row + cell.rowspan):
            heights[r] = max(heights.get(r, least), per_row)
    elif cell.rowspan == 1:
        heights[row] = max(heights.get(row, least), text_height(cell.text, width))


class SheetSink:
    """A normal (not write-only) worksheet as a :class:`Sink`; text is put as text, never a formula."""

    def __init__(self, ws) -> None:
        self.ws = ws

    def put(self, row: int, col: int, value: Any, **style: Any) -> None:
        cell = put_text(self.ws, row, col, value) if isinstance(value, str) else self.ws.cell(row, col)
        for name, setting in style.items():
            setattr(cell, name, setting)

    def merge(self, row: int, col: int, rowspan: int, colspan: int) -> None:
        merge(self.ws, row, col, rowspan, colspan)
