"""Reading filled workbooks: clerks' quirks, other writers, altered structure, LibreOffice."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from click.testing import CliRunner

from report_kit.check import check_file
from report_kit.cli import main
from report_kit.readers import read_submission
from report_kit.readers.xlsx import read_workbook
from report_kit.workbook_map import META_SHEET, PROPERTY_VERSION, a1, workbook_map
from report_kit.writers.template_xlsx import write_workbook

from conftest import TODAY
from hostile import write_xlsx

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "轮台县市场监督管理局-2024.json"
WMAP = workbook_map()
runner = CliRunner()

RECEIVED = "/applications/received/natural_person"  # 表三!D7
AMOUNT = "/active_disclosure/fees/amount"  # 表二, 万元


@pytest.fixture(scope="module")
def example():
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def filled(tmp_path_factory, example):
    path = tmp_path_factory.mktemp("filled") / "填报.xlsx"
    write_workbook(path, example)
    return path


def _edit(src: Path, dst: Path, changes: dict[str, object]) -> Path:
    """Copy a workbook with openpyxl, setting pointer → value (the way a clerk's typing lands)."""
    book = openpyxl.load_workbook(src)
    for pointer, value in changes.items():
        slot = WMAP.slots[pointer]
        book[slot.sheet][slot.address] = value
    book.save(dst)
    return dst


def _only(findings, rule):
    found = [f for f in findings if f.rule == rule]
    assert len(found) == 1, [f.to_dict() for f in findings]
    return found[0]


# ---------------------------------------------------------------- a clean reading


def test_filled_template_reads_back_exactly(filled, example):
    result = read_workbook(filled)
    assert result.findings == []
    assert result.submission == example
    assert result.kind == "xlsx"
    assert result.source_map[RECEIVED] == ("表三", "D7")
    report = check_file(filled, today=TODAY)
    assert report.valid and report.findings == [] and report.source_kind == "xlsx"


# ---------------------------------------------------------------- what clerks type


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (5, 5),
        (5.0, 5),
        ("１２", 12),
        ("1,200", 1200),
        ("1，200", 1200),
        (" 7 ", 7),
        ("12.0", 12),
        ("\u30008\u3000", 8),
        ("'15", 15),  # Excel's text marker, stored literally by some programs
    ],
)
def test_numbers_are_accepted_silently(tmp_path, filled, typed, expected):
    result = read_workbook(_edit(filled, tmp_path / "n.xlsx", {RECEIVED: typed}))
    assert result.findings == []
    value = result.submission["applications"]["received"]["natural_person"]
    assert value == expected and type(value) is int


@pytest.mark.parametrize(
    ("typed", "found", "hint"),
    [
        ("12件", "12件", "，应填12"),
        ("十二", "十二", "，应填12"),
        ("共12件", "共12件", "，应填12"),
        ("/", "/", "应填0"),
        ("—", "—", "应填0"),
        ("无", "无", "应填0"),
        ("若干", "若干", ""),
        (2.5, "2.5", "件数应为整数"),
        ("2.5件", "2.5件", "件数应为整数"),
        (dt.datetime(2024, 3, 5), "2024-03-05", "日期"),
        (True, "TRUE", "是/否"),
        ("=SUM(E7:I7)", "=SUM(E7:I7)", "公式没有保存计算结果"),
    ],
)
def test_text_in_a_count_cell_is_an_error_at_that_cell(tmp_path, filled, typed, found, hint):
    path = _edit(filled, tmp_path / "t.xlsx", {RECEIVED: typed})
    result = read_workbook(path)
    finding = _only(result.findings, "S.cell_text")
    assert finding.severity == "error"
    location = finding.locations[0]
    assert (location.pointer, location.sheet, location.cell) == (RECEIVED, "表三", "D7")
    assert location.label == "一、本年新收政府信息公开申请数量 · 自然人"
    assert finding.message.startswith("表三!D7“一、本年新收政府信息公开申请数量 · 自然人”应填数字")
    assert f"实际为“{found}”" in finding.message
    assert hint in finding.message
    assert finding.suggestion
    # the raw text stands in the submission, so no rule computes with it …
    assert isinstance(result.submission["applications"]["received"]["natural_person"], (str, float))
    # … and check shows the reader's finding alone: no schema duplicate, no arithmetic noise
    report = check_file(path, today=TODAY)
    rules = [f.rule for f in report.findings]
    assert rules == ["S.cell_text"], rules
    assert "T3.balance（自然人）" in report.not_evaluated


def test_obvious_cleaned_value_is_the_suggestion(tmp_path, filled):
    result = read_workbook(_edit(filled, tmp_path / "s.xlsx", {RECEIVED: "十二"}))
    assert "12" in result.findings[0].suggestion


