"""``report-kit build`` end to end through click's CliRunner: what is built, when, and what is said."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from report_kit.cli import main
from report_kit.findings import FileReport, Finding, Location
from report_kit.readers import read_submission
from report_kit.report_content import DRAFT_MARK

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.yaml"
INVALID = ROOT / "examples" / "invalid"
DEFAULT_NAME = "轮台县市场监督管理局2024年政府信息公开工作年度报告.docx"

runner = CliRunner()


def _json(path: Path, submission: dict) -> str:
    path.write_text(json.dumps(submission, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_default_output_is_the_report_title_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert Path(DEFAULT_NAME).is_file()
    assert os.listdir(".") == [DEFAULT_NAME], "no temporary files left behind"
    assert f"已生成 {Path.cwd() / DEFAULT_NAME}" in result.stderr
    assert result.stdout == ""
    mode = stat.S_IMODE(os.stat(DEFAULT_NAME).st_mode)
    assert mode & 0o044, "the report is readable by colleagues and the web server"


def test_docx_html_and_errors_from_yaml(tmp_path):
    out, page, errors = tmp_path / "报告.docx", tmp_path / "报告.html", tmp_path / "错误清单.json"
    result = runner.invoke(
        main, ["build", str(EXAMPLE), "-o", str(out), "--html", str(page), "--errors", str(errors)]
    )
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    assert document.paragraphs[0].text == "轮台县市场监督管理局\n2024年政府信息公开工作年度报告"
    assert '<html lang="zh-CN">' in page.read_text(encoding="utf-8")
    data = json.loads(errors.read_text(encoding="utf-8"))
    assert data["valid"] is True and data["findings"] == []


def test_errors_block_the_build_without_force(tmp_path):
    out, errors = tmp_path / "报告.docx", tmp_path / "错误清单.csv"
    source = INVALID / "01-balance.yaml"
    result = runner.invoke(main, ["build", str(source), "-o", str(out), "--errors", str(errors)])
    assert result.exit_code == 1
    assert not out.exists()
    assert "结果：未通过（错误 2 项" in result.stdout
    assert "T3.balance" in result.stdout and "相差1" in result.stdout
    assert "--force" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    rows = list(csv.reader(io.StringIO(errors.read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["文件", "单位", "年度", "规则"]
    assert [row[3] for row in rows[1:]] == ["T3.balance", "T3.balance"]


def test_force_builds_a_marked_draft_with_the_errors_annex(tmp_path):
    out, page = tmp_path / "草稿.docx", tmp_path / "草稿.html"
    source = INVALID / "01-balance.yaml"
    result = runner.invoke(main, ["build", str(source), "--force", "-o", str(out), "--html", str(page)])
    assert result.exit_code == 0, result.output
    assert "草稿" in result.stderr
    document = docx.Document(str(out))
    assert document.paragraphs[0].text == DRAFT_MARK
    assert document.sections[0].header.paragraphs[0].text == DRAFT_MARK
    texts = [p.text for p in document.paragraphs]
    assert "附件：校验错误清单" in texts
    assert document.tables[-1].rows[1].cells[1].text == "T3.balance"
    html = page.read_text(encoding="utf-8")
    assert DRAFT_MARK in html and "附件：校验错误清单" in html


def test_warnings_are_printed_and_do_not_block(tmp_path):
    submission = read_submission(EXAMPLE).submission
    del submission["text"]["overview"]["platforms"]
    out = tmp_path / "报告.docx"
    result = runner.invoke(main, ["build", _json(tmp_path / "w.json", submission), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "[警告]" in result.stdout and "结果：通过" in result.stdout
    assert out.is_file()
    assert DRAFT_MARK not in "".join(p.text for p in docx.Document(str(out)).paragraphs)


@pytest.mark.parametrize("name", ["08-not-json.json", "missing.yaml"])
def test_unreadable_submission_exits_one_without_traceback(tmp_path, name):
    result = runner.invoke(main, ["build", str(INVALID / name), "--force", "-o", str(tmp_path / "x.docx")])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "未生成报告" in result.stderr
    assert not (tmp_path / "x.docx").exists()


def test_errors_file_with_an_unknown_suffix_is_a_usage_error(tmp_path):
    result = runner.invoke(main, ["build", str(EXAMPLE), "-o", str(tmp_path / "r.docx"), "--errors", "e.txt"])
    assert result.exit_code == 2
    assert ".xlsx" in result.output and "扩展名" in result.output


def test_bad_template_is_a_usage_error_in_chinese(tmp_path):
    template = tmp_path / "house.docx"
    template.write_bytes(b"PK\x03\x04 not really")
    result = runner.invoke(
        main, ["build", str(EXAMPLE), "-o", str(tmp_path / "r.docx"), "--template", str(template)]
    )
    assert result.exit_code == 2
    assert "不是可用的Word文档" in result.output
    assert not (tmp_path / "r.docx").exists()


def test_house_template_with_missing_style_is_completed(tmp_path):
    from docx.oxml.ns import qn

    from report_kit.writers.report_docx import builtin_template

    house = docx.Document(str(builtin_template()))
    for style in list(house.styles.element.findall(qn("w:style"))):
        if style.find(qn("w:name")).get(qn("w:val")) == "Signature":
            house.styles.element.remove(style)
    house.add_paragraph("本模板示例文字")  # the template's body is replaced by the report
    template = tmp_path / "house.docx"
    house.save(str(template))
    out = tmp_path / "r.docx"
    result = runner.invoke(main, ["build", str(EXAMPLE), "-o", str(out), "--template", str(template)])
    assert result.exit_code == 0, result.output
    assert "“Signature”" in result.stderr
    document = docx.Document(str(out))
    assert "本模板示例文字" not in [p.text for p in document.paragraphs]
    assert [p.text.strip() for p in document.paragraphs if p.style.name == "Signature"] == [
        "轮台县市场监督管理局",
        "2025年1月20日",
    ]


def test_workbook_submission_builds_the_same_tables(tmp_path):
    from test_build_docx import assert_tables_match

    from report_kit.writers.template_xlsx import write_workbook

    submission = read_submission(EXAMPLE).submission
    workbook = tmp_path / "填报.xlsx"
    write_workbook(workbook, submission)
    out = tmp_path / "r.docx"
    result = runner.invoke(main, ["build", str(workbook), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert_tables_match(docx.Document(str(out)), submission)


def test_xlsx_errors_file_neutralises_formulas(tmp_path):
    from openpyxl import load_workbook

    from report_kit.writers.errors_file import write_errors

    finding = Finding(
        rule="X.test",
        severity="error",
        message='=HYPERLINK("http://evil")',
        locations=(Location("/text/problems", "五、存在的主要问题及改进情况"),),
        suggestion="@SUM(A1)",
    )
    report = FileReport(file="=cmd.yaml", findings=[finding], unit="-某局", year=2024)
    path = tmp_path / "错误清单.xlsx"
    assert write_errors(report, path) == "xlsx"
    sheet = load_workbook(path).active
    assert sheet.title == "校验错误清单"
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]]))
    assert row["文件"] == "'=cmd.yaml" and row["单位"] == "'-某局"
    assert row["问题"] == '\'=HYPERLINK("http://evil")' and row["修改建议"] == "'@SUM(A1)"
    assert row["年度"] == 2024 and row["规则"] == "X.test" and row["级别"] == "错误"
    assert all(c.data_type != "f" for c in sheet[2])


def test_unwritable_output_is_a_message_not_a_traceback(tmp_path):
    not_a_folder = tmp_path / "报告"
    not_a_folder.write_text("这是一个文件", encoding="utf-8")
    result = runner.invoke(main, ["build", str(EXAMPLE), "-o", str(not_a_folder / "r.docx")])
    assert result.exit_code == 1
    assert "无法写入" in result.output and "Traceback" not in result.output
    assert not_a_folder.read_text(encoding="utf-8") == "这是一个文件"


@pytest.mark.parametrize("option", ["-o", "--html", "--errors"])
def test_an_output_naming_the_submission_is_refused_and_the_input_kept(tmp_path, option):
    submission = tmp_path / "填报.json"
    _json(submission, read_submission(EXAMPLE).submission)
    before = submission.read_bytes()
    args = ["build", str(submission), "-o", str(tmp_path / "r.docx")]
    if option == "-o":
        args = ["build", str(submission), "-o", str(tmp_path / "." / "填报.json")]
    else:
        args += [option, str(submission)]
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "输入文件" in result.output
    assert submission.read_bytes() == before
    assert not (tmp_path / "r.docx").exists()


def test_two_outputs_on_one_file_are_refused(tmp_path):
    out = tmp_path / "r.docx"
    result = runner.invoke(main, ["build", str(EXAMPLE), "-o", str(out), "--html", str(out)])
    assert result.exit_code == 2
    assert "同一个文件" in result.output and not out.exists()


def test_a_very_long_unit_name_still_gives_a_file_name_the_disk_accepts(tmp_path, monkeypatch):
    submission = read_submission(EXAMPLE).submission
    submission["unit"]["name"] = "轮台县" * 40 + "市场监督管理局"
    submission["published_on"] = str(submission["published_on"])
    source = _json(tmp_path / "long.json", submission)
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path / "out")
    result = runner.invoke(main, ["build", source])
    assert "Traceback" not in result.output
    (name,) = os.listdir(".")
    assert name.endswith("市场监督管理局2024年政府信息公开工作年度报告.docx")
    assert len(name.encode("utf-8")) <= 230
    assert docx.Document(name).paragraphs[0].text.startswith("轮台县轮台县")


def test_a_word_template_dotx_is_accepted_and_the_report_is_a_document(tmp_path):
    import zipfile

    from report_kit.writers.report_docx import builtin_template

    dotx = tmp_path / "公文模板.dotx"
    with zipfile.ZipFile(builtin_template()) as source, zipfile.ZipFile(dotx, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            target.writestr(item, data)
    before = dotx.read_bytes()
    out = tmp_path / "r.docx"
    result = runner.invoke(main, ["build", str(EXAMPLE), "-o", str(out), "--template", str(dotx)])
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    assert document.part.content_type.endswith("document.main+xml")
    assert document.paragraphs[0].text.replace("\n", "") == DEFAULT_NAME.removesuffix(".docx")
    assert dotx.read_bytes() == before, "the template is an input: never modified"
