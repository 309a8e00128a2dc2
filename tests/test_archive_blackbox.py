"""Acceptance tests of issue #6 (archive, cross-year rules, templates from the archive), black-box.

Only the issue text, ``rules.md`` §6, ``format-2019.md``, ``submission.md`` and the shipped
examples are relied upon: the CLI names and options the issue gives, the findings JSON, the
output file names (审核结果.xlsx, index.html) and files opened with openpyxl / sqlite3 / an
HTML parser.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
HISTORY = EXAMPLES / "history"
UNIT = "轮台县市场监督管理局"
Y2024 = EXAMPLES / f"{UNIT}-2024.json"
Y2023 = HISTORY / f"{UNIT}-2023.yaml"
Y2021 = HISTORY / f"{UNIT}-2021.yaml"
Y2020 = HISTORY / f"{UNIT}-2020.yaml"
COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other")


def load(path: Path) -> dict:
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dump(submission: dict, path: Path) -> Path:
    path.write_text(json.dumps(submission, ensure_ascii=False, default=str), encoding="utf-8")
    return path


def check_json(*args) -> tuple[int, list[dict]]:
    result = run("check", *args, "--format", "json")
    assert "Traceback" not in result.output
    data = json.loads(result.stdout)
    return result.exit_code, data if isinstance(data, list) else [data]


def rules_of(report: dict, prefix: str = "H.") -> list[str]:
    return sorted(f["rule"] for f in report["findings"] if f["rule"].startswith(prefix))


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}


def no_traceback(result):
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --------------------------------------------------------------------------- 1. the archive


def test_archive_add_stores_canonical_json_findings_source_hash_and_time(tmp_path):
    db = tmp_path / "年报库.sqlite"
    result = run("archive", "add", Y2023, Y2024, "--archive", db)
    assert result.exit_code == 0, result.output
    assert db.is_file()
    exported = run("archive", "export", "--archive", db)
    assert exported.exit_code == 0
    records = json.loads(exported.stdout)
    assert {r["year"] for r in records} == {2023, 2024}
    record = next(r for r in records if r["year"] == 2024)
    assert record["source_name"] == Y2024.name
    assert record["sha256"] == hashlib.sha256(Y2024.read_bytes()).hexdigest()
    assert record["added_at"][:2] == "20"
    assert record["submission"]["applications"] == load(Y2024)["applications"]
    assert isinstance(record["findings"], list)
    # plain SQLite, one file, readable by sqlite3 without a server
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()


def test_default_archive_path_is_configurable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("archive", "add", Y2024)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "年报库.sqlite").is_file()
    other = tmp_path / "sub" / "别处.sqlite"
    other.parent.mkdir()
    result = run("archive", "add", Y2023, env={"REPORT_KIT_ARCHIVE": str(other)})
    assert result.exit_code == 0, result.output
    assert other.is_file()
    listed = json.loads(
        run("archive", "list", "--format", "json", env={"REPORT_KIT_ARCHIVE": str(other)}).stdout
    )
    assert [r["year"] for r in listed] == [2023]


def test_new_version_keeps_old_one_as_history(tmp_path):
    db = tmp_path / "库.sqlite"
    assert run("archive", "add", Y2024, "--archive", db).exit_code == 0
    changed = load(Y2024)
    changed["text"]["problems"] += "补充说明一句。"
    second = dump(changed, tmp_path / f"{UNIT}-2024-更正.json")
    result = run("archive", "add", second, "--archive", db)
    assert result.exit_code == 0, result.output
    assert "2" in result.output  # version 2 is announced
    listed = json.loads(run("archive", "list", "--archive", db, "--format", "json").stdout)
    assert len(listed) == 2
    assert sorted(r["version"] for r in listed) == [1, 2]
    assert [r["current"] for r in sorted(listed, key=lambda r: r["version"])] == [False, True]
    # the same file again is not a new version
    again = run("archive", "add", second, "--archive", db)
    assert again.exit_code == 0
    assert len(json.loads(run("archive", "list", "--archive", db, "--format", "json").stdout)) == 2


def test_list_filters_and_export_xlsx(tmp_path):
    db = tmp_path / "库.sqlite"
    assert run("archive", "add", HISTORY, Y2024, "--archive", db).exit_code == 0
    other = load(Y2024)
    other["unit"]["name"] = "轮台县教育局"
    other["unit"].pop("code", None)
    assert run("archive", "add", dump(other, tmp_path / "教育局.json"), "--archive", db).exit_code in (0, 1)
    everything = json.loads(run("archive", "list", "--archive", db, "--format", "json").stdout)
    assert len(everything) == 5
    by_year = json.loads(run("archive", "list", "--archive", db, "--year", 2024, "--format", "json").stdout)
    assert sorted(r["unit"] for r in by_year) == sorted(["轮台县教育局", UNIT])
    by_unit = json.loads(run("archive", "list", "--archive", db, "--unit", UNIT, "--format", "json").stdout)
    assert sorted(r["year"] for r in by_unit) == [2020, 2021, 2023, 2024]
    text = run("archive", "list", "--archive", db, "--year", 2021)
    assert text.exit_code == 0 and "2021" in text.output and "2024" not in text.output
    out = tmp_path / "导出.xlsx"
    result = run("archive", "export", "--archive", db, "-o", out)
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(out)
    values = [c.value for ws in workbook for row in ws.iter_rows() for c in row]
    assert UNIT in values and "轮台县教育局" in values
    js = tmp_path / "导出.json"
    assert run("archive", "export", "--archive", db, "-o", js, "--year", 2020).exit_code == 0
    records = json.loads(js.read_text(encoding="utf-8"))
    assert [r["year"] for r in records] == [2020]
    assert records[0]["submission"]["format"] == "2019"


def test_units_matched_by_code_across_a_rename(tmp_path):
    """Same credit code, new name: still last year's report (carry-over is compared)."""
    db = tmp_path / "库.sqlite"
    previous = load(Y2023)
    previous["applications"]["carried_forward"]["research"] += 1
    previous["applications"]["carried_forward"]["total"] += 1
    assert run("archive", "add", dump(previous, tmp_path / "p.json"), "--archive", db).exit_code in (0, 1)
    current = load(Y2024)
    current["unit"]["name"] = "轮台县市场监管局（新名称）"
    code, reports = check_json(dump(current, tmp_path / "c.json"), "--archive", db)
    assert rules_of(reports[0]) == ["H.carry_over"]


