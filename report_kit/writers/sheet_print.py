"""How a worksheet prints: A4, one page wide, header rows repeated, pages broken between groups.

Offices print what the tool writes — 审核结果.xlsx for meetings, the template's 填报说明 for
clerks, the work-plan ledger. Excel and LibreOffice both honour "fit to one page wide", but
neither knows where a group of rows (one unit's findings, 表三's 「（五）不予处理」, a chart and
its table) begins, so left alone they cut groups in half. Every workbook writer calls
:func:`setup_print` for the page and, on sheets longer than a page, :func:`break_pages` with
the rows that must stay together; the breaks are computed here from the row heights the
writer set, so they do not depend on an office suite's own pagination.

Row heights are estimated, never auto-fitted: LibreOffice does not re-fit the rows of a file
written by openpyxl, and Excel does not auto-fit merged cells, so a wrapped text with no height
shows one line. :func:`text_height` gives the height a text needs in a column; it errs on the
tall side (a CJK character counted as Excel's 2.1 width units; LibreOffice's is 1.6–2.0).

Width units: Excel's column width of ``w`` is ``7w + 5`` pixels (5.25 pt per unit at 96 dpi);
LibreOffice maps a unit to its default font's digit: 7 pt where Calibri falls back to DejaVu
Sans (Linux without Carlito), about 5.3 pt with Carlito. A sheet of wrapped text only is not
always shrunk by LibreOffice's fit-to-width, so such sheets are kept within
:data:`PORTRAIT_UNITS` width units. Breaks are planned at the larger of the suites'
fit-to-width scales, so a page never holds more rows than either suite prints.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break

A4_MM = (210.0, 297.0)
PAPER_A4 = "9"  # the paperSize code of A4 in SpreadsheetML
POINTS_PER_MM = 72 / 25.4
MARGINS_IN = {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.6, "header": 0.3, "footer": 0.3}
EXCEL_POINTS_PER_UNIT = 5.25
EXCEL_PADDING_POINTS = 3.75
LIBREOFFICE_POINTS_PER_UNIT = 7.0
PORTRAIT_UNITS = 74  # width units that fit A4 portrait at 100 % in either suite
DEFAULT_ROW_HEIGHT = 15.0
PAGE_FOOTER = "第 &P 页，共 &N 页"
CJK_UNITS = 2.1  # width units one CJK character takes in an 11-point cell
LINE_FACTOR = 1.45  # line pitch of the CJK fallback fonts (Noto CJK: 1.448 em)
SAFETY = 0.96  # share of a page filled, for rounding in either suite
SHORT_GROUP = 1 / 3  # a list group up to this share of a page is never cut
MAX_BREAKS = 1000  # Excel keeps at most 1,026 manual page breaks per sheet


def setup_print(
    ws,
    *,
    landscape: bool = False,
    header_rows: tuple[int, int] | None = None,
    centred: bool = True,
) -> None:
    """A4, one page wide and as many pages tall as needed, narrow margins, page numbers in
    the footer, ``header_rows`` (first, last) repeated at the top of every page.

    Works on normal and write-only worksheets (call it before the first row is appended).
    """
    setup = ws.page_setup
    setup.orientation = "landscape" if landscape else "portrait"
    setup.paperSize = PAPER_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(**MARGINS_IN)
    ws.print_options.horizontalCentered = centred
    ws.oddFooter.center.text = PAGE_FOOTER
    ws.oddFooter.center.size = 9
    if header_rows is not None:
        ws.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"


def display_units(text: str) -> float:
    """Width of ``text`` in column units: CJK and full-width characters take about two.

    Counted from the UTF-8 length (a CJK character is three bytes), so that sizing the rows
    of a 100,000-row findings sheet costs no Python loop over characters.
    """
    wide = (len(text.encode("utf-8", "surrogatepass")) - len(text)) / 2
    return len(text) + wide * (CJK_UNITS - 1)


def text_lines(text: str, width: float, size: float = 11.0) -> int:
    """Lines a wrapped ``text`` of ``size`` points takes in a column ``width`` units wide."""
    width = width * 11.0 / size
    usable = max(width - 0.8, 1.0)
    return sum(max(1, math.ceil(display_units(part) / usable)) for part in str(text).split("\n")) or 1


def text_height(text: str, width: float, size: float = 11.0, min_height: float = DEFAULT_ROW_HEIGHT) -> float:
    """Row height in points that shows all of a wrapped ``text`` in a column ``width`` wide."""
    return max(min_height, text_lines(text, width, size) * size * LINE_FACTOR + 1)


def row_height(cells: Iterable[tuple[object, float]], size: float = 11.0) -> float:
    """The height of a row: the tallest of its (value, column width) cells.

    The same as the largest ``text_height`` of the cells, counted in lines first (one height
    per row, not per cell): a 100,000-row findings list sizes ~700,000 cells."""
    lines = 0
    scale = 11.0 / size
    for value, width in cells:
        if value is None or value == "":
            continue
        text = value if type(value) is str else str(value)
        usable = max(width * scale - 0.8, 1.0)
        if "\n" in text:
            count = text_lines(text, width, size)
        else:  # display_units inlined: one part, at least one line
            wide = (len(text.encode("utf-8", "surrogatepass")) - len(text)) / 2
            count = max(1, math.ceil((len(text) + wide * (CJK_UNITS - 1)) / usable))
        lines = max(lines, count)
    if not lines:
        return DEFAULT_ROW_HEIGHT
    return max(DEFAULT_ROW_HEIGHT, lines * size * LINE_FACTOR + 1)


def wants_landscape(total_width: float) -> bool:
    """Landscape when portrait would shrink the print below about four fifths."""
    return total_width > PORTRAIT_UNITS * 1.25


def page_capacity(total_width: float, *, landscape: bool, repeated: float = 0.0) -> float:
    """Points of sheet rows one printed page holds, at the fit-to-width scale of a sheet whose
    columns add up to ``total_width`` units, less the ``repeated`` header rows' height."""
    paper_w, paper_h = A4_MM if not landscape else (A4_MM[1], A4_MM[0])
    printable_w = paper_w * POINTS_PER_MM - (MARGINS_IN["left"] + MARGINS_IN["right"]) * 72
    printable_h = paper_h * POINTS_PER_MM - (MARGINS_IN["top"] + MARGINS_IN["bottom"]) * 72
    excel = printable_w / (total_width * EXCEL_POINTS_PER_UNIT + EXCEL_PADDING_POINTS)
    libreoffice = printable_w / (total_width * LIBREOFFICE_POINTS_PER_UNIT)
    scale = min(1.0, max(excel, libreoffice))
    return printable_h * SAFETY / scale - repeated


