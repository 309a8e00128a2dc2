"""``check --annotate``: a coloured, commented copy; the input is never touched."""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from report_kit.check import check_file
from report_kit.cli import main
from report_kit.workbook_map import workbook_map
from report_kit.writers.annotate import FILLS, RESULT_SHEET, annotate_workbook
from report_kit.writers.template_xlsx import write_workbook

from conftest import TODAY

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "轮台县市场监督管理局-2024.json"
WMAP = workbook_map()
runner = CliRunner()


@pytest.fixture
def faulty(tmp_path):
    """A filled template with one text cell, one unbalanced count and one blank cell."""
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    path = tmp_path / "填报.xlsx"
    write_workbook(path, example)
    book = openpyxl.load_workbook(path)
    book["表三"]["D7"] = "12件"
    book["表三"]["D8"] = example["applications"]["carried_over"]["natural_person"] + 1
    book["表四"]["F7"] = None
    book.save(path)
    old = os.stat(path).st_mtime_ns - 5_000_000_000
    os.utime(path, ns=(old, old))
    return path


def _fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:] if cell.fill and cell.fill.fill_type == "solid" else ""


def test_annotated_copy_marks_cells_and_leaves_the_input_alone(tmp_path, faulty):
    before, mtime = faulty.read_bytes(), os.stat(faulty).st_mtime_ns
    out = tmp_path / "批注.xlsx"
    result = runner.invoke(main, ["check", str(faulty), "--annotate", str(out), "--today", "2030-06-01"])
    assert result.exit_code == 1
    assert "已生成标注副本" in result.output and "原文件未改动" in result.output
    assert faulty.read_bytes() == before and os.stat(faulty).st_mtime_ns == mtime

    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == RESULT_SHEET
    t3, t4 = book["表三"], book["表四"]
    assert _fill(t3["D7"]) == FILLS["error"]
    assert "S.cell_text" in t3["D7"].comment.text and "12件" in t3["D7"].comment.text
    assert _fill(t3["E8"]) == "FFFFFF"  # untouched cells keep the template's white
    assert _fill(t4["F7"]) == FILLS["warning"] and "为空，已按0处理" in t4["F7"].comment.text
    total = t3["J8"]  # 上年结转 · 总计 no longer equals its parts: error, and the template's hint kept
    assert _fill(total) == FILLS["error"]
    assert "T3.applicant_total" in total.comment.text and "应等于本行" in total.comment.text
    listed = [row[1].value for row in book[RESULT_SHEET].iter_rows(min_row=3)]
    report = check_file(faulty, today=TODAY)
    assert listed == [f.rule for f in report.findings]
    # the copy is still a template that reads to the same findings
    assert [f.rule for f in check_file(out, today=TODAY).findings] == listed


def test_annotate_writes_atomically_and_refuses_to_overwrite_the_input(tmp_path, faulty):
    report = check_file(faulty, today=TODAY)
    message = annotate_workbook(faulty, report, faulty)
    assert message.startswith("未生成标注副本") and "不能与被检查的文件相同" in message
    out = tmp_path / "sub" / "批注.xlsx"
    assert annotate_workbook(faulty, report, out).startswith("已生成标注副本")
    assert [p.name for p in out.parent.iterdir()] == ["批注.xlsx"]  # no temporary file left behind


def test_annotate_on_a_non_workbook_explains_itself(tmp_path):
    path = tmp_path / "报告.json"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "批注.xlsx"
    result = runner.invoke(main, ["check", str(path), "--annotate", str(out), "--today", "2025-06-01"])
    assert result.exit_code == 0
    assert "--annotate 只适用于Excel工作簿" in result.output and "JSON" in result.output
    assert not out.exists()


def test_annotate_on_an_unreadable_workbook(tmp_path):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(b"PK\x03\x04broken")
    out = tmp_path / "批注.xlsx"
    result = runner.invoke(main, ["check", str(path), "--annotate", str(out)])
    assert result.exit_code == 1 and "未生成标注副本" in result.output
    assert not out.exists()


def test_annotate_needs_an_xlsx_name(tmp_path, faulty):
    message = annotate_workbook(faulty, check_file(faulty, today=TODAY), tmp_path / "批注.pdf")
    assert "应以 .xlsx 结尾" in message


def test_findings_without_a_cell_go_to_the_result_sheet(tmp_path):
    from hostile import write_xlsx

    path = write_xlsx(tmp_path / "plain.xlsx")
    report = check_file(path, today=TODAY)
    out = tmp_path / "批注.xlsx"
    assert annotate_workbook(path, report, out).startswith("已生成标注副本")
    rows = list(openpyxl.load_workbook(out)[RESULT_SHEET].iter_rows(min_row=3, values_only=True))
    assert rows[0][1] == "S.workbook" and "不是report_kit生成的填报模板" in rows[0][3]


def test_annotate_on_a_workbook_that_only_calamine_could_open(tmp_path, faulty, monkeypatch):
    import openpyxl.reader.excel

    def broken(*args, **kwargs):
        raise KeyError("xl/styles.xml")

    report = check_file(faulty, today=TODAY)
    monkeypatch.setattr(openpyxl, "load_workbook", broken)
    monkeypatch.setattr(openpyxl.reader.excel, "load_workbook", broken)
    out = tmp_path / "批注.xlsx"
    message = annotate_workbook(faulty, report, out)
    assert message.startswith("未生成标注副本") and "损坏" in message
    assert not out.exists()


def test_annotate_refuses_a_damaged_workbook_and_an_unwritable_target(tmp_path, faulty):
    from hostile import rewrite_zip

    damaged = rewrite_zip(
        faulty, tmp_path / "坏.xlsx", {"xl/worksheets/sheet4.xml": b"<worksheet><sheetData><row"}
    )
    result = runner.invoke(main, ["check", str(damaged), "--annotate", str(tmp_path / "批注.xlsx")])
    assert result.exit_code == 1 and "未生成标注副本" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "批注.xlsx").exists()
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    message = annotate_workbook(faulty, check_file(faulty, today=TODAY), blocker / "批注.xlsx")
    assert message.startswith("未生成标注副本") and "无法写入" in message


def test_annotate_target_that_is_not_xlsx_is_a_usage_error(tmp_path, faulty):
    result = CliRunner().invoke(main, ["check", str(faulty), "--annotate", str(tmp_path / "批注.xls")])
    assert result.exit_code == 2 and ".xlsx" in result.output
    assert not (tmp_path / "批注.xls").exists()