def test_units_matched_by_normalised_name(tmp_path):
    db = tmp_path / "库.sqlite"
    previous = load(Y2023)
    previous["unit"].pop("code", None)
    previous["applications"]["carried_forward"]["other"] += 1
    previous["applications"]["carried_forward"]["total"] += 1
    run("archive", "add", dump(previous, tmp_path / "p.json"), "--archive", db)
    current = load(Y2024)
    current["unit"].pop("code", None)
    current["unit"]["name"] = " 轮台县 市场监督管理局 "
    code, reports = check_json(dump(current, tmp_path / "c.json"), "--archive", db)
    assert rules_of(reports[0]) == ["H.carry_over"]


def test_unit_renamed_via_alias_table_is_still_matched(tmp_path):
    db = tmp_path / "库.sqlite"
    previous = load(Y2023)
    previous["unit"].pop("code", None)
    previous["unit"]["name"] = "轮台县工商行政管理局"
    previous["applications"]["carried_forward"]["commercial"] += 1
    previous["applications"]["carried_forward"]["total"] += 1
    run("archive", "add", dump(previous, tmp_path / "p.json"), "--archive", db)
    current = load(Y2024)
    current["unit"].pop("code", None)
    current_path = dump(current, tmp_path / "c.json")
    _, before = check_json(current_path, "--archive", db)
    assert "H.carry_over" not in rules_of(before[0])  # not matched yet
    result = run("archive", "alias", "轮台县工商行政管理局", UNIT, "--archive", db)
    assert result.exit_code == 0, result.output
    code, after = check_json(current_path, "--archive", db)
    assert rules_of(after[0]) == ["H.carry_over"]
    assert code == 1
    history = run("history", "轮台县工商行政管理局", "--archive", db)
    assert history.exit_code == 0 and "2023" in history.output


def test_alias_file_csv(tmp_path):
    db = tmp_path / "库.sqlite"
    previous = load(Y2023)
    previous["unit"].pop("code", None)
    previous["unit"]["name"] = "轮台县工商行政管理局"
    run("archive", "add", dump(previous, tmp_path / "p.json"), "--archive", db)
    table = tmp_path / "更名对照表.csv"
    with table.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["旧名称", "新名称"], ["轮台县工商行政管理局", UNIT]])
    result = run("archive", "alias", "--file", table, "--archive", db)
    assert result.exit_code == 0, result.output
    listed = run("archive", "alias", "--archive", db)
    assert "轮台县工商行政管理局" in listed.output
    history = run("history", UNIT, "--archive", db)
    assert history.exit_code == 0 and "2023" in history.output


HOSTILE_DBS = {
    "text.sqlite": b"this is not a database\n",
    "empty.sqlite": b"",
    "zeros.sqlite": b"\0" * 4096,
    "half.sqlite": b"SQLite format 3\0" + b"\x10\x00" + b"\xff" * 200,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_DBS) + ["foreign.sqlite", "truncated.sqlite"])
