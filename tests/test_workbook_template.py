"""The cell map and the fill-in template: derived from the layout, protected, self-identifying."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from report_kit.cli import main
from report_kit.grid import table_grid
from report_kit.layout import load_layout
from report_kit.readers.xlsx import read_workbook
from report_kit.workbook_map import (
    GUIDE_SHEET,
    META_SHEET,
    META_TITLE_SHEET,
    PROPERTY_FORMAT,
    PROPERTY_VERSION,
    TEMPLATE_VERSION,
    TEXT_SHEET,
    a1,
    column_letter,
    workbook_map,
)
from report_kit.writers.template_prefill import PREVIOUS_NOTE, total_hints
from report_kit.writers.template_xlsx import write_workbook

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "轮台县市场监督管理局-2024.json"
LAYOUT = load_layout("2021")
WMAP = workbook_map()
runner = CliRunner()


@pytest.fixture(scope="module")
def example():
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "填报模板.xlsx"
    write_workbook(path, unit="轮台县市场监督管理局", kind="department", level="county", year=2024)
    return path


# ---------------------------------------------------------------- the map


def test_map_covers_every_value_of_the_format_once():
    pointers = set(WMAP.slots)
    assert set(LAYOUT.cells) <= pointers
    assert {meta["pointer"] for meta in LAYOUT.meta} <= pointers
    assert {item["pointer"] for item in LAYOUT.text_items} <= pointers
    assert len(pointers) == len(LAYOUT.cells) + len(LAYOUT.meta) + len(LAYOUT.text_items)
    places = [(s.sheet, s.address) for s in WMAP.slots.values()] + [(f.sheet, f.address) for f in WMAP.fixed]
    assert len(places) == len(set(places)), "two things share a cell"


def test_map_matches_the_contract_example_and_is_deterministic():
    # submission.md: 本年新收 · 自然人 is 表三!D7
    assert WMAP.source_map()["/applications/received/natural_person"] == ("表三", "D7")
    assert workbook_map() is WMAP
    assert workbook_map("report_kit-template-0") is None
    assert workbook_map(TEMPLATE_VERSION, "2019") is None


def test_map_takes_table_cells_from_the_grids():
    for table_id in ("T2", "T3", "T4"):
        grid = table_grid(table_id)
        sheet = LAYOUT.tables[table_id].name
        for cell in grid.data_cells():
            slot = WMAP.slots[cell.pointer]
            assert (slot.sheet, slot.row - 4, slot.col - 1) == (sheet, cell.row, cell.col)
        labels = {(f.row - 4, f.col - 1): f.text for f in WMAP.fixed_of(sheet)}
        assert labels == {(c.row, c.col): c.text for c in grid.cells if c.kind != "data" and c.text}


def test_column_letters():
    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
    assert a1(7, 4) == "D7"


def test_total_hints_come_from_the_sum_identities():
    hints = total_hints(LAYOUT)
    assert (
        hints["/applications/received/total"]
        == "应等于本行自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他之和。"
    )
    assert "（一）至（六）" in hints["/applications/results/total/natural_person"]
    assert hints["/reviews/reconsideration/total"].startswith(
        "应等于本组结果维持、结果纠正、其他结果、尚未审结"
    )
    assert "/active_disclosure/regulations/in_force" not in hints  # an inequality, not a total


# ---------------------------------------------------------------- the workbook


def test_sheets_metadata_and_properties(blank):
    book = openpyxl.load_workbook(blank)
    assert book.sheetnames == [GUIDE_SHEET, META_TITLE_SHEET, "表二", "表三", "表四", TEXT_SHEET, META_SHEET]
    meta = book[META_SHEET]
    assert meta.sheet_state == "veryHidden"
    assert {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, 4)}[
        "template_version"
    ] == TEMPLATE_VERSION
    props = {p.name: p.value for p in book.custom_doc_props.props}
    assert props == {PROPERTY_VERSION: TEMPLATE_VERSION, PROPERTY_FORMAT: "2021"}
    assert book.security.lockStructure


def test_guide_names_deadlines_and_the_check_command(blank):
    ws = openpyxl.load_workbook(blank)[GUIDE_SHEET]
    text = "\n".join(str(c.value) for c in ws["A"] if c.value)
    for fragment in (
        "report-kit check 文件.xlsx",
        "1月31日",
        "3月31日",
        "乡镇、街道",
        "填0",
        "万元",
        "不要插入或删除行列",
    ):
        assert fragment in text, fragment


def test_sheets_are_protected_without_password_and_only_inputs_unlocked(blank):
    book = openpyxl.load_workbook(blank)
    for name in (GUIDE_SHEET, META_TITLE_SHEET, "表二", "表三", "表四", TEXT_SHEET):
        ws = book[name]
        assert ws.protection.sheet and not ws.protection.password, name
        assert ws.protection.insertRows and ws.protection.deleteRows, name
    inputs = {(s.sheet, s.address) for s in WMAP.slots.values() if s.pointer != "/format"}
    for name in ("表二", "表三", "表四", TEXT_SHEET, META_TITLE_SHEET):
        ws = book[name]
        for row in ws.iter_rows():
            for cell in row:
                if not hasattr(cell, "column_letter"):
                    continue
                unlocked = cell.protection.locked is False
                assert unlocked == ((name, cell.coordinate) in inputs), (name, cell.coordinate)


def test_merged_headers_follow_the_official_drawing(blank):
    ws = openpyxl.load_workbook(blank)["表三"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A4:C6" in merged  # the printed note of 表三, 3×3
    assert "D4:J4" in merged  # 申请人情况 over seven columns
    assert "E5:I5" in merged  # 法人或其他组织 over five
    assert ws["A4"].value == LAYOUT.tables["T3"].raw["note"]
    t4 = openpyxl.load_workbook(blank)["表四"]
    assert {"A4:E5", "F4:O4"} <= {str(r) for r in t4.merged_cells.ranges}


def test_validations_on_every_input(blank):
    book = openpyxl.load_workbook(blank)
    for sheet in ("表二", "表三", "表四", TEXT_SHEET):
        validations = book[sheet].data_validations.dataValidation
        covered = {}
        for validation in validations:
            for cell_range in validation.sqref.ranges:
                for row in range(cell_range.min_row, cell_range.max_row + 1):
                    for col in range(cell_range.min_col, cell_range.max_col + 1):
                        covered[a1(row, col)] = (validation.type, validation.operator, validation.formula1)
        for slot in WMAP.slots_of(sheet):
            if slot.kind == "count":
                assert covered[slot.address] == ("whole", "greaterThanOrEqual", "0"), slot.address
            elif slot.kind == "amount":
                assert covered[slot.address] == ("decimal", "greaterThanOrEqual", "0"), slot.address
    lists = {
        str(v.sqref): v.formula1
        for v in book[META_TITLE_SHEET].data_validations.dataValidation
        if v.type == "list"
    }
    kind = WMAP.slots["/unit/kind"].address
    assert lists[kind] == '"人民政府,政府部门,乡镇,街道,其他"'


def test_enumerations_show_chinese_labels_and_totals_carry_hints(blank):
    book = openpyxl.load_workbook(blank)
    meta = book[META_TITLE_SHEET]
    assert meta[WMAP.slots["/unit/kind"].address].value == "政府部门"
    assert meta[WMAP.slots["/unit/level"].address].value == "县级"
    assert meta[WMAP.slots["/scope"].address].value == "本机关"
    assert meta[WMAP.slots["/format"].address].value == "2021"
    t3 = book["表三"]
    total = WMAP.slots["/applications/received/total"]
    assert "应等于本行自然人" in t3[total.address].comment.text
    assert t3[total.address].value is None  # totals are typed by the unit, never formulas
    fees = WMAP.slots["/fees/amount_notified"]
    assert book[TEXT_SHEET].cell(fees.row, 3).value == "元"


def test_blank_template_reads_as_zeros_with_warnings(blank):
    result = read_workbook(blank)
    assert result.submission["unit"] == {
        "name": "轮台县市场监督管理局",
        "kind": "department",
        "level": "county",
    }
    assert result.submission["applications"]["received"]["natural_person"] == 0
    rules = {f.rule for f in result.findings}
    assert rules == {"S.blank_cell"}
    assert len(result.findings) == len(LAYOUT.cells)
    assert result.findings[0].severity == "warning"


def test_previous_prefills_carried_over_with_a_note(tmp_path, example):
    path = tmp_path / "next.xlsx"
    write_workbook(path, previous=example)
    book = openpyxl.load_workbook(path)
    t3 = book["表三"]
    for column in LAYOUT.tables["T3"].columns:
        slot = WMAP.slots[f"/applications/carried_over/{column.key}"]
        expected = example["applications"]["carried_forward"][column.key]
        assert t3[slot.address].value == expected
        assert PREVIOUS_NOTE in t3[slot.address].comment.text
        assert t3[slot.address].fill.fgColor.rgb.endswith("E2EFDA")  # marked, and still an input
        assert t3[slot.address].protection.locked is False
    received = WMAP.slots["/applications/received/natural_person"].address
    assert t3[received].fill.fgColor.rgb.endswith("FFFFFF")
    assert "浅绿色" in t3["A2"].value
    meta = book[META_TITLE_SHEET]
    assert meta[WMAP.slots["/year"].address].value == example["year"] + 1
    assert meta[WMAP.slots["/unit/name"].address].value == example["unit"]["name"]
    assert (
        read_workbook(path).submission["applications"]["carried_over"]
        == example["applications"]["carried_forward"]
    )


def test_text_that_looks_like_a_formula_stays_text(tmp_path, example):
    submission = json.loads(json.dumps(example))
    submission["text"]["problems"] = '=HYPERLINK("http://x")\x07 仍需改进'
    path = tmp_path / "inject.xlsx"
    write_workbook(path, submission)
    cell = openpyxl.load_workbook(path)[TEXT_SHEET][WMAP.slots["/text/problems"].address]
    assert cell.data_type == "s"
    assert read_workbook(path).submission["text"]["problems"] == '=HYPERLINK("http://x") 仍需改进'


# ---------------------------------------------------------------- the command


def test_template_command(tmp_path):
    out = tmp_path / "填报模板.xlsx"
    result = runner.invoke(
        main,
        [
            "template",
            "-o",
            str(out),
            "--unit",
            "某某街道办事处",
            "--kind",
            "街道",
            "--level",
            "乡级",
            "--year",
            "2024",
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and "已生成填报模板" in result.output
    submission = read_workbook(out).submission
    assert submission["unit"] == {"name": "某某街道办事处", "kind": "subdistrict", "level": "township"}
    assert submission["year"] == 2024 and submission["scope"] == "agency" and submission["format"] == "2021"


def test_template_command_with_previous_and_fill(tmp_path):
    previous = tmp_path / "上年.xlsx"
    result = runner.invoke(main, ["template", "-o", str(previous), "--fill", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "本年.xlsx"
    result = runner.invoke(main, ["template", "-o", str(out), "--previous", str(previous)])
    assert result.exit_code == 0, result.output
    assert "上年结转" in result.output
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    read = read_workbook(out).submission
    assert read["applications"]["carried_over"] == example["applications"]["carried_forward"]
    assert read["year"] == example["year"] + 1


def test_template_command_usage_errors(tmp_path):
    assert runner.invoke(main, ["template"]).exit_code == 2
    bad_kind = runner.invoke(main, ["template", "-o", str(tmp_path / "x.xlsx"), "--kind", "部委"])
    assert bad_kind.exit_code == 2 and "政府部门" in bad_kind.output
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    result = runner.invoke(main, ["template", "-o", str(tmp_path / "y.xlsx"), "--previous", str(broken)])
    assert result.exit_code == 1 and "上年报告" in result.output
    assert not (tmp_path / "y.xlsx").exists()


def test_template_command_refuses_what_it_cannot_write(tmp_path):
    wrong = runner.invoke(main, ["template", "-o", str(tmp_path / "模板.xls")])
    assert wrong.exit_code == 2 and ".xlsx" in wrong.output and not (tmp_path / "模板.xls").exists()
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"format": "2019", "year": 2020, "unit": {"name": "某局"}}), encoding="utf-8")
    refused = runner.invoke(main, ["template", "-o", str(tmp_path / "a.xlsx"), "--fill", str(old)])
    assert refused.exit_code == 1 and "2019" in refused.output and "Traceback" not in refused.output
    assert not (tmp_path / "a.xlsx").exists()
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    unwritable = runner.invoke(main, ["template", "-o", str(blocker / "a.xlsx")])
    assert unwritable.exit_code == 1 and "无法写入" in unwritable.output
    assert unwritable.exception is None or isinstance(unwritable.exception, SystemExit)


def test_the_guide_sheet_is_the_layouts_template_guide():
    """填报说明 is data: each entry of the layout's ``template_guide`` is one paragraph, its
    placeholders filled; the statutory deadlines come from D.late's variants."""
    from report_kit.layout import load_layout
    from report_kit.workbook_map import workbook_map
    from report_kit.writers.template_xlsx import deadline_lines, guide_paragraphs

    layout = load_layout()
    paragraphs = [text for text, _ in guide_paragraphs(workbook_map(), layout, {})]
    entries = [entry["text"] for entry in layout.raw["template_guide"] if "text" in entry]
    deadlines = deadline_lines(layout)
    assert len(paragraphs) == len(entries) + len(deadlines)
    assert paragraphs[-len(deadlines) :] == deadlines
    assert not [text for text in paragraphs if "{" in text or "}" in text]
    assert [text for text in entries if "{" not in text] == [text for text in paragraphs if text in entries]
    assert any(layout.drawn_as("applicants").raw["note"].strip("（）") in text for text in paragraphs)
