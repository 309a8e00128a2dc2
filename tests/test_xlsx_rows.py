"""Rows written as sheet XML text (writers/xlsx_rows.py) read back as openpyxl's own cells do."""

from __future__ import annotations

import io
import zipfile
from copy import copy

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from report_kit.batch.outputs_xlsx import stable_bytes
from report_kit.writers.safe_cells import safe_value
from report_kit.writers.xlsx_rows import SheetRows

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
TEXT = st.text(alphabet=st.sampled_from(list("a 中&<>\r\n\t\"'=#/!\x85\u3000\ufffe\x01")), max_size=8)
VALUES = st.one_of(
    TEXT,
    st.sampled_from(["#N/A", "#DIV/0!", "", " 前后空格 ", "=SUM(A1)"]),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
)
ROWS = st.lists(
    st.tuples(
        st.lists(VALUES, max_size=5),
        st.lists(st.booleans(), min_size=5, max_size=5),
        st.none() | st.floats(1, 400),
    ),
    max_size=6,
)


def _sheet_data(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = etree.fromstring(zf.read("xl/worksheets/sheet1.xml"))
    return etree.tostring(root.find(f"{MAIN}sheetData"), method="c14n")


def _styles(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read("xl/styles.xml")


def _by_openpyxl(rows) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("表")
    style = WriteOnlyCell(ws, value=None)
    style.font, style.alignment = Font(bold=True), Alignment(wrap_text=True)
    ws.append(["标题"])
    for number, (values, styled, height) in enumerate(rows, start=2):
        if height:
            ws.row_dimensions[number].height = height
        cells = []
        for value, with_style in zip(values, styled):
            if with_style and value is not None and value != "":
                cell = WriteOnlyCell(ws, value=value)
                cell._style = copy(style._style)
                cells.append(cell)
            else:
                cells.append(value)
        ws.append(cells)
    return stable_bytes(wb, "2025-06-01")


def _by_text(rows) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("表")
    style = WriteOnlyCell(ws, value=None)
    style.font, style.alignment = Font(bold=True), Alignment(wrap_text=True)
    ws.append(["标题"])
    lines = SheetRows(ws, first_row=2)
    bold = lines.style_id(style._style)
    for values, styled, height in rows:
        lines.append(values, [bold if s else None for s in styled], height)
    return stable_bytes(wb, "2025-06-01", [lines])


@settings(max_examples=60, deadline=None)
@given(ROWS)
def test_rows_as_text_are_the_cells_openpyxl_writes(rows):
    rows = [([safe_value(v) for v in values], styled, height) for values, styled, height in rows]
    if not any(
        value is not None and value != "" and s
        for values, styled, _ in rows
        for value, s in zip(values, styled)
    ):
        rows.append((["有样式"], [True] * 5, None))  # the style must be registered on both sides
    expected, actual = _by_openpyxl(rows), _by_text(rows)
    assert _sheet_data(actual) == _sheet_data(expected)
    assert _styles(actual) == _styles(expected)
    # and a spreadsheet reader sees the same values
    got = [[c.value for c in row] for row in load_workbook(io.BytesIO(actual))["表"].iter_rows()]
    want = [[c.value for c in row] for row in load_workbook(io.BytesIO(expected))["表"].iter_rows()]
    assert got == want


def test_rows_are_streamed_in_chunks_and_spliced_after_the_header(monkeypatch):
    import report_kit.writers.xlsx_rows as xlsx_rows

    monkeypatch.setattr(xlsx_rows, "CHUNK_ROWS", 3)
    rows = [([f"第{i}行", i], [False, False], None) for i in range(10)]
    book = load_workbook(io.BytesIO(_by_text(rows)))
    assert [[c.value for c in row] for row in book["表"].iter_rows()] == [["标题", None]] + [
        [f"第{i}行", i] for i in range(10)
    ]