@pytest.mark.parametrize("command", ["add", "list", "export", "history", "check", "batch", "template"])
def test_corrupt_or_foreign_archive_clear_error_never_modified(tmp_path, name, command):
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / name
    if name == "foreign.sqlite":
        connection = sqlite3.connect(db)
        connection.execute("CREATE TABLE reports(x)")
        connection.commit()
        connection.close()
    elif name == "truncated.sqlite":
        good = tmp_path / "good.sqlite"
        run("archive", "add", Y2023, Y2024, "--archive", good)
        db.write_bytes(good.read_bytes()[:1500])
    else:
        db.write_bytes(HOSTILE_DBS[name])
    before = snapshot(folder)
    args = {
        "add": ["archive", "add", Y2024, "--archive", db],
        "list": ["archive", "list", "--archive", db],
        "export": ["archive", "export", "--archive", db, "-o", tmp_path / "x.xlsx"],
        "history": ["history", UNIT, "--archive", db],
        "check": ["check", Y2024, "--archive", db],
        "batch": ["batch", EXAMPLES / "history", "-o", tmp_path / "out", "--archive", db],
        "template": ["template", "--archive", db, "--unit", UNIT, "-o", tmp_path / "t.xlsx"],
    }[command]
    result = run(*args)
    no_traceback(result)
    assert result.exit_code != 0
    assert "年报库" in result.output
    assert snapshot(folder) == before
    assert not (tmp_path / "t.xlsx").exists()
    assert not (tmp_path / "x.xlsx").exists()


def test_archive_add_unreadable_file_and_missing_file(tmp_path):
    db = tmp_path / "库.sqlite"
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04garbage")
    result = run("archive", "add", broken, Y2024, tmp_path / "没有.json", "--archive", db)
    no_traceback(result)
    assert result.exit_code != 0
    listed = json.loads(run("archive", "list", "--archive", db, "--format", "json").stdout)
    assert [r["year"] for r in listed] == [2024]