def test_amount_cells_take_decimals(tmp_path, filled):
    result = read_workbook(_edit(filled, tmp_path / "a.xlsx", {AMOUNT: "12.5"}))
    assert result.findings == [] and result.submission["active_disclosure"]["fees"]["amount"] == 12.5
    result = read_workbook(_edit(filled, tmp_path / "b.xlsx", {AMOUNT: "12.5万元"}))
    assert "应填12.5" in _only(result.findings, "S.cell_text").message


def test_negative_number_is_reported_by_the_schema_at_the_cell(tmp_path, filled):
    report = check_file(_edit(filled, tmp_path / "neg.xlsx", {RECEIVED: -3}), today=TODAY)
    assert [f.rule for f in report.findings] == ["S.negative"]
    assert report.findings[0].locations[0].address == "表三!D7"


def test_blank_count_is_zero_with_a_warning(tmp_path, filled, example):
    path = _edit(filled, tmp_path / "blank.xlsx", {"/reviews/litigation_direct/upheld": None})
    result = read_workbook(path)
    warning = _only(result.findings, "S.blank_cell")
    assert warning.severity == "warning"
    assert warning.locations[0].address == "表四!F7"
    assert result.submission["reviews"]["litigation_direct"]["upheld"] == 0


def test_text_output_names_the_cell(tmp_path, filled):
    path = _edit(filled, tmp_path / "cli.xlsx", {RECEIVED: "12件"})
    result = runner.invoke(main, ["check", str(path), "--today", "2030-06-01"])
    assert result.exit_code == 1
    assert "S.cell_text  表三!D7" in result.output
    data = json.loads(
        runner.invoke(main, ["check", str(path), "--format", "json", "--today", "2030-06-01"]).output
    )
    assert data["findings"][0]["locations"][0] == {
        "pointer": RECEIVED,
        "sheet": "表三",
        "cell": "D7",
        "label": "一、本年新收政府信息公开申请数量 · 自然人",
    }


def test_arithmetic_findings_carry_cells(tmp_path, filled, example):
    value = example["applications"]["received"]["natural_person"]
    report = check_file(_edit(filled, tmp_path / "bal.xlsx", {RECEIVED: value + 2}), today=TODAY)
    balance = next(f for f in report.findings if f.rule == "T3.balance")
    assert [loc.address for loc in balance.locations][:2] == ["表三!D7", "表三!D30"]


# ---------------------------------------------------------------- meta fields


@pytest.mark.parametrize(
    ("pointer", "typed", "expected"),
    [
        ("/unit/kind", "政府部门", "department"),
        ("/unit/kind", "department", "department"),
        ("/unit/level", " 市级（设区的市） ", "city"),
        ("/scope", "本级政府", "government"),
        ("/published_on", dt.datetime(2025, 1, 20), "2025-01-20"),
        ("/published_on", "2025年1月20日", "2025-01-20"),
        ("/published_on", "2025/1/2", "2025-01-02"),
        ("/published_on", 45677, "2025-01-20"),
        ("/unit/code", 11652822, "11652822"),  # digits typed into a number cell
        ("/year", "２０２４", 2024),
        ("/year", 2024.0, 2024),
        ("/text/problems", "第一段\r\n第二段", "第一段\n第二段"),
    ],
)
def test_meta_and_text_values(tmp_path, filled, pointer, typed, expected):
    result = read_workbook(_edit(filled, tmp_path / "m.xlsx", {pointer: typed}))
    node = result.submission
    for part in pointer.strip("/").split("/"):
        node = node[part]
    assert node == expected
    assert not [f for f in result.findings if f.severity == "error"]


def test_bad_meta_values_are_found_at_their_cells(tmp_path, filled):
    path = _edit(
        filled,
        tmp_path / "meta.xlsx",
        {"/unit/kind": "部委", "/published_on": "明年", "/year": "2024年", "/unit/name": None},
    )
    report = check_file(path, today=TODAY)
    where = {f.rule: f.locations[0].address for f in report.findings}
    assert where["S.enum"] == "基本信息!B4"
    assert where["S.date"] == "基本信息!B10"
    assert where["S.cell_text"] == "基本信息!B8"
    assert where["S.required"] == "基本信息!B3"
    assert "应填2024" in next(f.message for f in report.findings if f.rule == "S.cell_text")


def test_optional_blanks_stay_absent(tmp_path, filled):
    path = _edit(
        filled, tmp_path / "opt.xlsx", {"/unit/region": None, "/unit/code": " ", "/text/other/more": None}
    )
    submission = read_workbook(path).submission
    assert "region" not in submission["unit"] and "code" not in submission["unit"]
    assert "more" not in submission["text"]["other"]


# ---------------------------------------------------------------- not a template, altered structure


