"""Many plain rows of a write-only sheet, written as sheet XML text instead of openpyxl cells.

The batch review's 问题清单 of 10,000 files holds ~90,000 rows of ten columns. Made into
openpyxl cells and written through lxml one element at a time, those rows cost ~20 s — most of
the time a batch spends writing its outputs. They are only values, one style per column and a
row height, so :class:`SheetRows` renders them straight to the XML openpyxl would write (the
same ``<row>``/``<c>`` elements and attributes, inline strings) and :func:`splice` streams
them into the saved sheet, below the rows written the usual way (the header).

Values must already be safe for a workbook (``safe_cells.safe_value``): no formula prefix and
no character XML refuses. Text is written as UTF-8 rather than openpyxl's ``&#NNNNN;``
character references, which makes the sheet XML a third of the size and quicker to compress.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils import get_column_letter

CELL_TEXT_LIMIT = 32767  # characters; openpyxl cuts longer text the same way
_ESCAPE = re.compile("[&<>\r]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_SHEET_DATA_END = b"</sheetData>"
_SHEET_DATA_EMPTY = b"<sheetData/>"
CHUNK_ROWS = 2000  # rows rendered and compressed at a time: memory stays flat


def _escape(text: str) -> str:
    if not _ESCAPE.search(text):
        return text  # the usual text: one C-level search, no copy
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group()], text)


def _number(value: float) -> str:
    """openpyxl's ``safe_string`` of a number: 16 significant digits, nothing for NaN/inf."""
    if value != value or value in (float("inf"), float("-inf")):
        return ""
    return f"{value:.16g}"


def cell_xml(ref: str, value: Any, style: int | None) -> str:
    """One ``<c>`` element as openpyxl writes it (``cell/_writer.lxml_write_cell``)."""
    if value is None:
        return ""
    s = f' s="{style}"' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s} t="n"><v>{_number(value)}</v></c>'
    text = value if isinstance(value, str) else str(value)
    text = text[:CELL_TEXT_LIMIT]
    if text in ERROR_CODES:
        return f'<c r="{ref}"{s} t="e"><v>{text}</v></c>'
    if text == "":
        return f'<c r="{ref}" t="inlineStr"/>'  # an empty value is written unstyled
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


class SheetRows:
    """Rows for a write-only ``worksheet``, numbered from ``first_row``, rendered at save time.

    ``style_id(style)`` registers a cell style (a ``StyleArray``, e.g. a styled cell's
    ``_style``) with the workbook, as openpyxl does for each styled cell it writes; it must be
    called before the workbook is saved."""

    def __init__(self, worksheet, first_row: int) -> None:
        self.worksheet = worksheet
        self.first_row = first_row
        self._rows: list[tuple[Sequence[Any], Sequence[int | None], float | None]] = []
        self._letters: list[str] = []

    def style_id(self, style) -> int:
        return self.worksheet.parent._cell_styles.add(style)

    def append(
        self, values: Sequence[Any], styles: Sequence[int | None], height: float | None = None
    ) -> None:
        """One row: a value and a style id (or None) per column, and the height in points.

        A None value writes no cell, an empty text an unstyled one (as openpyxl's write-only
        ``append`` of plain values does)."""
        self._rows.append((values, styles, height))

    def __len__(self) -> int:
        return len(self._rows)

    def chunks(self) -> Iterator[str]:
        """The rows' XML, ``CHUNK_ROWS`` rows at a time."""
        width = max((len(values) for values, _, _ in self._rows), default=0)
        letters = [get_column_letter(col) for col in range(1, width + 1)]
        part: list[str] = []
        for number, (values, styles, height) in enumerate(self._rows, start=self.first_row):
            head = (
                f'<row r="{number}" ht="{_number(height)}" customHeight="1">'
                if height
                else f'<row r="{number}">'
            )
            cells = "".join(
                cell_xml(f"{letter}{number}", value, style)
                for letter, value, style in zip(letters, values, styles)
                if value is not None
            )
            part.append(f"{head}{cells}</row>")
            if len(part) >= CHUNK_ROWS:
                yield "".join(part)
                part = []
        if part:
            yield "".join(part)


def splice(sheet_xml: bytes, rows: SheetRows, target: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Write ``sheet_xml`` (as openpyxl saved it) into ``target`` with ``rows`` added at the end
    of its sheet data, compressing as it goes (the whole XML is never held at once)."""
    at = sheet_xml.find(_SHEET_DATA_END)
    if at >= 0:
        head, tail = sheet_xml[:at], sheet_xml[at:]
    else:  # no row was written the usual way
        at = sheet_xml.index(_SHEET_DATA_EMPTY)
        head = sheet_xml[:at] + b"<sheetData>"
        tail = _SHEET_DATA_END + sheet_xml[at + len(_SHEET_DATA_EMPTY) :]
    with target.open(info, "w") as handle:
        handle.write(head)
        for chunk in rows.chunks():
            handle.write(chunk.encode("utf-8"))
        handle.write(tail)
