"""Committed workbooks written by LibreOffice Calc itself: no soffice needed at test time.

The files in ``tests/fixtures/workbooks/`` are rebuilt by ``make_fixtures.py`` there (which
also says what was typed into each). They are what a clerk produces by opening the
template in Calc and saving it: recalculated formulas, rewritten styles and shared strings,
the metadata sheet demoted from veryHidden to hidden, real row insertion and column
deletion, and Calc's own .xls, .xlsm and .ods exports.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from report_kit.check import check_file
from report_kit.cli import main
from report_kit.readers.xlsx import read_workbook
from report_kit.workbook_map import META_SHEET, workbook_map

from conftest import TODAY

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "workbooks"
EXAMPLE = json.loads((ROOT / "examples" / "轮台县市场监督管理局-2024.json").read_text(encoding="utf-8"))
WMAP = workbook_map()
runner = CliRunner()


def _at(document: dict, pointer: str):
    node = document
    for part in pointer.strip("/").split("/"):
        node = node[part]
    return node


def _cell(pointer: str) -> tuple[str, str]:
    slot = WMAP.slots[pointer]
    return slot.sheet, slot.address


def _copy(name: str, tmp_path: Path) -> Path:
    """Tests read a copy, and check the copy's bytes are unchanged afterwards."""
    return Path(shutil.copy(FIXTURES / name, tmp_path / name))


def test_fixtures_really_come_from_libreoffice():
    with zipfile.ZipFile(FIXTURES / "libreoffice-resaved.xlsx") as zf:
        assert b"LibreOffice" in zf.read("docProps/app.xml")
    book = openpyxl.load_workbook(FIXTURES / "libreoffice-resaved.xlsx", read_only=False)
    assert book[META_SHEET].sheet_state == "hidden"  # Calc demotes veryHidden


def test_libreoffice_resaved_workbook_reads_exactly(tmp_path):
    path = _copy("libreoffice-resaved.xlsx", tmp_path)
    before = path.read_bytes()
    result = read_workbook(path)
    assert result.findings == []
    assert result.submission == EXAMPLE
    report = check_file(path, today=TODAY)
    assert report.valid and report.findings == []
    assert path.read_bytes() == before


# What make_fixtures.QUIRKS typed, and what must come of it.
SILENT = {
    "/applications/received/natural_person": 18,  # 「１８」
    "/applications/received/commercial": 5,  # 「 5 」
    "/applications/received/legal_service": 3,  # 「3.0」 as text
    "/applications/carried_over/total": 2,  # =SUM(D8:I8), cached by Calc
    "/active_disclosure/penalties/decisions": 57,  # 「５７」
    "/active_disclosure/licensing/decisions": 468,  # 「'468」
    "/active_disclosure/fees/amount": 12.35,  # 「 12.35 」 in 万元
    "/year": 2024,  # 「２０２４」
    "/published_on": "2025-01-20",  # a date cell
}
REPORTED = {
    "/applications/results/disclosed/natural_person": ("S.cell_text", "12件", "应填12"),
    "/applications/results/disclosed/commercial": ("S.cell_text", "“/”", "应填0"),
    "/applications/results/partially_disclosed/natural_person": ("S.blank_cell", "为空", "按0处理"),
    "/applications/results/partially_disclosed/commercial": ("S.cell_text", "2024-03-05", "日期"),
    "/applications/carried_forward/natural_person": ("S.cell_text", "2.5", "整数"),
    "/reviews/reconsideration/upheld": ("S.cell_text", "“一”", "应填1"),
    "/reviews/litigation_direct/upheld": ("S.cell_text", "=1/0", "#DIV/0!"),
}


