"""``report-kit archive …``, ``report-kit history`` and ``check --archive`` through click's CliRunner."""

from __future__ import annotations

import json

from openpyxl import load_workbook
from test_history_helpers import consecutive_years, rebalance, set_column

from helpers import run, write_json
from strategies import first_example


def _pair():
    previous, current = first_example(
        consecutive_years(), lambda pair: pair[0]["applications"]["carried_forward"]["total"] > 0
    )
    previous["published_on"] = f"{previous['year'] + 1}-01-20"
    current["published_on"] = f"{current['year'] + 1}-01-20"
    return previous, current


def test_add_list_history_export_alias(tmp_path):
    previous, current = _pair()
    previous["unit"]["name"] = '=HYPERLINK("http://x")局'  # a formula-looking name must stay text
    previous["unit"].pop("code", None)
    current["unit"].pop("code", None)
    current["unit"]["name"] = "测试县数据局"
    db = str(tmp_path / "库.sqlite")
    last = write_json(tmp_path / "last.json", previous)
    this = write_json(tmp_path / "this.json", current)

    result = run("archive", "add", last, "--archive", db)
    assert result.exit_code == 0, result.output
    assert "已入库（第1版）" in result.output
    result = run("archive", "add", last, "--archive", db)
    assert "未重复入库" in result.output

    result = run("archive", "alias", previous["unit"]["name"], "测试县数据局", "--archive", db)
    assert result.exit_code == 0, result.output
    result = run("archive", "add", this, "--archive", db)
    assert result.exit_code == 0, result.output

    result = run("archive", "list", "--archive", db)
    assert result.exit_code == 0, result.output
    assert "单位名称" in result.output and "共2份报告" in result.output
    result = run("archive", "list", "--year", str(current["year"]), "--archive", db)
    assert "共1份报告" in result.output

    result = run("history", "测试县数据局", "--archive", db)
    assert result.exit_code == 0, result.output
    assert "本年新收" in result.output and "行政规范性文件现行有效" in result.output
    assert str(previous["year"]) in result.output and str(current["year"]) in result.output

    out = tmp_path / "库.xlsx"
    result = run("archive", "export", "--format", "xlsx", "-o", str(out), "--archive", db)
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    assert sheet["A1"].value == "单位名称"
    names = [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)]
    assert any(str(name).startswith("'=") for name in names)
    out_json = tmp_path / "库.json"
    run("archive", "export", "-o", str(out_json), "--archive", db)
    records = json.loads(out_json.read_text(encoding="utf-8"))
    assert [r["year"] for r in records] == [previous["year"], current["year"]]


def test_check_against_the_archive_finds_the_carry_over_mismatch(tmp_path):
    previous, current = _pair()
    column = next(c for c, v in previous["applications"]["carried_forward"].items() if v and c != "total")
    set_column(current, "carried_over", column, previous["applications"]["carried_forward"][column] + 1)
    rebalance(current)
    db = str(tmp_path / "库.sqlite")
    run("archive", "add", write_json(tmp_path / "last.json", previous), "--archive", db)
    this = write_json(tmp_path / "this.json", current)
    result = run("check", this, "--archive", db, "--format", "json", "--today", "2030-06-01")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)["findings"]
    assert [f["rule"] for f in findings] == ["H.carry_over"]
    assert findings[0]["locations"][0]["pointer"] == f"/applications/carried_over/{column}"
    result = run("check", this, "--archive", db, "--today", "2030-06-01")
    assert "上年结转" in result.output


def test_archive_commands_refuse_a_foreign_file(tmp_path):
    foreign = tmp_path / "x.sqlite"
    foreign.write_text("这不是数据库", encoding="utf-8")
    result = run("archive", "list", "--archive", str(foreign))
    assert result.exit_code == 1
    assert "不是年报库文件" in result.output
    assert foreign.read_text(encoding="utf-8") == "这不是数据库"


def test_history_of_an_unknown_unit(tmp_path):
    db = tmp_path / "库.sqlite"
    from report_kit.archive import Archive

    Archive(db).close()
    result = run("history", "不存在的单位", "--archive", str(db))
    assert result.exit_code == 1
    assert "没有“不存在的单位”的报告" in result.output