def test_plain_workbook_is_not_a_template(tmp_path):
    result = read_workbook(write_xlsx(tmp_path / "plain.xlsx"))
    assert result.submission is None
    finding = _only(result.findings, "S.workbook")
    assert "不是report_kit生成的填报模板" in finding.message
    assert "report-kit template" in finding.suggestion


def test_unknown_template_version(tmp_path, filled):
    book = openpyxl.load_workbook(filled)
    book[META_SHEET]["B2"] = "report_kit-template-99"
    book.custom_doc_props.props = []
    book.save(tmp_path / "future.xlsx")
    result = read_workbook(tmp_path / "future.xlsx")
    assert result.submission is None
    assert "report_kit-template-99" in _only(result.findings, "S.workbook").message


@pytest.mark.parametrize("where", ["sheet", "properties"])
def test_unknown_version_in_either_copy_of_the_metadata_is_refused(tmp_path, filled, where):
    from openpyxl.packaging.custom import StringProperty

    book = openpyxl.load_workbook(filled)
    if where == "sheet":
        book[META_SHEET]["B2"] = "report_kit-template-99"
    else:
        props = [p for p in book.custom_doc_props.props if p.name != PROPERTY_VERSION]
        book.custom_doc_props.props = [
            *props,
            StringProperty(name=PROPERTY_VERSION, value="report_kit-template-99"),
        ]
    book.save(tmp_path / "mixed.xlsx")
    result = read_workbook(tmp_path / "mixed.xlsx")
    assert result.submission is None
    assert "report_kit-template-99" in _only(result.findings, "S.workbook").message


def test_metadata_from_properties_when_the_hidden_sheet_is_gone(tmp_path, filled, example):
    book = openpyxl.load_workbook(filled)
    del book[META_SHEET]
    book.save(tmp_path / "props.xlsx")
    assert read_workbook(tmp_path / "props.xlsx").submission == example
    book.custom_doc_props.props = [p for p in book.custom_doc_props.props if p.name != PROPERTY_VERSION]
    book.save(tmp_path / "none.xlsx")
    assert "不是report_kit生成的填报模板" in read_workbook(tmp_path / "none.xlsx").findings[0].message


def test_inserted_row_is_detected_not_misread(tmp_path, filled):
    book = openpyxl.load_workbook(filled)
    book["表三"].protection.sheet = False
    book["表三"].insert_rows(9)
    book.save(tmp_path / "inserted.xlsx")
    result = read_workbook(tmp_path / "inserted.xlsx")
    assert result.submission is None
    message = _only(result.findings, "S.workbook").message
    assert "工作表“表三”的结构被改动" in message and "插入或删除" in message


def test_deleted_column_is_detected(tmp_path, filled):
    book = openpyxl.load_workbook(filled)
    book["表四"].delete_cols(2)
    book.save(tmp_path / "deleted.xlsx")
    assert "表四" in _only(read_workbook(tmp_path / "deleted.xlsx").findings, "S.workbook").message


def test_renamed_or_removed_sheet(tmp_path, filled):
    book = openpyxl.load_workbook(filled)
    book["表四"].title = "表4"
    book.save(tmp_path / "renamed.xlsx")
    message = _only(read_workbook(tmp_path / "renamed.xlsx").findings, "S.workbook").message
    assert "缺少工作表“表四”" in message


def test_edited_label_is_detected(tmp_path, filled):
    book = openpyxl.load_workbook(filled)
    book["表二"]["A6"] = "地方政府规章"
    book.save(tmp_path / "label.xlsx")
    message = _only(read_workbook(tmp_path / "label.xlsx").findings, "S.workbook").message
    assert "A6单元格应为“规章”，实际为“地方政府规章”" in message


# ---------------------------------------------------------------- other writers


def test_openpyxl_resave_drops_formula_values_and_is_reported(tmp_path, filled):
    """A program that rewrites the file without calculating leaves formulas with no value."""
    path = _edit(filled, tmp_path / "formula.xlsx", {"/applications/received/total": "=SUM(D7:I7)"})
    book = openpyxl.load_workbook(path)
    book.save(tmp_path / "resaved.xlsx")
    result = read_workbook(tmp_path / "resaved.xlsx")
    finding = _only(result.findings, "S.cell_text")
    assert finding.locations[0].address == "表三!J7" and "=SUM(D7:I7)" in finding.message


def test_openpyxl_load_and_save_reads_the_same(tmp_path, filled, example):
    book = openpyxl.load_workbook(filled)
    book.save(tmp_path / "resaved.xlsx")
    result = read_workbook(tmp_path / "resaved.xlsx")
    assert result.findings == [] and result.submission == example


def _calamine_values(path: Path) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    try:
        return {
            name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names
        }
    finally:
        book.close()