def test_archive_add_unwritable_target(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root")
        result = run("archive", "add", Y2024, "--archive", folder / "库.sqlite")
        no_traceback(result)
        assert result.exit_code != 0
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_inputs_never_modified(tmp_path):
    db = tmp_path / "库.sqlite"
    inputs = [Y2020, Y2021, Y2023, Y2024]
    before = [p.read_bytes() for p in inputs]
    run("archive", "add", *inputs, "--archive", db)
    run("check", Y2024, "--archive", db, "--previous", HISTORY)
    assert [p.read_bytes() for p in inputs] == before


# --------------------------------------------------------------------------- 2. cross-year rules


def test_carry_over_mismatch_in_one_column_is_caught_and_located(tmp_path):
    previous = load(Y2023)
    previous["applications"]["carried_forward"]["legal_service"] += 2
    previous["applications"]["carried_forward"]["total"] += 2
    code, reports = check_json(Y2024, "--previous", dump(previous, tmp_path / "p.json"))
    assert code == 1
    findings = [f for f in reports[0]["findings"] if f["rule"] == "H.carry_over"]
    assert len(findings) == 1
    finding = findings[0]
    assert finding["severity"] == "error"
    assert finding["locations"][0]["pointer"] == "/applications/carried_over/legal_service"
    assert "法律服务机构" in finding["message"]
    assert reports[0]["valid"] is False


def test_carry_over_located_in_workbook_cell(tmp_path):
    workbook = tmp_path / "填报.xlsx"
    assert run("template", "--fill", Y2024, "-o", workbook).exit_code == 0
    previous = load(Y2023)
    previous["applications"]["carried_forward"]["natural_person"] += 1
    previous["applications"]["carried_forward"]["total"] += 1
    _, reports = check_json(workbook, "--previous", dump(previous, tmp_path / "p.json"))
    finding = next(f for f in reports[0]["findings"] if f["rule"] == "H.carry_over")
    location = finding["locations"][0]
    assert location["sheet"] == "表三"
    sheet = openpyxl.load_workbook(workbook)["表三"]
    assert "上年结转" in str(sheet[f"A{sheet[location['cell']].row}"].value)


def test_in_force_continuity_warning(tmp_path):
    previous = load(Y2023)
    previous["active_disclosure"]["normative_documents"]["in_force"] += 5
    code, reports = check_json(Y2024, "--previous", dump(previous, tmp_path / "p.json"))
    findings = [f for f in reports[0]["findings"] if f["rule"].startswith("H.")]
    assert [f["severity"] for f in findings] == ["warning"]
    assert code == 0


def test_similar_prose_warning_with_similarity(tmp_path):
    previous = load(Y2023)
    current = load(Y2024)
    previous["text"]["problems"] = current["text"]["problems"]
    code, reports = check_json(Y2024, "--previous", dump(previous, tmp_path / "p.json"))
    findings = [f for f in reports[0]["findings"] if f["rule"].startswith("H.")]
    assert len(findings) == 1 and findings[0]["severity"] == "warning"
    assert "%" in findings[0]["message"] or "％" in findings[0]["message"]
    assert "雷同" in findings[0]["message"]
    # overview nearly identical (a few characters changed) is also caught
    previous = load(Y2023)
    previous["text"]["overview"] = copy.deepcopy(current["text"]["overview"])
    previous["text"]["overview"]["platforms"] += "另有改动。"
    _, reports = check_json(Y2024, "--previous", dump(previous, tmp_path / "p2.json"))
    assert rules_of(reports[0]) == ["H.similar_text"]


def test_no_finding_for_the_consistent_examples():
    for current, previous in ((Y2024, Y2023), (Y2021, Y2020)):
        code, reports = check_json(current, "--previous", previous)
        assert code == 0
        assert rules_of(reports[0]) == []


def test_previous_may_be_in_2019_format(tmp_path):
    previous = load(Y2020)
    assert previous["format"] == "2019"
    previous["applications"]["carried_forward"]["social_welfare"] += 1
    previous["applications"]["carried_forward"]["total"] += 1
    code, reports = check_json(Y2021, "--previous", dump(previous, tmp_path / "p.json"))
    findings = [f for f in reports[0]["findings"] if f["rule"] == "H.carry_over"]
    assert len(findings) == 1
    assert findings[0]["locations"][0]["pointer"] == "/applications/carried_over/social_welfare"
    # and through the archive
    db = tmp_path / "库.sqlite"
    run("archive", "add", tmp_path / "p.json", "--archive", db)
    _, reports = check_json(Y2021, "--archive", db)
    assert rules_of(reports[0]) == ["H.carry_over"]


def test_2019_format_submission_checks_alone():
    code, reports = check_json(Y2020)
    assert code == 0, reports


def test_previous_folder_picks_the_right_year_and_unit(tmp_path):
    folder = tmp_path / "上年"
    folder.mkdir()
    previous = load(Y2023)
    previous["applications"]["carried_forward"]["research"] += 1
    previous["applications"]["carried_forward"]["total"] += 1
    dump(previous, folder / "a.json")
    other = load(Y2023)
    other["unit"]["name"] = "轮台县教育局"
    other["unit"].pop("code")
    dump(other, folder / "b.json")
    older = load(Y2021)
    dump(older, folder / "c.json")
    _, reports = check_json(Y2024, "--previous", folder)
    assert rules_of(reports[0]) == ["H.carry_over"]


def test_no_previous_known_is_no_error(tmp_path):
    db = tmp_path / "库.sqlite"
    run("archive", "add", Y2020, "--archive", db)
    code, reports = check_json(Y2024, "--archive", db)
    assert code == 0
    assert all(f["severity"] == "info" for f in reports[0]["findings"] if f["rule"].startswith("H."))


def test_check_bad_previous_option(tmp_path):
    result = run("check", Y2024, "--previous", tmp_path / "没有这个.json")
    no_traceback(result)
    assert result.exit_code == 2
    garbage = tmp_path / "坏.json"
    garbage.write_text("{not json", encoding="utf-8")
    result = run("check", Y2024, "--previous", garbage)
    no_traceback(result)
    assert "坏.json" in result.output  # named, in Chinese: last year's report is unreadable


def test_build_runs_cross_year_rules(tmp_path):
    previous = load(Y2023)
    previous["applications"]["carried_forward"]["research"] += 1
    previous["applications"]["carried_forward"]["total"] += 1
    out = tmp_path / "out"
    result = run("build", Y2024, "--previous", dump(previous, tmp_path / "p.json"), "-o", out)
    no_traceback(result)
    assert result.exit_code == 1
    assert "上年结转" in result.output or "H.carry_over" in result.output
    ok = run("build", Y2024, "--previous", Y2023, "-o", tmp_path / "ok")
    assert ok.exit_code == 0, ok.output


# --------------------------------------------------------------------------- batch


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def _summary_headers(path: Path) -> list[str]:
    workbook = openpyxl.load_workbook(path)
    return [str(c.value) for ws in workbook for row in ws.iter_rows(max_row=6) for c in row if c.value]


def test_batch_archive_adds_everything_and_gains_year_over_year_columns(tmp_path):
    db = tmp_path / "库.sqlite"
    run("archive", "add", Y2023, "--archive", db)
    folder = tmp_path / "in"
    folder.mkdir()
    current = load(Y2024)
    current["applications"]["received"]["natural_person"] += 60
    current["applications"]["received"]["total"] += 60
    current["applications"]["results"]["disclosed"]["natural_person"] += 60
    current["applications"]["results"]["disclosed"]["total"] += 60
    current["applications"]["results"]["total"]["natural_person"] += 60
    current["applications"]["results"]["total"]["total"] += 60
    dump(current, folder / "市场监管局.json")
    other = load(Y2024)
    other["unit"]["name"] = "轮台县教育局"
    other["unit"].pop("code")
    dump(other, folder / "教育局.json")
    plain = run("batch", folder, "-o", tmp_path / "plain", "--today", "2025-01-10")
    no_traceback(plain)
    out = tmp_path / "out"
    result = run("batch", folder, "-o", out, "--archive", db, "--today", "2025-01-10", "--jobs", 1)
    no_traceback(result)
    listed = json.loads(run("archive", "list", "--archive", db, "--format", "json").stdout)
    assert sorted((r["unit"], r["year"]) for r in listed) == sorted(
        [("轮台县教育局", 2024), (UNIT, 2023), (UNIT, 2024)]
    )
    plain_headers = _summary_headers(tmp_path / "plain" / "审核结果.xlsx")
    headers = _summary_headers(out / "审核结果.xlsx")
    added = [h for h in headers if h not in plain_headers]
    assert any("上年" in h for h in added), added
    assert any("增减" in h or "变化" in h for h in added), added
    html = _Text()
    html.feed((out / "index.html").read_text(encoding="utf-8"))
    page = "".join(html.parts)
    assert "上年" in page
    data = json.loads((out / "审核结果.json").read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False)
    assert "H.change" in text
    # a larger factor: no change flag
    out2 = tmp_path / "out2"
    run(
        "batch",
        folder,
        "-o",
        out2,
        "--previous",
        Y2023,
        "--change-factor",
        10,
        "--today",
        "2025-01-10",
        "--jobs",
        1,
    )
    text2 = json.dumps(json.loads((out2 / "审核结果.json").read_text(encoding="utf-8")), ensure_ascii=False)
    assert "H.change" not in text2
    # info only: the unit is not made invalid by the change
    entry_severities = [f["severity"] for f in _all_findings(data) if f.get("rule") == "H.change"]
    assert entry_severities and set(entry_severities) == {"info"}


def _all_findings(data):
    for file in data["files"]:
        yield from file["findings"]


def test_batch_previous_carry_over_error(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    dump(load(Y2024), folder / "a.json")
    previous = load(Y2023)
    previous["applications"]["carried_forward"]["research"] += 1
    previous["applications"]["carried_forward"]["total"] += 1
    out = tmp_path / "out"
    result = run("batch", folder, "-o", out, "--previous", dump(previous, tmp_path / "p.json"), "--jobs", 1)
    no_traceback(result)
    data = json.loads((out / "审核结果.json").read_text(encoding="utf-8"))
    carry = [f for f in _all_findings(data) if f.get("rule") == "H.carry_over"]
    assert len(carry) == 1 and carry[0]["severity"] == "error"


def test_batch_bad_change_factor_and_bad_archive(tmp_path):
    for factor in ("0.5", "abc", "-1"):
        result = run("batch", HISTORY, "-o", tmp_path / "o", "--change-factor", factor)
        no_traceback(result)
        assert result.exit_code == 2
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- 3. templates


def _carried_over_row(path: Path) -> list:
    sheet = openpyxl.load_workbook(path)["表三"]
    for row in sheet.iter_rows():
        if row[0].value and str(row[0].value).startswith("二、上年结转"):
            return [c.value for c in row[3:10]]
    raise AssertionError("no 上年结转 row")


def test_template_prefilled_from_archive(tmp_path):
    db = tmp_path / "库.sqlite"
    run("archive", "add", Y2023, "--archive", db)
    out = tmp_path / "模板.xlsx"
    result = run("template", "--archive", db, "--unit", UNIT, "-o", out)
    assert result.exit_code == 0, result.output
    forward = load(Y2023)["applications"]["carried_forward"]
    assert _carried_over_row(out) == [forward[c] for c in COLUMNS] + [forward["total"]]
    values = [c.value for row in openpyxl.load_workbook(out)["基本信息"].iter_rows() for c in row]
    assert UNIT in values and load(Y2023)["unit"]["code"] in values and 2024 in values or "2024" in values


def test_template_from_2019_format_year(tmp_path):
    db = tmp_path / "库.sqlite"
    run("archive", "add", Y2020, "--archive", db)
    out = tmp_path / "模板.xlsx"
    assert run("template", "--archive", db, "--unit", UNIT, "-o", out).exit_code == 0
    forward = load(Y2020)["applications"]["carried_forward"]
    assert _carried_over_row(out) == [forward[c] for c in COLUMNS] + [forward["total"]]


def test_template_unknown_unit_writes_nothing(tmp_path):
    db = tmp_path / "库.sqlite"
    run("archive", "add", Y2023, "--archive", db)
    out = tmp_path / "模板.xlsx"
    result = run("template", "--archive", db, "--unit", "不存在的单位", "-o", out)
    no_traceback(result)
    assert result.exit_code != 0 and not out.exists()
    result = run("template", "--archive", db, "-o", out)
    no_traceback(result)
    assert result.exit_code != 0 and not out.exists()


def test_template_roster_one_workbook_per_unit(tmp_path):
    db = tmp_path / "库.sqlite"
    run("archive", "add", Y2023, "--archive", db)
    roster = tmp_path / "名单.csv"
    with roster.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["单位名称"], [UNIT], ["轮台县教育局"], ["轮台县/卫健委:*?"]])
    out = tmp_path / "模板"
    result = run("template", "--archive", db, "--roster", roster, "-o", out)
    no_traceback(result)
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.xlsx"))
    assert len(files) == 3
    mine = next(f for f in files if UNIT in f.name)
    forward = load(Y2023)["applications"]["carried_forward"]
    assert _carried_over_row(mine) == [forward[c] for c in COLUMNS] + [forward["total"]]
    # every workbook carries its unit name
    names = set()
    for file in files:
        sheet = openpyxl.load_workbook(file)["基本信息"]
        names.update(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert {"轮台县教育局", "轮台县/卫健委:*?", UNIT} <= names
    # a filled template from the archive checks against last year without carry-over error
    filled = tmp_path / "填好.xlsx"
    assert run("template", "--fill", Y2024, "-o", filled).exit_code == 0
    _, reports = check_json(filled, "--archive", db)
    assert rules_of(reports[0]) == []


# --------------------------------------------------------------------------- 4. history


def test_history_prints_key_figures_across_years(tmp_path):
    db = tmp_path / "库.sqlite"
    run("archive", "add", HISTORY, Y2024, "--archive", db)
    result = run("history", UNIT, "--archive", db)
    assert result.exit_code == 0
    for year in ("2020", "2021", "2023", "2024"):
        assert year in result.output
    assert "26" in result.output  # 2024 本年新收
    as_json = json.loads(run("history", UNIT, "--archive", db, "--format", "json").stdout)
    assert [y["year"] for y in as_json["years"]] == [2020, 2021, 2023, 2024]
    by_code = run("history", load(Y2024)["unit"]["code"], "--archive", db)
    assert by_code.exit_code == 0 and "2024" in by_code.output
    missing = run("history", "没有的单位", "--archive", db)
    no_traceback(missing)
    assert missing.exit_code != 0


# --------------------------------------------------------------------------- 5. concurrency, properties


def test_two_archive_writers_at_once(tmp_path):
    db = tmp_path / "库.sqlite"
    folders = []
    for writer in (0, 1):
        folder = tmp_path / f"w{writer}"
        folder.mkdir()
        for index in range(6):
            submission = load(Y2024)
            submission["text"]["problems"] += f"第{writer}组第{index}稿。"
            dump(submission, folder / f"{index}.json")
        folders.append(folder)
    command = [sys.executable, "-m", "report_kit", "archive", "add"]
    processes = [
        subprocess.Popen([*command, str(f), "--archive", str(db)], stderr=subprocess.PIPE) for f in folders
    ]
    for process in processes:
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err.decode()
        assert b"Traceback" not in err
    listed = json.loads(run("archive", "list", "--archive", db, "--format", "json").stdout)
    assert sorted(r["version"] for r in listed) == list(range(1, 13))
    assert sum(r["current"] for r in listed) == 1
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()


ROW = st.fixed_dictionaries({c: st.integers(0, 30) for c in COLUMNS})


def _consistent_pair(forward: dict, in_force: int, issued: int, repealed: int, old_format: bool = False):
    previous = load(Y2020 if old_format else Y2023)
    current = load(Y2021 if old_format else Y2024)
    apps = previous["applications"]
    for c in COLUMNS:
        apps["carried_forward"][c] = forward[c]
        # keep last year's own balance: received + carried_over = total + carried_forward
        apps["received"][c] = apps["results"]["total"][c] + forward[c] - apps["carried_over"][c]
        if apps["received"][c] < 0:
            apps["carried_over"][c] -= apps["received"][c]
            apps["received"][c] = 0
    for key in ("received", "carried_over", "carried_forward"):
        apps[key]["total"] = sum(apps[key][c] for c in COLUMNS)
    if not old_format:
        previous["active_disclosure"]["normative_documents"]["in_force"] = in_force
    else:
        in_force = current["active_disclosure"]["normative_documents"]["in_force"] - issued + repealed
    docs = current["active_disclosure"]["normative_documents"]
    docs.update(issued=issued, repealed=repealed, in_force=in_force + issued - repealed)
    apps = current["applications"]
    for c in COLUMNS:
        apps["carried_over"][c] = forward[c]
        apps["received"][c] = apps["results"]["total"][c] + apps["carried_forward"][c] - forward[c]
        if apps["received"][c] < 0:
            apps["carried_forward"][c] -= apps["received"][c]
            apps["received"][c] = 0
    for key in ("received", "carried_over", "carried_forward"):
        apps[key]["total"] = sum(apps[key][c] for c in COLUMNS)
    return previous, current


@settings(max_examples=25, deadline=None)
@given(
    forward=ROW,
    in_force=st.integers(5, 200),
    issued=st.integers(0, 5),
    repealed=st.integers(0, 5),
    column=st.sampled_from(COLUMNS),
    delta=st.integers(1, 5),
    old_format=st.booleans(),
)
def test_property_consistent_pair_no_finding_one_mutation_one_finding(
    tmp_path_factory, forward, in_force, issued, repealed, column, delta, old_format
):
    tmp = tmp_path_factory.mktemp("pair")
    previous, current = _consistent_pair(forward, in_force, issued, repealed, old_format)
    current_path = dump(current, tmp / "c.json")
    _, reports = check_json(current_path, "--previous", dump(previous, tmp / "p.json"))
    assert rules_of(reports[0]) == []
    baseline = sorted((f["rule"], json.dumps(f["locations"])) for f in reports[0]["findings"])
    mutated = copy.deepcopy(previous)
    mutated["applications"]["carried_forward"][column] += delta
    _, reports = check_json(current_path, "--previous", dump(mutated, tmp / "m.json"))
    after = sorted((f["rule"], json.dumps(f["locations"])) for f in reports[0]["findings"])
    new = [f for f in after if f not in baseline]
    assert len(new) == 1 and new[0][0] == "H.carry_over", new
    assert f"/applications/carried_over/{column}" in new[0][1]
    # mutate this year's carry-over cell instead (keeping this year's balance)
    mutated = copy.deepcopy(current)
    mutated["applications"]["carried_over"][column] += delta
    mutated["applications"]["carried_over"]["total"] += delta
    mutated["applications"]["carried_forward"][column] += delta
    mutated["applications"]["carried_forward"]["total"] += delta
    _, reports = check_json(dump(mutated, tmp / "n.json"), "--previous", tmp / "p.json")
    cross = [f for f in reports[0]["findings"] if f["rule"].startswith("H.")]
    assert len(cross) == 1 and cross[0]["rule"] == "H.carry_over"


def test_history_of_an_empty_name_is_no_unit(tmp_path):
    db = tmp_path / "库.sqlite"
    run("archive", "add", Y2023, "--archive", db)
    for name in ("", "  ", "！"):
        result = run("history", name, "--archive", db)
        no_traceback(result)
        assert result.exit_code == 1
        assert "2023" not in result.output


def test_damaged_stored_report_clear_error(tmp_path):
    db = tmp_path / "库.sqlite"
    run("archive", "add", Y2023, "--archive", db)
    connection = sqlite3.connect(db)
    connection.execute("UPDATE reports SET submission = 'not json', findings = '{'")
    connection.commit()
    connection.close()
    for args in (
        ["history", UNIT, "--archive", db],
        ["archive", "export", "--archive", db],
        ["archive", "export", "--archive", db, "-o", tmp_path / "x.xlsx"],
        ["template", "--archive", db, "--unit", UNIT, "-o", tmp_path / "t.xlsx"],
    ):
        result = run(*args)
        no_traceback(result)
        assert result.exit_code == 1
        assert "损坏" in result.output
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "t.xlsx").exists()
    result = run("check", Y2024, "--archive", db)
    no_traceback(result)
    assert "损坏" in result.output


