"""Repairs are shown wherever a finding is shown: text, JSON, CSV (every location), the
annotated workbook (the suspect cell marked apart), the --force draft, the batch review."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from report_kit.batch.outputs import JSON_NAME, UNITS_DIR, WORKBOOK_NAME, write_outputs
from report_kit.batch.run import run_batch
from report_kit.workbook_map import workbook_map
from report_kit.writers.annotate import FILLS, SUSPECT_FILL
from report_kit.writers.template_xlsx import write_workbook

from conftest import TODAY
from helpers import load_example, run

POINTER = "/applications/carried_forward/natural_person"
SHEET, CELL = workbook_map().source_map()[POINTER]


def _broken() -> tuple[dict, int]:
    example = load_example()
    true = example["applications"]["carried_forward"]["natural_person"]
    example["applications"]["carried_forward"]["natural_person"] = true + 1
    return example, true


@pytest.fixture
def broken_json(tmp_path):
    example, true = _broken()
    path = tmp_path / "市场监管局.json"
    path.write_text(json.dumps(example, ensure_ascii=False), encoding="utf-8")
    return path, true


@pytest.fixture
def broken_xlsx(tmp_path):
    example, true = _broken()
    path = tmp_path / "市场监管局.xlsx"
    write_workbook(path, example)
    return path, true


def test_text_names_the_cell(broken_xlsx):
    path, true = broken_xlsx
    result = run("check", path, "--today", TODAY.isoformat())
    assert result.exit_code == 1
    assert (
        f"最可能出错：表三 {CELL}（结转下年度·自然人）填了{true + 1}，按其他数据应为{true}" in result.output
    )


def test_json_carries_repairs_and_findings_name_them(broken_json):
    path, true = broken_json
    data = json.loads(run("check", path, "--format", "json", "--today", TODAY.isoformat()).output)
    assert [(r["pointer"], r["current"], r["suggested"], r["confidence"]) for r in data["repairs"]] == [
        (POINTER, true + 1, true, "certain")
    ]
    named = [f for f in data["findings"] if f.get("repairs") == [0]]
    assert {f["rule"] for f in named} == {"T3.balance", "T3.applicant_total"}


def test_csv_keeps_every_location_and_the_repair(broken_xlsx):
    path, true = broken_xlsx
    text = run("check", path, "--format", "csv", "--today", TODAY.isoformat()).output
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    balance = next(r for r in rows if r["规则"] == "T3.balance")
    pointers = balance["数据项"].split("；")  # 位置 is the clerk's place since issue 13
    assert pointers == ["/applications/received/natural_person", "/applications/results/total/natural_person"]
    assert balance["位置"].split("；") == [f"表三!{cell}" for cell in balance["单元格"].split("；")]
    assert len(balance["单元格"].split("；")) == 2 and len(balance["项目"].split("；")) == 2
    assert balance["最可能出错"].startswith(f"最可能出错：表三 {CELL}")


def test_annotated_workbook_marks_the_suspect_apart(tmp_path, broken_xlsx):
    path, true = broken_xlsx
    out = tmp_path / "批注.xlsx"
    result = run("check", path, "--annotate", out, "--today", TODAY.isoformat())
    assert "最可能出错的 1 格深红粗框" in result.output
    sheet = openpyxl.load_workbook(out)[SHEET]
    suspect = sheet[CELL]
    assert suspect.fill.fgColor.rgb[-6:] == SUSPECT_FILL and suspect.border.left.style == "thick"
    assert suspect.comment.text.startswith(f"【最可能出错】本格填了{true + 1}")
    received = workbook_map().source_map()["/applications/received/natural_person"][1]
    assert sheet[received].fill.fgColor.rgb[-6:] == FILLS["error"]  # merely takes part
    assert "最可能出错：" in sheet[received].comment.text


def test_force_draft_marks_the_suspect_and_lists_the_repair(tmp_path, broken_json):
    path, true = broken_json
    page = tmp_path / "报告.html"
    result = run("build", path, "-o", tmp_path / "报告.docx", "--html", page, "--force")
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert html.count('class="mark-suspect"') == 1
    assert f"填了{true + 1}，按其他数据应为{true}" in html


def test_batch_review_shows_repairs_and_every_location(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    example, true = _broken()
    write_workbook(folder / "市场监管局.xlsx", example)
    result = run_batch(folder, today=TODAY, jobs=1)
    write_outputs(result, tmp_path / "review")
    data = json.loads((tmp_path / "review" / JSON_NAME).read_text(encoding="utf-8"))
    (entry,) = data["files"]
    assert [(r["cell"], r["suggested"]) for r in entry["repairs"]] == [(CELL, true)]
    balance = next(f for f in data["findings"] if f["rule"] == "T3.balance")
    assert balance["address"].count("；") == 1 and balance["repair"].startswith("最可能出错：")
    book = openpyxl.load_workbook(tmp_path / "review" / WORKBOOK_NAME)
    sheet = book["问题清单"]
    header = [c.value for c in sheet[1]]
    column = header.index("最可能出错")
    assert any(str(row[column].value or "").startswith("最可能出错：") for row in sheet.iter_rows(min_row=2))
    (page,) = (tmp_path / "review" / UNITS_DIR).iterdir()
    assert f"按其他数据应为{true}" in page.read_text(encoding="utf-8")


def test_web_page_marks_no_cell_when_the_tables_cannot_tell():
    pytest.importorskip("starlette", reason="the web service's dependencies are not installed")
    from report_kit.serve.views import suspects

    example = load_example()
    example["reviews"]["litigation_direct"] = {
        "upheld": 2,
        "corrected": 2,
        "other": 2,
        "pending": 2,
        "total": 9,
    }
    from report_kit.validator import get_validator

    result = get_validator().validate(example, today=TODAY).to_dict()
    assert {r["confidence"] for r in result["repairs"]} == {"ambiguous"}
    assert suspects(result) == {}
    example, true = _broken()
    result = get_validator().validate(example, today=TODAY).to_dict()
    assert list(suspects(result)) == [POINTER]