def test_values_only_copy_by_another_writer(tmp_path, filled, example):
    """No styles, no merges, no protection, no properties: the values alone must suffice."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in _calamine_values(filled).items():
        ws = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value != "":
                    ws.cell(r, c, value)
    book[META_SHEET].sheet_state = "hidden"
    book.save(tmp_path / "copy.xlsx")
    result = read_submission(tmp_path / "copy.xlsx")
    assert result.findings == [] and result.submission == example


def _cell_xml(ref: str, value) -> str:
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()[:10]
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _write_minimal_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """The bare OOXML a business system writes: inline strings, no styles, no shared strings."""
    names = list(sheets)
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(names) + 1)
        )
        + "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"'
            + (' state="veryHidden"' if name == META_SHEET else "")
            + "/>"
            for i, name in enumerate(names, start=1)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        + "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        for i, name in enumerate(names, start=1):
            rows = "".join(
                f'<row r="{r}">'
                + "".join(_cell_xml(a1(r, c), v) for c, v in enumerate(row, start=1) if v != "")
                + "</row>"
                for r, row in enumerate(sheets[name], start=1)
            )
            archive.writestr(
                f"xl/worksheets/sheet{i}.xml",
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f"<sheetData>{rows}</sheetData></worksheet>",
            )
    return path


def test_minimal_inline_string_workbook(tmp_path, filled, example):
    values = _calamine_values(filled)
    slot = WMAP.slots[RECEIVED]
    values["表三"][slot.row - 1][slot.col - 1] = "１２"  # and numbers stored as text
    path = _write_minimal_xlsx(tmp_path / "minimal.xlsx", values)
    report = check_file(path, today=TODAY)
    expected = json.loads(json.dumps(example))
    expected["applications"]["received"]["natural_person"] = 12
    assert report.submission == expected
    assert {f.rule for f in report.findings} <= {"T3.balance", "T3.applicant_total", "X.received"}


# ---------------------------------------------------------------- LibreOffice


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(
    _soffice() is None,
    reason="LibreOffice (soffice) is not installed; the openpyxl and "
    "minimal-writer tests above cover re-saved workbooks without it",
)
def test_libreoffice_round_trip(tmp_path, filled, example):
    source = _edit(filled, tmp_path / "source.xlsx", {"/applications/received/total": "=SUM(D7:I7)"})
    out = tmp_path / "out"
    profile = (tmp_path / "lo-profile").as_uri()
    completed = subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    resaved = out / "source.xlsx"
    assert resaved.exists(), completed.stderr.decode(errors="replace")
    with zipfile.ZipFile(resaved) as archive:
        assert b"LibreOffice" in archive.read("docProps/app.xml")
    result = read_workbook(resaved)
    assert result.findings == [], [f.message for f in result.findings]
    assert result.submission == example  # the formula came back with LibreOffice's cached value
    report = check_file(resaved, today=TODAY)
    assert report.valid, [f.message for f in report.findings]


@pytest.mark.skipif(
    _soffice() is None, reason="LibreOffice (soffice) is not installed; see test_workbook_fixtures.py"
)
def test_libreoffice_round_trip_keeps_every_problem_at_its_cell(tmp_path, filled):
    typed = {
        "/applications/received/natural_person": "12件",
        "/applications/carried_over/natural_person": "—",
        "/reviews/reconsideration/upheld": None,
        "/applications/received/commercial": "=1/0",
    }
    source = _edit(filled, tmp_path / "source.xlsx", typed)
    out = tmp_path / "out"
    subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    report = check_file(out / "source.xlsx", today=TODAY)
    cells = {
        (f.rule, f.locations[0].cell) for f in report.findings if f.rule in ("S.cell_text", "S.blank_cell")
    }
    expected = {
        ("S.blank_cell" if value is None else "S.cell_text", WMAP.slots[pointer].address)
        for pointer, value in typed.items()
    }
    assert cells == expected
    (error_value,) = [f for f in report.findings if f.actual == "=1/0"]
    assert "#DIV/0!" in error_value.message


def test_overwritten_format_cell_is_reported_and_the_template_format_kept(tmp_path, filled, example):
    path = _edit(filled, tmp_path / "2019.xlsx", {"/format": "2019"})
    result = read_workbook(path)
    assert result.submission["format"] == "2021"
    finding = _only(result.findings, "S.workbook")
    assert finding.locations[0].cell == WMAP.slots["/format"].address and "2019" in finding.message
    report = check_file(path, today=TODAY)
    # one finding at the cell, not dozens about 2019 keys the tables do not have
    assert [f.rule for f in report.findings] == ["S.workbook"] and not report.valid
    for typed in (2021, "２０２１", None):
        clean = read_workbook(_edit(filled, tmp_path / "ok.xlsx", {"/format": typed}))
        assert clean.findings == [] and clean.submission == example
