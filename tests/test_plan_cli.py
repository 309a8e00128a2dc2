"""``report-kit plan read``: the ledger JSON/xlsx, and bad input as a Chinese message with exit 1."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from report_kit.cli import main

PLANS = Path(__file__).parent / "fixtures" / "plans"
LUNTAI = next(PLANS.glob("000_*.txt"))


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def test_read_writes_the_ledger_json(tmp_path):
    out = tmp_path / "台账.json"
    result = run("plan", "read", LUNTAI, "-o", out)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) >= {"document", "tasks"}
    assert len(data["tasks"]) == 34
    assert set(data["tasks"][0]) == {
        "id", "number", "path", "text", "lead_units", "units", "unit_scope", "deadline", "inherited", "resolved",
    }  # fmt: skip
    assert "共34项任务" in result.output
    assert "各乡镇人民政府" in result.output  # unresolved names are listed, never dropped


def test_read_without_output_prints_json():
    result = run("plan", "read", LUNTAI)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["document"]["doc_no"] == "轮政办函〔2021〕8号"


def test_ledger_xlsx_prints_a4_landscape(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "台账.xlsx"
    assert run("plan", "read", next(PLANS.glob("003_*.txt")), "-o", out).exit_code == 0
    ws = load_workbook(out).active
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$2:$2"
    assert [c.value for c in ws[2]] == ["序号", "任务", "牵头单位", "责任单位", "完成时限"]
    numbers = [row[0].value for row in ws.iter_rows(min_row=3) if row[4].value]
    assert numbers == [str(n) for n in range(1, 37)]


def test_empty_file(tmp_path):
    empty = tmp_path / "空.txt"
    empty.write_bytes(b"")
    result = run("plan", "read", empty)
    assert result.exit_code == 1
    assert "空文件" in result.output and "Traceback" not in result.output


def test_no_tasks(tmp_path):
    prose = tmp_path / "通知.txt"
    prose.write_text("关于做好政务公开工作的通知\n请各单位认真落实。\n", encoding="utf-8")
    result = run("plan", "read", prose)
    assert result.exit_code == 1
    assert "没有识别出任务" in result.output


def test_unsupported_and_missing(tmp_path):
    other = tmp_path / "a.xls"
    other.write_bytes(b"x")
    assert run("plan", "read", other).exit_code == 1
    missing = run("plan", "read", tmp_path / "没有.txt")
    assert missing.exit_code == 1 and "Traceback" not in missing.output


def test_bad_output_suffix(tmp_path):
    result = run("plan", "read", LUNTAI, "-o", tmp_path / "a.csv")
    assert result.exit_code == 2
    assert ".json" in result.output