def test_archive_with_our_id_but_foreign_tables_is_not_modified(tmp_path):
    db = tmp_path / "库.sqlite"
    connection = sqlite3.connect(db)
    connection.execute(f"PRAGMA application_id = {0x524B4152}")
    connection.execute("CREATE TABLE units(a)")
    connection.commit()
    connection.close()
    before = snapshot(tmp_path)
    result = run("archive", "add", Y2024, "--archive", db)
    no_traceback(result)
    assert result.exit_code != 0
    assert snapshot(tmp_path) == before
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA user_version = 99")
    connection.commit()
    connection.close()
    before = snapshot(tmp_path)
    result = run("archive", "list", "--archive", db)
    assert result.exit_code != 0 and "更新版本" in result.output
    assert snapshot(tmp_path) == before


def test_hostile_unit_names_archive_export_and_history(tmp_path):
    db = tmp_path / "库.sqlite"
    names = ['=HYPERLINK("http://x","点")', "坏\x01名\x1b[31m称\u202e", "长" * 5000, "@SUM(1)"]
    for index, name in enumerate(names):
        submission = load(Y2024)
        submission["unit"]["name"] = name
        submission["unit"].pop("code")
        dump(submission, tmp_path / f"{index}.json")
    surrogate = load(Y2024)
    surrogate["unit"].pop("code")
    text = json.dumps(surrogate, ensure_ascii=False).replace(UNIT, "坏\\ud800名")
    (tmp_path / "s.json").write_text(text, encoding="utf-8")
    result = run(
        "archive", "add", *(tmp_path / f"{i}.json" for i in range(4)), tmp_path / "s.json", "--archive", db
    )
    no_traceback(result)
    assert result.exit_code == 0, result.output
    for args in (["archive", "list"], ["archive", "export"], ["history", "@SUM(1)"]):
        result = run(*args, "--archive", db)
        no_traceback(result)
        assert result.exit_code == 0
    out = tmp_path / "导出.xlsx"
    result = run("archive", "export", "--archive", db, "-o", out)
    no_traceback(result)
    assert result.exit_code == 0, result.output
    for sheet in openpyxl.load_workbook(out):
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    result = run("check", tmp_path / "s.json", "--archive", db)
    no_traceback(result)
    result = run("check", tmp_path / "s.json", "--format", "json")
    no_traceback(result)
    assert json.loads(result.stdout)["unit"].startswith("坏")


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_workbook_resaved_by_libreoffice_still_checked_across_years(tmp_path):
    filled = tmp_path / "填报.xlsx"
    assert run("template", "--fill", Y2024, "-o", filled).exit_code == 0
    converted = tmp_path / "lo"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(converted),
            str(filled),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    resaved = converted / "填报.xlsx"
    _, reports = check_json(resaved, "--previous", HISTORY)
    assert reports[0]["counts"]["error"] == 0 and rules_of(reports[0]) == []
    previous = load(Y2023)
    previous["applications"]["carried_forward"]["commercial"] += 1
    previous["applications"]["carried_forward"]["total"] += 1
    _, reports = check_json(resaved, "--previous", dump(previous, tmp_path / "p.json"))
    carry = [f for f in reports[0]["findings"] if f["rule"].startswith("H.")]
    assert [f["rule"] for f in carry] == ["H.carry_over"]
    assert carry[0]["locations"][0]["sheet"] == "表三" and carry[0]["locations"][0].get("cell")


