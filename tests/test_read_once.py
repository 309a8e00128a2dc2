"""A workbook is read from the bytes the guard checked, once (issue 13.11)."""

from __future__ import annotations

import json
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from report_kit.readers import read_submission, zip_guard
from report_kit.readers.sniff import sniff
from report_kit.readers.zip_guard import MAX_SHEET_CELLS, Members, MemberTooLarge, Refused
from report_kit.writers.template_xlsx import write_workbook

from helpers import ROOT

EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.json"


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    path = tmp_path_factory.mktemp("filled") / "填报.xlsx"
    write_workbook(path, json.loads(EXAMPLE.read_text(encoding="utf-8")))
    return path


def test_the_reader_parses_the_bytes_sniff_checked(filled, tmp_path, monkeypatch):
    """No second open of the path: a file swapped after the check is not what gets read."""
    import python_calamine

    expected = read_submission(filled).submission

    def no_path(*args, **kwargs):
        raise AssertionError("the workbook was opened again by its path")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", no_path)
    monkeypatch.setattr(zipfile, "ZipFile", _only_in_memory(zipfile.ZipFile))
    assert read_submission(filled).submission == expected


def _only_in_memory(real):
    def opened(file, *args, **kwargs):
        if isinstance(file, (str, bytes)) or hasattr(file, "__fspath__"):
            raise AssertionError(f"zip opened by path: {file}")
        return real(file, *args, **kwargs)

    return opened


def test_sniff_keeps_every_sheet_and_the_small_parts(filled):
    checked = sniff(filled).workbook
    assert checked is not None and checked.data == filled.read_bytes()
    with zipfile.ZipFile(filled) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        for name in [*sheets, "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docProps/custom.xml"]:
            assert checked.complete[name] == zf.read(name), name


def test_members_read_from_memory_respect_the_limit(filled):
    checked = sniff(filled).workbook
    with pytest.raises(MemberTooLarge):
        checked.read("xl/workbook.xml", 10)
    with pytest.raises(KeyError):
        checked.read("xl/none.xml", 10)
    # a member the guard did not keep whole comes from the zip in memory
    partial = Members(checked.data)
    assert partial.read("xl/workbook.xml", 1 << 20) == checked.complete["xl/workbook.xml"]


def _reference_extent(data: bytes) -> int:
    """Rows × columns as a spreadsheet counts them: every position of every row and cell."""
    rows = cols = 0
    for letters, number in zip_guard._FIRST_REF.findall(data):
        rows = max(rows, int(number or 0))
        cols = max(cols, zip_guard._column(letters) if letters else 0)
    return rows * max(cols, 1)


_letters = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=3)


@settings(max_examples=300, deadline=None)
@given(
    cells=st.lists(
        st.tuples(_letters, st.integers(min_value=1, max_value=1_048_576) | st.integers(1, 1200)),
        min_size=1,
        max_size=8,
    )
)
def test_the_quick_extent_check_refuses_exactly_what_counting_refuses(cells):
    body = b"".join(
        f'<row r="{row}"><c r="{col}{row}" t="n"><v>1</v></c></row>'.encode() for col, row in cells
    )
    data = b'<worksheet xmlns="x"><sheetData>' + body + b"</sheetData></worksheet>"
    refused = _reference_extent(data) > MAX_SHEET_CELLS
    try:
        zip_guard._check_extent(data)
    except Refused:
        assert refused
    else:
        assert not refused
