"""Speed paths: blank cells are told from formulas without openpyxl; prose split once."""

from __future__ import annotations

import json
import sys

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from report_kit.readers import xlsx as xlsx_reader
from report_kit.readers.formula_cells import hidden_values
from report_kit.readers.xlsx import read_workbook
from report_kit.workbook_map import workbook_map
from report_kit.writers.template_xlsx import write_workbook

from helpers import ROOT

EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.json"
WMAP = workbook_map()
NUMERIC = [slot for slot, _ in WMAP.reading_order if slot.numeric]
sys.path.insert(0, str(ROOT / "benchmarks"))


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    path = tmp_path_factory.mktemp("filled") / "填报.xlsx"
    write_workbook(path, json.loads(EXAMPLE.read_text(encoding="utf-8")))
    return path


def test_blank_cells_are_read_without_openpyxl(tmp_path, filled, monkeypatch):
    from generate_batch import BLANK_CELLS, blank_zeros

    blanks = tmp_path / "留空.xlsx"
    blank_zeros(filled, blanks)

    def no_openpyxl(*args, **kwargs):
        raise AssertionError("openpyxl loaded the workbook to look for formulas")

    monkeypatch.setattr(xlsx_reader, "_formulas", no_openpyxl)
    result = read_workbook(blanks)
    assert sum(f.rule == "S.blank_cell" for f in result.findings) == BLANK_CELLS
    assert [f.rule for f in result.findings if f.rule != "S.blank_cell"] == []


@settings(max_examples=15, deadline=None)
@given(
    cells=st.lists(st.sampled_from(NUMERIC), min_size=1, max_size=6, unique_by=lambda s: s.pointer),
    kinds=st.lists(st.sampled_from(["blank", "formula", "error", "text formula"]), min_size=6, max_size=6),
)
def test_the_xml_scanner_sees_what_openpyxl_sees(tmp_path_factory, filled, cells, kinds):
    """Formulas saved without a result and error values, in cells calamine shows as blank."""
    folder = tmp_path_factory.mktemp("scan")
    book = openpyxl.load_workbook(filled)
    for slot, kind in zip(cells, kinds):
        sheet = book[slot.sheet]
        sheet[slot.address] = {
            "blank": None,
            "formula": "=SUM(D7:I7)",
            "error": "#N/A",
            "text formula": '=IF(A1="x&y","<a>",1)',
        }[kind]
        if kind == "error":
            sheet[slot.address].data_type = "e"
    path = folder / "改.xlsx"
    book.save(path)  # openpyxl keeps no cached results: every formula cell reads as blank
    wanted: dict[str, set[tuple[int, int]]] = {}
    for slot in cells:
        wanted.setdefault(slot.sheet, set()).add((slot.row, slot.col))
    scanned = hidden_values(str(path), wanted)
    assert scanned is not None
    seen = xlsx_reader._formulas(str(path), cells)
    assert scanned[0] == seen


def test_prose_is_split_once_per_section():
    from report_kit.check import check_file
    from report_kit.rules import text

    check_file(EXAMPLE)
    text.split_sentences.cache_clear()
    check_file(EXAMPLE)
    info = text.split_sentences.cache_info()
    assert info.misses <= 12 and info.hits > info.misses, info


def test_text_patterns_are_compiled_once_per_process():
    from report_kit.check import check_file
    from report_kit.rules import text

    check_file(EXAMPLE)
    compiled = text._compile.cache_info().currsize
    check_file(EXAMPLE)
    assert text._compile.cache_info().currsize == compiled and compiled > 0