def test_alias_registered_before_the_reports(tmp_path):
    db = tmp_path / "库.sqlite"
    result = run("archive", "alias", "轮台县工商行政管理局", UNIT, "--archive", db)
    assert result.exit_code == 0, result.output
    previous = load(Y2023)
    previous["unit"].pop("code")
    previous["unit"]["name"] = "轮台县工商行政管理局"
    previous["applications"]["carried_forward"]["research"] += 1
    previous["applications"]["carried_forward"]["total"] += 1
    run("archive", "add", dump(previous, tmp_path / "p.json"), "--archive", db)
    current = load(Y2024)
    current["unit"].pop("code")
    _, reports = check_json(dump(current, tmp_path / "c.json"), "--archive", db)
    assert rules_of(reports[0]) == ["H.carry_over"]
    bad = tmp_path / "坏.csv"
    bad.write_text("没有表头\n", encoding="utf-8")
    result = run("archive", "alias", "--file", bad, "--archive", tmp_path / "新.sqlite")
    no_traceback(result)
    assert result.exit_code != 0 and not (tmp_path / "新.sqlite").exists()


def _unit_sheet(path: Path) -> list:
    return [c.value for row in openpyxl.load_workbook(path)["基本信息"].iter_rows() for c in row]


@pytest.mark.parametrize(
    "args",
    [
        ["--unit", "11652822010293476R"],
        ["--unit", "11652822010293476R", "--code", "11652822010293476R"],
        ["--unit", "11652822010293476R", "--year", "2030"],
        ["--code", "11652822010293476R"],
        ["--unit", UNIT, "--year", "2030"],
    ],
)
def test_template_from_archive_by_code_keeps_the_unit_name(tmp_path, args):
    db = tmp_path / "库.sqlite"
    run("archive", "add", Y2023, "--archive", db)
    out = tmp_path / "模板.xlsx"
    result = run("template", "--archive", db, *args, "-o", out)
    assert result.exit_code == 0, result.output
    values = _unit_sheet(out)
    assert UNIT in values and "11652822010293476R" in values
    assert values.count("11652822010293476R") == 1


