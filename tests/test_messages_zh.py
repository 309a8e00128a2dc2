"""Messages a clerk sees: Chinese help, places not pointers, grouped blanks, fitting advice."""

from __future__ import annotations

import csv
import io
import json

import pytest

from helpers import ROOT, run

UNIT = "轮台县市场监督管理局"
Y2024 = ROOT / "examples" / f"{UNIT}-2024.json"
BALANCE = ROOT / "examples" / "invalid" / "01-balance.yaml"
ENGLISH = ("TEXT", "INTEGER", "FLOAT", "PATH", "FILES", "[required]", "[OPTIONS]", "COMMAND", "DIRECTORY")


@pytest.mark.parametrize("command", [[], ["check"], ["batch"], ["template"], ["build"], ["archive", "add"]])
def test_help_has_no_english_placeholders(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert not [word for word in ENGLISH if word in result.output], result.output


def test_usage_errors_name_arguments_in_chinese():
    result = run("check")
    assert result.exit_code == 2 and "文件" in result.output and "FILES" not in result.output


def test_unit_kinds_show_chinese_names_first():
    text = run("template", "--help").output
    assert "政府部门" in text and text.find("department") in (-1, *range(text.index("政府部门"), len(text)))
    refused = run("template", "-o", "x.xlsx", "--kind", "部委")
    assert refused.output.index("政府部门") < refused.output.index("department")


def test_csv_position_is_a_place_not_a_pointer():
    rows = list(csv.DictReader(io.StringIO(run("check", BALANCE, "--format", "csv").output.lstrip("\ufeff"))))
    assert rows and all(row["位置"] and not row["位置"].startswith("/") for row in rows)
    assert all(row["数据项"].startswith("/") for row in rows)


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("fresh") / "模板.xlsx"
    assert run("template", "-o", path, "--unit", "某局").exit_code == 0
    return path


def test_blank_cells_of_a_sheet_are_one_line(fresh_template):
    text = run("check", fresh_template).output
    assert "表三有175个空白单元格，已按0处理" in text
    assert text.count("S.blank_cell") < 10
    data = json.loads(run("check", fresh_template, "--format", "json").output)
    blanks = [f for f in data["findings"] if f["rule"] == "S.blank_cell"]
    assert (
        len(blanks) > 200
        and len({f["locations"][0]["cell"] for f in blanks if f["locations"][0]["sheet"] == "表三"}) == 175
    )


def test_advice_fits_the_finding(fresh_template):
    data = json.loads(run("check", fresh_template, "--format", "json").output)
    by_label = {f["locations"][0]["label"]: f for f in data["findings"] if f["locations"]}
    scope = next(
        f for f in data["findings"] if f["rule"] == "S.required" and f["locations"][0]["pointer"] == "/scope"
    )
    assert "填0" not in scope["suggestion"] and "本机关" in scope["suggestion"]
    assert "/scope" not in scope["message"]
    problems = next(f for f in data["findings"] if f["rule"] == "D.section_missing" and "五" in f["message"])
    assert "信息处理费" not in problems["suggestion"]
    assert by_label  # every finding located


def test_notes_name_rules_not_ids(fresh_template):
    text = run("check", fresh_template).output
    note = next((line for line in text.splitlines() if "未能执行" in line), "")
    assert note and "T2." not in note and "T3." not in note


def test_a_folder_given_to_check_is_told_to_use_batch(tmp_path):
    data = json.loads(run("check", tmp_path, "--format", "json").output)
    assert data["findings"][0]["rule"] == "F.folder" and "batch" in data["findings"][0]["suggestion"]


def test_wrong_year_is_shown_as_such_not_as_missing(tmp_path):
    from report_kit.batch.roster import parse_rows
    from report_kit.batch.run import run_batch

    inbox = tmp_path / "in"
    inbox.mkdir()
    report = json.loads(Y2024.read_text(encoding="utf-8"))
    (inbox / "本年.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    other = dict(report, year=2023, published_on="2024-01-20", unit=dict(report["unit"], name="某某局"))
    (inbox / "上年.json").write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    import datetime as dt

    result = run_batch(
        inbox, roster=parse_rows([["单位名称"], [UNIT], ["某某局"]]), today=dt.date(2025, 6, 1), jobs=1
    )
    assert result.missing == []
    states = {row["unit"]: row["state"] for row in result.roster}
    assert states["某某局"] == "年度不符"


def test_published_reports_in_a_batch_folder_are_submissions(tmp_path):
    from report_kit.batch.run import run_batch

    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in ("a.docx", "b.html", "c.htm", "d.pdf"):
        (inbox / name).write_bytes(b"x")
    (inbox / "g.png").write_bytes(b"x")
    import datetime as dt

    result = run_batch(inbox, today=dt.date(2025, 6, 1), jobs=1)
    assert [e["file"] for e in result.entries] == ["a.docx", "b.html", "c.htm", "d.pdf"]
    assert all(e["findings"] for e in result.entries)
    assert result.skipped == ["g.png"]
