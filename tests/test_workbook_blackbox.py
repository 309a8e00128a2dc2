"""Acceptance tests of the fill-in workbook (issue #3), written black-box.

They use only what a clerk or an outside tester has: the `report-kit` CLI (through click's
CliRunner and, once, a real subprocess), the public library (`check_file`, `read_submission`)
and openpyxl to type into the generated template like Excel or WPS would. The cell of every
value is learnt from the tool itself: checking a blank template yields one `S.blank_cell`
warning per number cell, each with its pointer, sheet and A1 address.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from report_kit import check_file, read_submission
from report_kit.cli import main

from helpers import get, leaves, run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.json"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def as_json(report) -> dict:
    return json.loads(json.dumps(report.to_dict(), ensure_ascii=False, default=str))


@pytest.fixture(scope="module")
def example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def blank_template(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tpl") / "填报模板.xlsx"
    result = run(
        "template", "-o", out, "--unit", "轮台县市场监督管理局", "--year", "2024",
        "--kind", "department", "--level", "county",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.is_file()
    return out


@pytest.fixture(scope="module")
def cell_map(blank_template) -> dict[str, tuple[str, str]]:
    """pointer → (sheet, A1) of every number cell, as the checker itself reports them."""
    report = as_json(check_file(blank_template))
    cells = {}
    for finding in report["findings"]:
        if finding["rule"] == "S.blank_cell":
            (loc,) = finding["locations"]
            cells[loc["pointer"]] = (loc["sheet"], loc["cell"])
    return cells


def number_pointers(example: dict) -> list[str]:
    return [
        p
        for p, v in leaves(example)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and p != "/year"
    ]


@pytest.fixture(scope="module")
def filled(tmp_path_factory, blank_template, cell_map, example) -> Path:
    """The blank template filled with the example's values by openpyxl, like a clerk would."""
    wb = openpyxl.load_workbook(blank_template)
    for pointer in number_pointers(example):
        sheet, cell = cell_map[pointer]
        wb[sheet][cell] = get(example, pointer)
    # meta and prose: the rows are labelled, the value is in column B
    meta = wb["基本信息"]
    labels = {meta.cell(r, 1).value: r for r in range(1, meta.max_row + 1)}
    meta.cell(labels["所属行政区域"], 2).value = example["unit"]["region"]
    meta.cell(labels["统一社会信用代码"], 2).value = example["unit"]["code"]
    meta.cell(labels["报告范围"], 2).value = "本机关"
    meta.cell(labels["发布日期"], 2).value = dt.datetime.fromisoformat(example["published_on"])
    text = wb["文字部分"]
    by_label = {}
    for r in range(1, text.max_row + 1):
        label = text.cell(r, 1).value
        if isinstance(label, str):
            by_label.setdefault(label.strip(), r)
    prose = {
        "/text/overview/active_disclosure": "（一）主动公开",
        "/text/overview/requests": "（二）依申请公开",
        "/text/overview/information_management": "（三）政府信息管理",
        "/text/overview/platforms": "（四）政府信息公开平台建设",
        "/text/overview/oversight": "（五）监督保障",
        "/text/problems": "五、存在的主要问题及改进情况",
        "/text/other/fees": "（一）信息处理费收取情况",
        "/text/other/work_plan": "（二）落实上级年度政务公开工作要点情况",
        "/text/other/proposals": "（三）人大代表建议和政协提案办理结果公开情况",
        "/text/other/innovation": "（四）年度政务公开工作创新情况",
        "/text/other/more": "（五）其他事项",
    }
    for pointer, label in prose.items():
        row = by_label.get(label)
        assert row is not None, f"文字部分 has no row for {label}: {sorted(by_label)}"
        with contextlib.suppress(KeyError):
            text.cell(row, 2).value = get(example, pointer)
    out = tmp_path_factory.mktemp("filled") / "填报.xlsx"
    wb.save(out)
    return out


def copy_with(filled: Path, tmp_path: Path, changes: dict, name="改.xlsx") -> Path:
    """A copy of the filled workbook with some cells retyped: {(sheet, A1): value}."""
    wb = openpyxl.load_workbook(filled)
    for (sheet, cell), value in changes.items():
        wb[sheet][cell] = value
    out = tmp_path / name
    wb.save(out)
    return out


# --- the template ------------------------------------------------------------------------


def test_template_sheets_protection_and_metadata(blank_template):
    wb = openpyxl.load_workbook(blank_template)
    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert visible == ["填报说明", "基本信息", "表二", "表三", "表四", "文字部分"]
    hidden = [ws for ws in wb.worksheets if ws.sheet_state != "visible"]
    assert hidden, "hidden metadata sheet identifying the template"
    meta_text = " ".join(str(c.value) for ws in hidden for row in ws.iter_rows() for c in row)
    assert "2021" in meta_text
    for name in ("表二", "表三", "表四", "基本信息", "文字部分"):
        ws = wb[name]
        assert ws.protection.sheet is True
        assert not ws.protection.password
    t3 = wb["表三"]
    assert t3.merged_cells.ranges, "表三 has merged header cells"
    labels = " ".join(str(c.value) for row in t3.iter_rows() for c in row if c.value)
    for label in ("本年新收", "上年结转", "予以公开", "总计", "结转下年度", "自然人"):
        assert label in labels
    info = " ".join(str(c.value) for row in wb["填报说明"].iter_rows() for c in row if c.value)
    assert "report-kit check" in info