def test_libreoffice_quirks_are_read_or_reported_at_their_cells(tmp_path):
    path = _copy("libreoffice-quirks.xlsx", tmp_path)
    result = read_workbook(path)
    for pointer, value in SILENT.items():
        assert _at(result.submission, pointer) == value, pointer
        assert type(_at(result.submission, pointer)) is type(value), pointer
    report = check_file(path, today=TODAY)
    by_cell = {}
    for finding in report.findings:
        if finding.rule.startswith("S."):
            (location,) = finding.locations
            by_cell[(location.sheet, location.cell)] = finding
    assert set(by_cell) == {_cell(p) for p in REPORTED}
    for pointer, (rule, found, hint) in REPORTED.items():
        finding = by_cell[_cell(pointer)]
        sheet, address = _cell(pointer)
        assert finding.rule == rule
        assert finding.severity == ("warning" if rule == "S.blank_cell" else "error")
        assert f"{sheet}!{address}" in finding.message, finding.message
        assert found in finding.message and hint in finding.message, finding.message
        assert WMAP.slots[pointer].label in finding.message
        assert finding.locations[0].pointer == pointer
    # cells with bad values take no part in arithmetic: no noise about their rows and columns
    assert {f.rule for f in report.findings} <= {"S.cell_text", "S.blank_cell"}
    assert not report.valid


def test_text_output_names_cells_of_the_libreoffice_file(tmp_path):
    path = _copy("libreoffice-quirks.xlsx", tmp_path)
    result = runner.invoke(main, ["check", str(path), "--today", "2030-06-01"])
    assert result.exit_code == 1
    for pointer in REPORTED:
        sheet, address = _cell(pointer)
        assert f"{sheet}!{address}" in result.output


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("libreoffice-inserted-row.xlsx", ("表三", "结构被改动", "C12")),
        ("libreoffice-deleted-column.xlsx", ("表二", "结构被改动", "C5")),
        ("libreoffice-renamed-sheet.xlsx", ("缺少工作表", "表四")),
    ],
)
def test_structure_altered_in_libreoffice_is_refused_not_misread(tmp_path, name, fragments):
    result = read_workbook(_copy(name, tmp_path))
    assert result.submission is None
    (finding,) = result.findings
    assert finding.rule == "S.workbook" and finding.severity == "error"
    for fragment in fragments:
        assert fragment in finding.message, finding.message
    assert finding.suggestion


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("libreoffice-legacy.xls", (".xls", "另存为")),
        ("libreoffice-macro.xlsm", (".xlsm", "另存为")),
        ("libreoffice.ods", (".ods", "另存为")),
        ("password.xlsx", ("密码", "取消")),
    ],
)
def test_formats_to_convert_are_named_with_the_way_out(tmp_path, name, fragments):
    path = _copy(name, tmp_path)
    before = path.read_bytes()
    result = runner.invoke(main, ["check", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    (finding,) = data["findings"]
    assert finding["rule"] == "F.unsupported"
    text = finding["message"] + finding["suggestion"]
    for fragment in fragments:
        assert fragment in text, text
    assert path.read_bytes() == before


def test_annotate_a_libreoffice_file(tmp_path):
    path = _copy("libreoffice-quirks.xlsx", tmp_path)
    before = path.read_bytes()
    out = tmp_path / "批注.xlsx"
    result = runner.invoke(main, ["check", str(path), "--annotate", str(out), "--today", "2030-06-01"])
    assert result.exit_code == 1 and "已生成标注副本" in result.output
    assert path.read_bytes() == before
    book = openpyxl.load_workbook(out)
    for pointer, (rule, _, _) in REPORTED.items():
        sheet, address = _cell(pointer)
        cell = book[sheet][address]
        colour = "FFEB9C" if rule == "S.blank_cell" else "FFC7CE"
        assert cell.fill.fgColor.rgb.endswith(colour), (pointer, cell.fill.fgColor.rgb)
        assert rule in cell.comment.text


def test_previous_year_from_a_libreoffice_file(tmp_path):
    out = tmp_path / "2025.xlsx"
    previous = FIXTURES / "libreoffice-resaved.xlsx"
    result = runner.invoke(main, ["template", "-o", str(out), "--previous", str(previous)])
    assert result.exit_code == 0, result.output
    read = read_workbook(out).submission
    assert read["year"] == EXAMPLE["year"] + 1
    assert read["unit"] == EXAMPLE["unit"]
    assert read["applications"]["carried_over"] == EXAMPLE["applications"]["carried_forward"]