def plan_breaks(
    heights: Mapping[int, float],
    first: int,
    last: int,
    capacity: float,
    keep_together: Iterable[tuple[int, int]] = (),
    groups: Iterable[tuple[int, int]] = (),
) -> list[int]:
    """Rows that start a new page, so that no page holds more than ``capacity`` points and no
    ``keep_together`` range (first row, last row) is cut — unless the range is taller than a
    page, where it is cut at a row that splits no smaller range. ``groups`` (one unit's rows
    of a list) are kept whole when they take at most a third of a page; a longer one may be
    cut, but never leaves a single row on either page."""

    def height(row: int) -> float:
        return heights.get(row, DEFAULT_ROW_HEIGHT)

    blocks = list(keep_together)
    for a, b in groups:
        if sum(height(r) for r in range(a, b + 1)) <= capacity * SHORT_GROUP:
            blocks.append((a, b))
        else:
            blocks += [(a, min(a + 1, b)), (max(b - 1, a), b)]
    blocked: set[int] = set()  # rows that may not start a page
    for a, b in blocks:
        if sum(height(r) for r in range(a, b + 1)) <= capacity:
            blocked.update(range(a + 1, b + 1))
    breaks: list[int] = []
    start, used, row = first, 0.0, first
    while row <= last:
        if used + height(row) > capacity and row > start:
            cut = next((r for r in range(row, start, -1) if r not in blocked), row)
            breaks.append(cut)
            start, used = cut, sum(height(r) for r in range(cut, row))
            continue
        used += height(row)
        row += 1
    return breaks


def break_pages(
    ws,
    heights: Mapping[int, float],
    *,
    total_width: float,
    landscape: bool,
    first: int = 1,
    last: int | None = None,
    keep_together: Iterable[tuple[int, int]] = (),
    groups: Iterable[tuple[int, int]] = (),
    repeated: tuple[int, int] | None = None,
) -> list[int]:
    """Place manual page breaks on ``ws`` (see :func:`plan_breaks`); return the rows that start
    a page. ``repeated`` is the range given to :func:`setup_print` as header rows: it is
    printed on every page, so it takes room on each and is never a page of its own."""
    last = max(heights, default=first) if last is None else last
    sizes = dict(heights)
    head = 0.0
    if repeated is not None:  # printed on every page: room taken from each, never a page of its own
        for row in range(repeated[0], repeated[1] + 1):
            head += sizes.get(row, DEFAULT_ROW_HEIGHT)
            sizes[row] = 0.0
        keep_together = [*keep_together, (first, repeated[1] + 1)]
    capacity = page_capacity(total_width, landscape=landscape, repeated=head)
    rows = plan_breaks(sizes, first, last, capacity, keep_together, groups)
    if len(rows) > MAX_BREAKS:  # a very long list: the suite's own breaks, not a repaired file
        return []
    for row in rows:
        ws.row_breaks.append(Break(id=row - 1))
    return rows