def test_outputs_under_a_file_clear_chinese_error(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x", encoding="utf-8")
    db = tmp_path / "库.sqlite"
    run("archive", "add", Y2024, "--archive", db)
    for args in (
        ["archive", "add", Y2024, "--archive", blocker / "x.sqlite"],
        ["archive", "export", "--archive", db, "-o", blocker / "x.xlsx"],
        ["archive", "export", "--archive", db, "-o", blocker / "x.json"],
        ["template", "--archive", db, "--unit", UNIT, "-o", blocker / "t.xlsx"],
        ["batch", HISTORY, "-o", tmp_path / "out", "--archive", blocker / "x.sqlite"],
    ):
        result = run(*args)
        no_traceback(result)
        assert result.exit_code in (1, 2), args
        assert "Errno" not in result.output and "File exists" not in result.output
    assert blocker.read_text(encoding="utf-8") == "x"


def test_damaged_pages_inside_an_archive_refused_in_chinese(tmp_path):
    db = tmp_path / "db" / "库.sqlite"
    run("archive", "add", HISTORY, Y2024, "--archive", db)
    for extra in tmp_path.joinpath("db").glob("*-*"):
        extra.unlink()  # keep only the main file (its WAL was checkpointed on close)
    data = bytearray(db.read_bytes())
    for offset in range(len(data) // 2, min(len(data), len(data) // 2 + 3000)):
        data[offset] = 0xAB
    db.write_bytes(bytes(data))
    before = snapshot(db.parent)
    for args in (["archive", "list"], ["archive", "add", Y2024], ["history", UNIT]):
        result = run(*args, "--archive", db)
        no_traceback(result)
        assert result.exit_code == 1
        assert "损坏" in result.output and "tree page" not in result.output
    assert snapshot(db.parent) == before