def test_template_input_cells_are_unlocked_and_validated(blank_template, cell_map):
    wb = openpyxl.load_workbook(blank_template)
    assert len(cell_map) >= 200
    for pointer, (sheet, cell) in cell_map.items():
        assert wb[sheet][cell].protection.locked is False, (pointer, sheet, cell)
    # a label cell is locked
    assert wb["表三"]["A1"].protection.locked is not False
    # whole-number validation on a count cell, decimal on 万元
    sheet, cell = cell_map["/applications/received/natural_person"]
    kinds = {
        dv.type for dv in wb[sheet].data_validations.dataValidation if any(cell in rng for rng in dv.sqref)
    }
    assert kinds == {"whole"}
    sheet, cell = cell_map["/active_disclosure/fees/amount"]
    kinds = {
        dv.type for dv in wb[sheet].data_validations.dataValidation if any(cell in rng for rng in dv.sqref)
    }
    assert kinds == {"decimal"}
    # drop-down lists for the enumerations
    lists = [dv for dv in wb["基本信息"].data_validations.dataValidation if dv.type == "list"]
    assert len(lists) >= 3


def test_total_cells_are_inputs_with_a_sum_hint(blank_template, cell_map):
    wb = openpyxl.load_workbook(blank_template)
    sheet, cell = cell_map["/applications/received/total"]
    ws = wb[sheet]
    assert ws[cell].protection.locked is False
    assert ws[cell].comment is not None and "之和" in ws[cell].comment.text
    sheet, cell = cell_map["/reviews/reconsideration/total"]
    assert wb[sheet][cell].comment is not None


def test_blank_template_cells_are_warnings_read_as_zero(blank_template, cell_map):
    report = as_json(check_file(blank_template))
    blanks = [f for f in report["findings"] if f["rule"] == "S.blank_cell"]
    assert len(blanks) == len(cell_map)
    assert {f["severity"] for f in blanks} == {"warning"}
    # no arithmetic noise: all zeros balance
    assert not [f for f in report["findings"] if f["rule"].startswith(("T3.", "T4."))]
    read = read_submission(blank_template)
    assert read.submission["applications"]["received"]["natural_person"] == 0
    assert read.submission["unit"]["name"] == "轮台县市场监督管理局"
    assert read.submission["year"] == 2024


def test_template_cli_options(tmp_path):
    assert run("template", "-o", tmp_path / "x.txt").exit_code == 2
    bad = run("template", "-o", tmp_path / "x.xlsx", "--kind", "乱填")
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output
    ok = run("template", "-o", tmp_path / "中文.xlsx", "--kind", "政府部门", "--level", "县级")
    assert ok.exit_code == 0, ok.output
    sub = read_submission(tmp_path / "中文.xlsx").submission
    assert sub["unit"]["kind"] == "department"
    assert sub["unit"]["level"] == "county"


# --- reading a filled workbook -----------------------------------------------------------


def test_filled_template_passes_and_reads_the_example(filled, example):
    report = check_file(filled)
    assert report.valid, [f.message for f in report.findings]
    assert report.findings == []
    sub = read_submission(filled).submission
    for pointer in number_pointers(example):
        assert get(sub, pointer) == get(example, pointer), pointer
    assert sub["text"] == example["text"]
    assert sub["unit"] == example["unit"]
    assert sub["published_on"] == example["published_on"]
    assert sub["year"] == 2024
    assert sub["format"] == "2021"


def test_check_cli_on_filled_workbook(filled, tmp_path):
    result = run("check", filled)
    assert result.exit_code == 0, result.output
    result = run("check", filled, "--format", "json", "-o", tmp_path / "r.json")
    assert result.exit_code == 0
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["valid"] is True and data["findings"] == []


ACCEPTED = [
    ("full-width", "１８", 18),
    ("spaces", " 18 ", 18),
    ("float", 18.0, 18),
    ("ideographic spaces", "\u300018\u3000", 18),
    ("text marker", "'18", 18),
]


@pytest.mark.parametrize(("name", "typed", "value"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_numbers_typed_in_other_ways_read_silently(filled, cell_map, tmp_path, name, typed, value):
    pointer = "/applications/received/natural_person"
    path = copy_with(filled, tmp_path, {cell_map[pointer]: typed})
    report = check_file(path)
    assert report.findings == [], [f.message for f in report.findings]
    assert get(read_submission(path).submission, pointer) == value


def test_thousands_separator_is_a_number(filled, cell_map, tmp_path):
    pointer = "/active_disclosure/licensing/decisions"
    for typed in ("1,200", "1，200", "１，２００"):
        path = copy_with(filled, tmp_path, {cell_map[pointer]: typed})
        assert get(read_submission(path).submission, pointer) == 1200, typed
        report = check_file(path)
        assert report.findings == [], (typed, [f.message for f in report.findings])


REJECTED = [
    ("units", "12件", "S.cell_text"),
    ("chinese numeral", "十二", "S.cell_text"),
    ("slash", "/", "S.cell_text"),
    ("dash", "—", "S.cell_text"),
    ("none", "无", "S.cell_text"),
    ("fraction", 2.5, "S.cell_text"),
    ("fraction as text", "2.5", "S.cell_text"),
    ("date", dt.datetime(2024, 3, 5), "S.cell_text"),
    ("formula without value", "=D8+D9", "S.cell_text"),
    ("boolean", True, "S.cell_text"),
    ("negative", -3, "S.negative"),
]


@pytest.mark.parametrize(("name", "typed", "rule"), REJECTED, ids=[r[0] for r in REJECTED])
def test_bad_cell_is_one_error_at_that_cell(filled, cell_map, tmp_path, name, typed, rule):
    pointer = "/applications/received/natural_person"
    sheet, cell = cell_map[pointer]
    assert (sheet, cell) == ("表三", "D7")
    path = copy_with(filled, tmp_path, {(sheet, cell): typed})
    report = as_json(check_file(path))
    assert report["valid"] is False
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert [f["rule"] for f in errors] == [rule], errors
    (finding,) = errors
    (loc,) = finding["locations"]
    assert loc["pointer"] == pointer
    assert (loc["sheet"], loc["cell"]) == ("表三", "D7")
    assert "本年新收" in loc["label"] and "自然人" in loc["label"]
    assert finding["message"] and finding["suggestion"]
    if rule == "S.cell_text" and not isinstance(typed, (bool, dt.datetime)):
        assert str(typed).lstrip("=")[:3] in finding["message"] + str(finding["actual"])
    # no arithmetic noise from the bad cell, and no other finding
    assert [f["rule"] for f in report["findings"]] == [rule]
    # the text output names the address
    text = run("check", path)
    assert text.exit_code == 1
    assert "表三!D7" in text.output


def test_twelve_jian_suggests_the_number(filled, cell_map, tmp_path):
    path = copy_with(filled, tmp_path, {cell_map["/applications/received/natural_person"]: "12件"})
    (finding,) = check_file(path).findings
    assert "12" in finding.message + finding.suggestion
    assert "12件" in finding.message
    assert finding.expected == 12 and finding.actual == "12件"


def test_a_figure_in_the_wrong_unit_is_not_guessed(filled, cell_map, tmp_path):
    wan_yuan = cell_map["/active_disclosure/fees/amount"]
    yuan = cell_map["/fees/amount_collected"]
    path = copy_with(filled, tmp_path, {wan_yuan: "1235元", yuan: "3万元"})
    findings = check_file(path).findings
    assert [f.rule for f in findings] == ["S.cell_text", "S.cell_text"]
    for finding in findings:
        assert not isinstance(finding.expected, (int, float)), finding
        assert "单位" in finding.message


def test_fraction_in_an_amount_cell_is_fine(filled, cell_map, tmp_path):
    pointer = "/active_disclosure/fees/amount"
    path = copy_with(filled, tmp_path, {cell_map[pointer]: 2.5})
    assert check_file(path).findings == []
    assert get(read_submission(path).submission, pointer) == 2.5


def test_blank_cell_is_a_warning_and_zero(filled, cell_map, tmp_path, example):
    # a cell that is 0 in the example: blank reads as 0, one warning, still valid
    pointer = next(p for p in number_pointers(example) if get(example, p) == 0)
    sheet, cell = cell_map[pointer]
    path = copy_with(filled, tmp_path, {(sheet, cell): None})
    report = as_json(check_file(path))
    assert report["valid"] is True
    (finding,) = report["findings"]
    assert finding["rule"] == "S.blank_cell" and finding["severity"] == "warning"
    assert (finding["locations"][0]["sheet"], finding["locations"][0]["cell"]) == (sheet, cell)
    assert get(read_submission(path).submission, pointer) == 0
    assert run("check", path).exit_code == 0


def test_wrong_total_is_located_at_the_cells(filled, cell_map, tmp_path):
    pointer = "/applications/results/total/natural_person"
    sheet, cell = cell_map[pointer]
    wb = openpyxl.load_workbook(filled)
    wb[sheet][cell] = wb[sheet][cell].value + 1
    path = tmp_path / "总计错.xlsx"
    wb.save(path)
    report = as_json(check_file(path))
    rules = sorted(f["rule"] for f in report["findings"])
    assert rules == ["T3.applicant_total", "T3.balance", "T3.outcome_total"]
    for finding in report["findings"]:
        assert finding["locations"], finding
        assert all(loc.get("sheet") == "表三" and loc.get("cell") for loc in finding["locations"])
        assert pointer in finding.get("involved", []) or any(
            loc["pointer"] == pointer for loc in finding["locations"]
        )
    # the outcome column sum points at the total that is wrong
    (outcome,) = [f for f in report["findings"] if f["rule"] == "T3.outcome_total"]
    assert (sheet, cell) in {(loc["sheet"], loc["cell"]) for loc in outcome["locations"]}


# --- structure ---------------------------------------------------------------------------


def structural(path) -> list[dict]:
    report = as_json(check_file(path))
    assert report["valid"] is False
    assert any(f["rule"] == "S.workbook" for f in report["findings"]), report["findings"]
    # never a wrong reading: no arithmetic findings computed from shifted cells
    assert not [f for f in report["findings"] if f["rule"].startswith(("T3.", "T4.", "X."))]
    return report["findings"]


def test_inserted_row_is_refused(filled, tmp_path):
    wb = openpyxl.load_workbook(filled)
    wb["表三"].insert_rows(8)
    wb.save(tmp_path / "插行.xlsx")
    findings = structural(tmp_path / "插行.xlsx")
    assert any("表三" in f["message"] for f in findings)
    # the finding points at the first label that moved, so --annotate can mark it
    (loc,) = findings[0]["locations"]
    assert (loc["sheet"], loc["cell"]) == ("表三", "A8")
    out = tmp_path / "批注.xlsx"
    assert run("check", tmp_path / "插行.xlsx", "--annotate", out).exit_code == 1
    assert openpyxl.load_workbook(out)["表三"]["A8"].comment is not None


def test_deleted_row_is_refused(filled, tmp_path):
    wb = openpyxl.load_workbook(filled)
    wb["表四"].delete_rows(6)
    wb.save(tmp_path / "删行.xlsx")
    structural(tmp_path / "删行.xlsx")


def test_renamed_sheet_is_refused(filled, tmp_path):
    wb = openpyxl.load_workbook(filled)
    wb["表三"].title = "表3"
    wb.save(tmp_path / "改名.xlsx")
    findings = structural(tmp_path / "改名.xlsx")
    assert any("表三" in f["message"] and "表3" in f["message"] for f in findings)


def test_deleted_sheet_is_refused(filled, tmp_path):
    wb = openpyxl.load_workbook(filled)
    del wb["表四"]
    wb.save(tmp_path / "删表.xlsx")
    findings = structural(tmp_path / "删表.xlsx")
    assert any("表四" in f["message"] for f in findings)


def test_foreign_workbook_is_not_a_template(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "随便一个表格"
    wb.save(tmp_path / "别的.xlsx")
    report = as_json(check_file(tmp_path / "别的.xlsx"))
    assert report["valid"] is False
    assert [f["rule"] for f in report["findings"]] == ["S.workbook"]
    assert "模板" in report["findings"][0]["message"]


def test_unknown_template_version_is_refused(filled, tmp_path):
    wb = openpyxl.load_workbook(filled)
    hidden = next(ws for ws in wb.worksheets if ws.sheet_state != "visible")
    for row in hidden.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("report_kit-template"):
                c.value = "report_kit-template-99"
    for prop in list(wb.custom_doc_props.props):
        if "version" in prop.name:
            prop.value = "report_kit-template-99"
    wb.save(tmp_path / "新版.xlsx")
    report = as_json(check_file(tmp_path / "新版.xlsx"))
    assert report["valid"] is False
    assert [f["rule"] for f in report["findings"]] == ["S.workbook"]
    assert "99" in report["findings"][0]["message"]


# --- formats to convert, hostile files ---------------------------------------------------


def rules_of(path) -> list[str]:
    result = run("check", path, "--format", "json")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    data = json.loads(result.output)
    assert data["valid"] is False
    assert data["findings"], data
    for f in data["findings"]:
        assert f["severity"] == "error" and f["message"]
    return [f["rule"] for f in data["findings"]]


def message_of(path) -> str:
    data = json.loads(run("check", path, "--format", "json").output)
    return " ".join(f["message"] + f.get("suggestion", "") for f in data["findings"])


def test_xlsm_is_named_with_the_way_out(filled, tmp_path):
    wb = openpyxl.load_workbook(filled)
    wb.save(tmp_path / "宏.xlsm")
    rules_of(tmp_path / "宏.xlsm")
    assert "xlsx" in message_of(tmp_path / "宏.xlsm")


def test_xlsx_content_named_xlsm_with_macros(filled, tmp_path):
    # a real .xlsm has vbaProject.bin and a macro content type
    src = zipfile.ZipFile(filled)
    out = tmp_path / "真宏.xlsm"
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            z.writestr(item, data)
        z.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    rules_of(out)
    assert "xlsx" in message_of(out)


def test_xls_is_named_with_the_way_out(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000
    (tmp_path / "老.xls").write_bytes(ole)
    rules_of(tmp_path / "老.xls")
    assert "xlsx" in message_of(tmp_path / "老.xls")


def test_csv_is_named_with_the_way_out(tmp_path):
    (tmp_path / "表.csv").write_text("项目,自然人\n本年新收,18\n", encoding="utf-8")
    rules_of(tmp_path / "表.csv")
    assert "xlsx" in message_of(tmp_path / "表.csv") or "模板" in message_of(tmp_path / "表.csv")


def test_encrypted_workbook_is_named(tmp_path):
    encrypted = ROOT / "tests" / "fixtures" / "workbooks" / "password.xlsx"
    assert rules_of(encrypted) == ["F.unsupported"]
    assert "密码" in message_of(encrypted)


def test_gbk_csv_is_named_as_csv(tmp_path):
    """Excel and WPS on Chinese Windows write CSV in GBK: still a CSV, not an encoding issue."""
    (tmp_path / "表三.csv").write_bytes("项目,自然人,商业企业\n本年新收,18,5\n".encode("gbk"))
    assert rules_of(tmp_path / "表三.csv") == ["F.unsupported"]
    assert "CSV" in message_of(tmp_path / "表三.csv")


def test_empty_file(tmp_path):
    (tmp_path / "空.xlsx").write_bytes(b"")
    assert rules_of(tmp_path / "空.xlsx") == ["F.empty"]


def test_renamed_text_file(tmp_path):
    (tmp_path / "假.xlsx").write_text("这不是工作簿\n", encoding="utf-8")
    rules_of(tmp_path / "假.xlsx")


def test_truncated_zip(filled, tmp_path):
    data = filled.read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 100):
        (tmp_path / "断.xlsx").write_bytes(data[:cut])
        rules_of(tmp_path / "断.xlsx")


def test_corrupted_member(filled, tmp_path):
    src = zipfile.ZipFile(filled)
    out = tmp_path / "坏.xlsx"
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data[: len(data) // 2]
            z.writestr(item, data)
    rules_of(out)


def test_zip_bomb_huge_member(filled, tmp_path):
    src = zipfile.ZipFile(filled)
    out = tmp_path / "炸弹.xlsx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item.filename, src.read(item.filename))
        with z.open("xl/media/huge.bin", "w", force_zip64=True) as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                f.write(chunk)
    assert out.stat().st_size < 5 << 20
    assert rules_of(out) == ["F.too_large"]


def test_zip_bomb_many_members(filled, tmp_path):
    src = zipfile.ZipFile(filled)
    out = tmp_path / "多.xlsx"
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            z.writestr(item.filename, src.read(item.filename))
        for i in range(20000):
            z.writestr(f"xl/junk/{i}.xml", b"")
    assert rules_of(out) == ["F.too_large"]


def billion_laughs() -> bytes:
    lol = ['<!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = f"&lol{i - 1};" if i > 1 else "&lol;"
        lol.append(f'<!ENTITY lol{i} "{prev * 10}">')
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE worksheet [' + "".join(lol) + "]>\n"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="7"><c r="D7" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()


def test_entity_bomb_in_a_sheet(filled, tmp_path):
    src = zipfile.ZipFile(filled)
    wb = openpyxl.load_workbook(filled)
    index = wb.sheetnames.index("表三") + 1
    out = tmp_path / "实体.xlsx"
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == f"xl/worksheets/sheet{index}.xml":
                data = billion_laughs()
            z.writestr(item, data)
    assert rules_of(out) == ["F.hostile"]


def test_entity_bomb_in_shared_strings(filled, tmp_path):
    src = zipfile.ZipFile(filled)
    out = tmp_path / "实体2.xlsx"
    names = src.namelist()
    target = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else "xl/workbook.xml"
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == target:
                data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + data.split(b"?>", 1)[-1]
            z.writestr(item, data)
    assert rules_of(out) == ["F.hostile"]


# --- annotated copy ----------------------------------------------------------------------


def test_annotate_marks_cells_and_never_touches_the_input(filled, cell_map, tmp_path):
    bad_cell = cell_map["/applications/received/natural_person"]
    blank_cell = cell_map["/reviews/litigation_after_reconsideration/upheld"]
    path = copy_with(filled, tmp_path, {bad_cell: "12件", blank_cell: None}, name="填报.xlsx")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    mtime = path.stat().st_mtime_ns
    out = tmp_path / "批注.xlsx"
    result = run("check", path, "--annotate", out)
    assert result.exit_code == 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert path.stat().st_mtime_ns == mtime
    wb = openpyxl.load_workbook(out)
    red = wb[bad_cell[0]][bad_cell[1]]
    assert red.fill.fgColor.rgb.endswith(("FFC7CE", "FF0000"))
    assert red.comment is not None and "S.cell_text" in red.comment.text
    yellow = wb[blank_cell[0]][blank_cell[1]]
    assert yellow.comment is not None
    assert yellow.fill.fgColor.rgb != red.fill.fgColor.rgb
    # the annotated copy is still a readable template with the same reading
    again = as_json(check_file(out))
    assert sorted(f["rule"] for f in again["findings"]) == ["S.blank_cell", "S.cell_text"]


def test_annotate_refuses_to_overwrite_the_input(filled, tmp_path):
    path = tmp_path / "填报.xlsx"
    shutil.copy(filled, path)
    before = path.read_bytes()
    result = run("check", path, "--annotate", path)
    assert result.exit_code == 2
    assert path.read_bytes() == before
    assert "Traceback" not in result.output


# --- round trip and other writers -----------------------------------------------------------


def test_fill_round_trip_is_identical(tmp_path, example):
    out = tmp_path / "填好.xlsx"
    result = run("template", "-o", out, "--fill", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert read_submission(out).submission == example
    assert check_file(out).findings == []


def test_previous_prefills_carried_over(tmp_path, example, cell_map):
    out = tmp_path / "下年.xlsx"
    result = run("template", "-o", out, "--previous", EXAMPLE)
    assert result.exit_code == 0, result.output
    sub = read_submission(out).submission
    assert sub["year"] == example["year"] + 1
    assert sub["unit"]["name"] == example["unit"]["name"]
    assert sub["applications"]["carried_over"] == example["applications"]["carried_forward"]
    wb = openpyxl.load_workbook(out)
    sheet, cell = cell_map["/applications/carried_over/natural_person"]
    assert wb[sheet][cell].comment is not None


def test_openpyxl_values_copied_into_fresh_workbook_are_not_guessed(filled, tmp_path):
    """A second writer copying values only (no hidden sheet, no properties): refused."""
    src = openpyxl.load_workbook(filled)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for ws in src.worksheets:
        if ws.sheet_state != "visible":
            continue
        new = wb.create_sheet(ws.title)
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    new[c.coordinate] = c.value
    wb.save(tmp_path / "复制.xlsx")
    report = as_json(check_file(tmp_path / "复制.xlsx"))
    assert report["valid"] is False
    assert [f["rule"] for f in report["findings"]] == ["S.workbook"]


ODD_TEXT = "'以撇号开头\n  两个空格开头\t制表符 😀\n=SUM(A1)\n+1\n-2\n@x\n“引号”<b>&amp;</b>"


def odd_submission(example: dict) -> dict:
    sub = json.loads(json.dumps(example))
    sub["text"]["other"]["more"] = ODD_TEXT
    sub["unit"]["code"] = "11652822010293476R"
    return sub


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_resave_reads_identically(filled, tmp_path, example):
    outdir = tmp_path / "lo"
    outdir.mkdir()
    src = tmp_path / "resave.xlsx"
    shutil.copy(filled, src)
    # and a report with awkward prose, written into the template by report-kit itself
    (tmp_path / "odd.json").write_text(json.dumps(odd_submission(example), ensure_ascii=False), "utf-8")
    odd = tmp_path / "odd.xlsx"
    assert run("template", "-o", odd, "--fill", tmp_path / "odd.json").exit_code == 0
    assert read_submission(odd).submission == odd_submission(example)
    profile = tmp_path / "profile"
    subprocess.run(
        [
            SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
            "--convert-to", "xlsx", "--outdir", str(outdir), str(src), str(odd),
        ],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    again = outdir / "resave.xlsx"
    assert again.is_file()
    assert again.read_bytes() != src.read_bytes()
    assert read_submission(again).submission == read_submission(filled).submission
    assert check_file(again).findings == []
    assert read_submission(outdir / "odd.xlsx").submission == odd_submission(example)


def test_fill_refuses_text_longer_than_a_cell(tmp_path, example):
    sub = json.loads(json.dumps(example))
    sub["text"]["problems"] = "问题" * 20000
    (tmp_path / "长.json").write_text(json.dumps(sub, ensure_ascii=False), encoding="utf-8")
    result = run("template", "-o", tmp_path / "长.xlsx", "--fill", tmp_path / "长.json")
    assert result.exit_code == 1
    assert "32767" in result.output and "五、存在的主要问题及改进情况" in result.output
    assert not (tmp_path / "长.xlsx").exists()


def test_python_dash_m_runs_check(filled):
    result = subprocess.run(
        [sys.executable, "-m", "report_kit", "check", str(filled), "--format", "json"],
        capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout.decode("utf-8"))["valid"] is True


def test_csv_output_names_cells(filled, cell_map, tmp_path):
    path = copy_with(filled, tmp_path, {cell_map["/applications/received/natural_person"]: "/"})
    result = run("check", path, "--format", "csv", "-o", tmp_path / "r.csv")
    assert result.exit_code == 1
    raw = (tmp_path / "r.csv").read_bytes()
    text = raw.decode("utf-8-sig")
    assert "S.cell_text" in text and "D7" in text and "表三" in text


# --- meta and prose cells ------------------------------------------------------------------


def test_meta_cells_read_and_report_at_their_cells(filled, tmp_path):
    wb = openpyxl.load_workbook(filled)
    ws = wb["基本信息"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    assert {"单位名称", "单位类型", "行政层级", "报告年度", "发布日期"} <= set(rows)
    # the year typed as 「2024年」, the unit name left blank, a kind that is no enumeration value
    ws.cell(rows["报告年度"], 2).value = "2024年"
    ws.cell(rows["单位名称"], 2).value = None
    ws.cell(rows["单位类型"], 2).value = "局"
    wb.save(tmp_path / "基本.xlsx")
    report = as_json(check_file(tmp_path / "基本.xlsx"))
    assert report["valid"] is False
    where = {
        f["rule"]: (f["locations"][0].get("sheet"), f["locations"][0].get("cell")) for f in report["findings"]
    }
    assert where.get("S.cell_text") == ("基本信息", f"B{rows['报告年度']}"), report["findings"]
    assert where.get("S.required") == ("基本信息", f"B{rows['单位名称']}")
    assert where.get("S.enum") == ("基本信息", f"B{rows['单位类型']}")
    assert not [f for f in report["findings"] if f["rule"].startswith(("T3.", "T4."))]


def test_year_in_other_forms(filled, tmp_path):
    for typed in (2024.0, "２０２４", " 2024 "):
        wb = openpyxl.load_workbook(filled)
        wb["基本信息"]["B8"] = typed
        wb.save(tmp_path / "年.xlsx")
        assert read_submission(tmp_path / "年.xlsx").submission["year"] == 2024, typed
        assert check_file(tmp_path / "年.xlsx").findings == [], typed


def test_published_date_typed_as_text(filled, tmp_path):
    for typed in ("2025-01-20", "2025/1/20", "2025年1月20日"):
        wb = openpyxl.load_workbook(filled)
        wb["基本信息"]["B10"] = typed
        wb.save(tmp_path / "日.xlsx")
        assert read_submission(tmp_path / "日.xlsx").submission["published_on"] == "2025-01-20", typed


def test_amount_with_unit_in_wan_yuan_is_a_cell_error(filled, cell_map, tmp_path):
    pointer = "/active_disclosure/fees/amount"
    sheet, cell = cell_map[pointer]
    path = copy_with(filled, tmp_path, {(sheet, cell): "12.35万元"})
    (finding,) = check_file(path).findings
    assert finding.rule == "S.cell_text"
    assert (finding.locations[0].sheet, finding.locations[0].cell) == (sheet, cell)


def test_fee_figures_are_cells_too(filled, cell_map, tmp_path):
    pointer = "/fees/amount_collected"
    sheet, cell = cell_map[pointer]
    assert sheet == "文字部分"
    path = copy_with(filled, tmp_path, {(sheet, cell): "300元"})
    (finding,) = check_file(path).findings
    assert finding.rule == "S.cell_text"
    assert finding.locations[0].cell == cell


# --- the same findings whether the report came as YAML or as a workbook ----------------------

SAME = ["01-balance.yaml", "02-outcome-total.yaml", "03-applicant-total.yaml", "06-text-mismatch.yaml",
        "07-fees.yaml", "09-late-and-code.yaml"]  # fmt: skip


@pytest.mark.parametrize("name", SAME)
def test_workbook_gives_the_findings_of_the_yaml(tmp_path, name):
    source = ROOT / "examples" / "invalid" / name
    out = tmp_path / "填.xlsx"
    assert run("template", "-o", out, "--fill", source).exit_code == 0
    from_yaml = as_json(check_file(source))
    from_xlsx = as_json(check_file(out))
    assert from_xlsx["valid"] == from_yaml["valid"]

    def key(report):
        return [
            (f["rule"], f["message"], [loc["pointer"] for loc in f["locations"]]) for f in report["findings"]
        ]

    assert key(from_xlsx) == key(from_yaml)
    for finding in from_xlsx["findings"]:
        for loc in finding["locations"]:
            if loc["pointer"].startswith(
                ("/applications", "/reviews", "/active_disclosure", "/text", "/fees")
            ):
                assert loc.get("sheet") and loc.get("cell"), finding


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_recalculates_formulas_and_other_formats_are_refused(filled, cell_map, tmp_path):
    """A formula saved without a value is an error; once LibreOffice has saved it, it reads."""
    total = cell_map["/applications/received/total"]
    first = cell_map["/applications/received/natural_person"]
    last = cell_map["/applications/received/other"]
    path = copy_with(filled, tmp_path, {total: f"=SUM({first[1]}:{last[1]})"}, name="公式.xlsx")
    (finding,) = check_file(path).findings
    assert finding.rule == "S.cell_text" and "SUM" in finding.message
    outdir = tmp_path / "lo"
    profile = tmp_path / "profile"
    for target in ("xlsx", "xls", "ods"):
        subprocess.run(
            [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", target, "--outdir", str(outdir), str(path)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    resaved = outdir / "公式.xlsx"
    assert check_file(resaved).findings == []
    assert read_submission(resaved).submission == read_submission(filled).submission
    for target in ("xls", "ods"):
        assert rules_of(outdir / f"公式.{target}") == ["F.unsupported"]
        assert "xlsx" in message_of(outdir / f"公式.{target}")


def rewrite(filled: Path, out: Path, change=None, add=None) -> Path:
    src = zipfile.ZipFile(filled)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            data = change(item.filename, data) if change else data
            if data is not None:
                z.writestr(item.filename, data)
        for name, data in (add or {}).items():
            z.writestr(name, data)
    return out


@pytest.mark.parametrize(
    ("what", "change", "add", "rule"),
    [
        ("path traversal", None, {"../../evil.txt": b"x"}, "F.hostile"),
        ("absolute path", None, {"/etc/evil": b"x"}, "F.hostile"),
        ("no workbook part", lambda n, d: None if n == "xl/workbook.xml" else d, None, "F.corrupt"),
        ("sheet part missing", lambda n, d: None if n == "xl/worksheets/sheet5.xml" else d, None, "F.corrupt"),
        ("broken sheet xml", lambda n, d: b"<worksheet><sheetData><row" if n.endswith("sheet5.xml") else d, None,
         "F.corrupt"),
        ("external entity", lambda n, d: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
         + d.split(b"?>", 1)[-1] if n == "xl/workbook.xml" else d, None, "F.hostile"),
    ],
)  # fmt: skip
def test_damaged_or_hostile_parts(filled, tmp_path, what, change, add, rule):
    out = rewrite(filled, tmp_path / "坏.xlsx", change, add)
    assert rules_of(out) == [rule], what
    message = message_of(out)
    assert "Error" not in message and "NotFound" not in message


MUTATED = [
    "/applications/received/natural_person",
    "/applications/carried_over/total",
    "/applications/results/withheld/third_party/commercial",
    "/applications/results/other_handling/fee_unpaid/legal_service",
    "/applications/results/total/other",
    "/applications/carried_forward/research",
    "/reviews/reconsideration/corrected",
    "/reviews/litigation_after_reconsideration/total",
    "/active_disclosure/regulations/issued",
    "/fees/amount_collected",
]


def test_single_cell_mutations_in_the_workbook_match_the_json(filled, cell_map, tmp_path, example):
    from report_kit import validate

    for pointer in MUTATED:
        sheet, cell = cell_map[pointer]
        path = copy_with(filled, tmp_path, {(sheet, cell): get(example, pointer) + 2})
        from_xlsx = as_json(check_file(path))
        sub = json.loads(json.dumps(example))
        node = sub
        *parents, last = pointer.strip("/").split("/")
        for part in parents:
            node = node[part]
        node[last] += 2
        from_json = [f.to_dict() for f in validate(sub).findings]
        assert from_json, pointer
        assert [(f["rule"], f["message"]) for f in from_xlsx["findings"]] == [
            (f["rule"], f["message"]) for f in from_json
        ], pointer
        for finding in from_xlsx["findings"]:
            assert finding["locations"]
            for loc in finding["locations"]:
                assert loc.get("sheet") and loc.get("cell"), (pointer, finding)


def sheet_part(filled: Path, name: str) -> str:
    index = openpyxl.load_workbook(filled, read_only=True).sheetnames.index(name) + 1
    return f"xl/worksheets/sheet{index}.xml"


FAR = [
    ("last cell of the grid", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'),
    ("prefixed tags", b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="1048576">'
     b'<x:c r="XFD1048576" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row>'),
    ("positions implied", b"<row/>" * 1_100_000 + b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'),
]  # fmt: skip


@pytest.mark.parametrize(("what", "rows"), FAR, ids=[f[0] for f in FAR])
def test_a_cell_far_from_the_table_is_refused_not_a_crash(filled, tmp_path, what, rows):
    """One stray entry in XFD1048576 would make the reader build a grid of 17 billion cells."""
    part = sheet_part(filled, "表三")
    out = rewrite(
        filled,
        tmp_path / "远.xlsx",
        lambda n, d: d.replace(b"</sheetData>", rows + b"</sheetData>") if n == part else d,
    )
    result = subprocess.run(
        [sys.executable, "-m", "report_kit", "check", str(out), "--format", "json"],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr.decode(errors="replace")[-500:]
    (finding,) = json.loads(result.stdout.decode("utf-8"))["findings"]
    assert finding["rule"] == "F.too_large"
    assert "Ctrl+End" in finding["message"]


def test_notes_typed_beside_the_table_are_fine(filled, tmp_path):
    path = copy_with(
        filled, tmp_path, {("表三", "Z40"): "备注：数据已核对", ("表四", "A200"): "经办人：张三"}
    )
    assert check_file(path).findings == []


def test_a_lying_shared_string_count_is_refused_not_a_crash(tmp_path):
    """calamine reserves memory for the declared count: 4 000 000 000 strings abort the process."""
    import re

    resaved = ROOT / "tests" / "fixtures" / "workbooks" / "libreoffice-resaved.xlsx"
    out = rewrite(
        resaved,
        tmp_path / "字符串.xlsx",
        lambda n, d: (
            re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4000000000"', d)
            if n == "xl/sharedStrings.xml"
            else d
        ),
    )
    result = subprocess.run(
        [sys.executable, "-m", "report_kit", "check", str(out), "--format", "json"],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr.decode(errors="replace")[-500:]
    assert [f["rule"] for f in json.loads(result.stdout.decode("utf-8"))["findings"]] == ["F.hostile"]


def test_an_infinite_number_in_a_cell_is_a_cell_error(filled, cell_map, tmp_path):
    import re

    sheet, cell = cell_map["/applications/received/natural_person"]
    part = sheet_part(filled, sheet)
    pattern = re.compile(rb'(<c r="' + cell.encode() + rb'"[^>]*>)<v>[^<]*</v>')
    out = rewrite(
        filled, tmp_path / "大.xlsx", lambda n, d: pattern.sub(rb"\1<v>1e999999</v>", d) if n == part else d
    )
    (finding,) = check_file(out).findings
    assert finding.rule == "S.cell_text"
    assert (finding.locations[0].sheet, finding.locations[0].cell) == (sheet, cell)


def test_previous_from_a_filled_workbook(filled, tmp_path, example):
    out = tmp_path / "2025.xlsx"
    assert run("template", "-o", out, "--previous", filled).exit_code == 0
    sub = read_submission(out).submission
    assert sub["year"] == 2025
    assert sub["applications"]["carried_over"] == example["applications"]["carried_forward"]


def test_template_year_is_explained_in_chinese(tmp_path):
    for year in ("1990", "2024年"):
        result = run_raw("template", "-o", tmp_path / "x.xlsx", "--year", year)
        assert result.exit_code == 2
        assert "报告年度" in result.output or "年份" in result.output
        assert "is not in the range" not in result.output
    assert run("template", "-o", tmp_path / "y.xlsx", "--year", "２０２４").exit_code == 0
    assert read_submission(tmp_path / "y.xlsx").submission["year"] == 2024


def run_raw(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_enumerations_typed_with_stray_spaces(filled, tmp_path):
    path = copy_with(
        filled,
        tmp_path,
        {("基本信息", "B4"): " 政府部门 ", ("基本信息", "B5"): "县级\u3000", ("基本信息", "B9"): "本机关\n"},
    )
    assert check_file(path).findings == []
    sub = read_submission(path).submission
    assert (sub["unit"]["kind"], sub["unit"]["level"], sub["scope"]) == ("department", "county", "agency")
