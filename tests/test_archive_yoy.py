"""Year over year outside ``check``: batch (--previous/--archive, last year's columns, H.change),
build, template pre-filled from the archive, and the archive's JSON/xlsx outputs — on the
examples of ``examples/history`` (one unit, 2020 in the 2019 format, 2021, 2023) and 2024."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from report_kit.archive import Archive
from report_kit.readers import read_submission

from helpers import run

ROOT = Path(__file__).resolve().parent.parent
HISTORY = ROOT / "examples" / "history"
Y2020 = HISTORY / "轮台县市场监督管理局-2020.yaml"
Y2021 = HISTORY / "轮台县市场监督管理局-2021.yaml"
Y2023 = HISTORY / "轮台县市场监督管理局-2023.yaml"
Y2024 = ROOT / "examples" / "轮台县市场监督管理局-2024.yaml"
TODAY = "2025-06-01"


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dump(path: Path, submission: dict) -> Path:
    path.write_text(json.dumps(submission, ensure_ascii=False, default=str), encoding="utf-8")
    return path


def history_rules(result) -> list[str]:
    return [f["rule"] for f in json.loads(result.output)["findings"] if f["rule"].startswith("H.")]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the examples -----------------------------------------------------------------------


@pytest.mark.parametrize("current, previous", [(Y2021, Y2020), (Y2024, Y2023), (Y2024, HISTORY)])
def test_history_examples_are_consistent_across_years(current, previous):
    result = run("check", current, "--previous", previous, "--today", TODAY, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["findings"] == []


def test_2019_format_previous_year_catches_a_carry_over_mismatch(tmp_path):
    current = load(Y2021)
    current["applications"]["carried_over"]["natural_person"] = 2
    current["applications"]["carried_over"]["total"] = 2
    path = dump(tmp_path / "2021.json", current)
    result = run("check", path, "--previous", Y2020, "--today", TODAY, "--format", "json")
    assert result.exit_code == 1
    carry = [f for f in json.loads(result.output)["findings"] if f["rule"] == "H.carry_over"]
    assert len(carry) == 1
    assert carry[0]["locations"][0]["pointer"] == "/applications/carried_over/natural_person"
    assert (carry[0]["expected"], carry[0]["actual"]) == (1, 2)
    assert "自然人" in carry[0]["message"]


# --- batch ------------------------------------------------------------------------------


def _batch_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "报送"
    folder.mkdir()
    shutil.copy(Y2024, folder / "市场监管局.yaml")
    other = load(Y2024)
    other["unit"] = {"name": "轮台县教育局", "kind": "department", "level": "county"}
    dump(folder / "教育局.json", other)
    return folder


def test_batch_with_archive_adds_every_submission_and_checks_last_year(tmp_path):
    db = tmp_path / "年报库.sqlite"
    assert run("archive", "add", Y2023, "--archive", db).exit_code == 0
    folder = _batch_folder(tmp_path)
    bad = load(Y2024)
    bad["applications"]["carried_over"]["commercial"] = 0
    bad["applications"]["carried_over"]["total"] = 1
    bad["applications"]["received"]["commercial"] = 6
    bad["applications"]["received"]["total"] = 27
    dump(folder / "市场监管局.yaml", bad)  # same unit, 表三 balanced, carry-over off by one
    (folder / "市场监管局.yaml").rename(folder / "市场监管局.json")

    result = run("batch", folder, "-o", tmp_path / "审核", "--archive", db, "--today", TODAY)
    assert result.exit_code == 1, result.output
    assert "年报库：新入库 2 份" in result.output
    with Archive(db, create=False) as store:
        assert {(r["unit_name"], r["year"]) for r in store.rows()} == {
            ("轮台县市场监督管理局", 2023),
            ("轮台县市场监督管理局", 2024),
            ("轮台县教育局", 2024),
        }
    data = json.loads((tmp_path / "审核" / "审核结果.json").read_text(encoding="utf-8"))
    carry = [f for f in data["findings"] if f["rule"] == "H.carry_over"]
    assert len(carry) == 1 and carry[0]["unit"] == "轮台县市场监督管理局"
    assert carry[0]["pointer"] == "/applications/carried_over/commercial"
    assert any(f["rule"] == "H.no_previous" and f["unit"] == "轮台县教育局" for f in data["findings"])
    rows = {row["unit"]: row for row in data["summary"]}
    assert rows["轮台县市场监督管理局"]["status"] == "有错误"
    assert rows["轮台县市场监督管理局"]["previous_year"] == 2023
    assert rows["轮台县市场监督管理局"]["previous_received"] == 24
    assert rows["轮台县市场监督管理局"]["received_change"] == 27 - 24
    assert rows["轮台县教育局"]["previous_received"] is None

    # the same batch again: nothing new is stored, nothing is overwritten
    result = run("batch", folder, "-o", tmp_path / "审核", "--archive", db, "--today", TODAY)
    assert "新入库 0 份" in result.output and "与已入库版本相同 2 份" in result.output


def test_batch_review_shows_last_years_figures_and_flags_big_changes(tmp_path):
    folder = _batch_folder(tmp_path)
    previous = tmp_path / "上年"
    previous.mkdir()
    shutil.copy(Y2023, previous / "2023.yaml")
    last_other = load(Y2023)
    last_other["unit"] = {"name": "轮台县教育局", "kind": "department", "level": "county"}
    # 教育局 had 4 applications last year, 26 this year: more than a factor 2
    apps = last_other["applications"]
    apps["received"] = {k: 0 for k in apps["received"]} | {"natural_person": 4, "total": 4}
    dump(previous / "教育局-2023.json", last_other)

    out = tmp_path / "审核"
    result = run("batch", folder, "-o", out, "--previous", previous, "--today", TODAY, "--change-factor", "3")
    data = json.loads((out / "审核结果.json").read_text(encoding="utf-8"))
    change = [f for f in data["findings"] if f["rule"] == "H.change"]
    assert [(f["unit"], f["severity"]) for f in change] == [("轮台县教育局", "info")], result.output
    assert "本年新收申请" in change[0]["message"] and "3倍" in change[0]["message"]
    rows = {row["unit"]: row for row in data["summary"]}
    assert rows["轮台县教育局"]["change_flag"] is True
    assert rows["轮台县市场监督管理局"]["change_flag"] is False

    sheet = load_workbook(out / "审核结果.xlsx")["汇总"]
    header = [c.value for c in sheet[1]]
    for label in ("上年新收申请", "新收增减", "上年办理结果总计", "办理结果增减", "变化较大"):
        assert label in header
    by_unit = {r[0]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_unit["轮台县教育局"]["上年新收申请"] == 4
    assert by_unit["轮台县教育局"]["新收增减"] == 22
    assert by_unit["轮台县教育局"]["变化较大"] == "是"
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "上年新收" in page and "+22" in page

    # a larger factor: no flag
    run("batch", folder, "-o", out, "--previous", previous, "--today", TODAY, "--change-factor", "10")
    data = json.loads((out / "审核结果.json").read_text(encoding="utf-8"))
    assert not [f for f in data["findings"] if f["rule"] == "H.change"]


def test_batch_without_year_over_year_keeps_its_columns(tmp_path):
    folder = _batch_folder(tmp_path)
    run("batch", folder, "-o", tmp_path / "审核", "--today", TODAY)
    header = [c.value for c in load_workbook(tmp_path / "审核" / "审核结果.xlsx")["汇总"][1]]
    assert "上年新收申请" not in header


def test_batch_refuses_a_foreign_archive_untouched(tmp_path):
    folder = _batch_folder(tmp_path)
    foreign = tmp_path / "x.sqlite"
    foreign.write_text("不是数据库", encoding="utf-8")
    result = run("batch", folder, "-o", tmp_path / "审核", "--archive", foreign)
    assert result.exit_code == 2
    assert "不是年报库文件" in result.output
    assert foreign.read_text(encoding="utf-8") == "不是数据库"


# --- build ------------------------------------------------------------------------------


def test_build_runs_the_cross_year_checks(tmp_path):
    current = load(Y2024)
    current["applications"]["carried_over"]["natural_person"] = 0
    current["applications"]["carried_over"]["total"] = 1
    current["applications"]["received"]["natural_person"] = 19
    current["applications"]["received"]["total"] = 27
    path = dump(tmp_path / "2024.json", current)
    result = run("build", path, "--previous", Y2023, "-o", tmp_path / "r.docx")
    assert result.exit_code == 1
    assert "H.carry_over" in result.output and not (tmp_path / "r.docx").exists()
    result = run("build", Y2024, "--previous", Y2023, "-o", tmp_path / "ok.docx")
    assert result.exit_code == 0, result.output


# --- template ---------------------------------------------------------------------------


@pytest.fixture
def archive_db(tmp_path) -> Path:
    db = tmp_path / "年报库.sqlite"
    result = run("archive", "add", Y2020, Y2021, Y2023, Y2024, "--archive", db)
    assert result.exit_code == 0, result.output
    return db


def test_template_from_the_archive_prefills_unit_and_carry_over(tmp_path, archive_db):
    out = tmp_path / "模板.xlsx"
    result = run("template", "--archive", archive_db, "--unit", "轮台县市场监督管理局", "-o", out)
    assert result.exit_code == 0, result.output
    filled = read_submission(out).submission
    last = load(Y2024)
    assert filled["year"] == 2025
    assert filled["unit"]["code"] == last["unit"]["code"]
    assert filled["unit"]["kind"] == "department"
    assert filled["applications"]["carried_over"] == last["applications"]["carried_forward"]

    # an explicit year takes that year's predecessor, here the 2019-format 2020 report
    out = tmp_path / "2021.xlsx"
    result = run(
        "template", "--archive", archive_db, "--unit", "轮台县市场监督管理局", "--year", "2021", "-o", out
    )
    assert result.exit_code == 0, result.output
    filled = read_submission(out).submission
    assert filled["year"] == 2021
    assert filled["applications"]["carried_over"] == load(Y2020)["applications"]["carried_forward"]


def test_template_for_an_unknown_unit_is_a_clear_error(tmp_path, archive_db):
    result = run("template", "--archive", archive_db, "--unit", "不存在的局", "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 1
    assert "没有“不存在的局”的报告" in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_template_per_roster_unit(tmp_path, archive_db):
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "单位名称,单位类型\n轮台县市场监督管理局,政府部门\n轮台县新设局,政府部门\n", encoding="utf-8"
    )
    out = tmp_path / "模板"
    result = run("template", "--archive", archive_db, "--roster", roster, "-o", out)
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 2, files
    by_unit = {read_submission(out / name).submission["unit"]["name"]: out / name for name in files}
    known = read_submission(by_unit["轮台县市场监督管理局"]).submission
    assert known["year"] == 2025
    assert known["applications"]["carried_over"] == load(Y2024)["applications"]["carried_forward"]
    new = read_submission(by_unit["轮台县新设局"]).submission
    assert new["year"] == 2025 and new["unit"]["kind"] == "department"
    assert "未预填上年结转" in result.output


# --- archive outputs --------------------------------------------------------------------


def test_list_json_export_formats_and_versions(tmp_path, archive_db):
    changed = load(Y2024)
    changed["published_on"] = "2025-01-22"
    run("archive", "add", dump(tmp_path / "v2.json", changed), "--archive", archive_db)

    result = run("archive", "list", "--format", "json", "--archive", archive_db, "--year", "2024")
    records = json.loads(result.output)
    assert [(r["year"], r["version"], r["versions"], r["current"]) for r in records] == [
        (2024, 1, 2, False),
        (2024, 2, 2, True),
    ]
    result = run("archive", "list", "--current-only", "--format", "json", "--archive", archive_db)
    assert [r["version"] for r in json.loads(result.output) if r["year"] == 2024] == [2]
    text = run("archive", "list", "--archive", archive_db, "--year", "2024").output
    assert "第1版/共2版（历史）" in text and "其中历史版本1份" in text
    assert {"unit", "code", "year", "sha256", "added_at", "source_name", "counts"} <= set(records[0])

    result = run("archive", "export", "--archive", archive_db, "--unit", "11652822010293476R")
    exported = json.loads(result.output)
    assert [(r["year"], r["version"]) for r in exported] == [
        (2020, 1),
        (2021, 1),
        (2023, 1),
        (2024, 1),
        (2024, 2),
    ]
    assert exported[0]["submission"]["format"] == "2019"
    assert exported[3]["sha256"] == sha(Y2024) and exported[3]["source_name"] == Y2024.name
    out = tmp_path / "导出.xlsx"
    result = run("archive", "export", "--archive", archive_db, "-o", out, "--current-only")
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["年报库", "校验问题"]
    assert book["年报库"].max_row == 1 + 4
    assert book["校验问题"]["D1"].value == "规则"


def test_history_shows_the_years_and_the_changes(archive_db):
    result = run("history", "轮台县市场监督管理局", "--archive", archive_db)
    assert result.exit_code == 0, result.output
    for year in ("2020", "2021", "2023", "2024"):
        assert year in result.output
    result = run("history", "轮台县市场监督管理局", "--archive", archive_db, "--format", "json")
    years = json.loads(result.output)["years"]
    assert [y["year"] for y in years] == [2020, 2021, 2023, 2024]
    assert years[1]["change"]["本年新收"] == 21 - 15
    assert years[2]["change"]["本年新收"] is None  # 2022 is not archived: no change shown
    assert years[0]["figures"]["行政规范性文件现行有效"] is None  # not in the 2019 format


def test_alias_of_a_renamed_unit_is_used_by_check(tmp_path):
    db = tmp_path / "年报库.sqlite"
    old = load(Y2023)
    old["unit"] = {"name": "轮台县工商行政管理局", "kind": "department", "level": "county"}
    run("archive", "add", dump(tmp_path / "old.json", old), "--archive", db)
    renamed = load(Y2024)
    renamed["unit"].pop("code")
    renamed["applications"]["carried_over"]["commercial"] = 0
    renamed["applications"]["carried_over"]["total"] = 1
    renamed["applications"]["received"]["commercial"] = 6
    renamed["applications"]["received"]["total"] = 27
    path = dump(tmp_path / "new.json", renamed)
    before = run("check", path, "--archive", db, "--today", TODAY, "--format", "json")
    assert history_rules(before) == ["H.no_previous"]
    result = run("archive", "alias", "轮台县工商行政管理局", "轮台县市场监督管理局", "--archive", db)
    assert result.exit_code == 0, result.output
    after = run("check", path, "--archive", db, "--today", TODAY, "--format", "json")
    assert history_rules(after) == ["H.carry_over"]


@pytest.mark.parametrize("content", [b"", b"hello", b"SQLite format 3\x00" + b"\x00" * 84])
def test_foreign_files_are_refused_by_every_command(tmp_path, content):
    db = tmp_path / "库.sqlite"
    db.write_bytes(content)
    digest = sha(db)
    for args in (
        ("archive", "add", Y2024, "--archive", db),
        ("archive", "list", "--archive", db),
        ("archive", "export", "--archive", db),
        ("history", "轮台县市场监督管理局", "--archive", db),
        ("check", Y2024, "--archive", db),
        ("template", "--archive", db, "--unit", "x", "-o", tmp_path / "t.xlsx"),
    ):
        result = run(*args)
        assert result.exit_code in (1, 2), (args, result.output)
        assert "年报库" in result.output and "Traceback" not in result.output
        assert sha(db) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["库.sqlite"]


def test_damaged_wal_archive_leaves_no_files_behind(tmp_path, archive_db):
    damaged = tmp_path / "坏.sqlite"
    damaged.write_bytes(archive_db.read_bytes()[:5000])
    digest = sha(damaged)
    result = run("archive", "list", "--archive", damaged)
    assert result.exit_code == 1 and "已损坏" in result.output
    assert sha(damaged) == digest
    assert not Path(f"{damaged}-wal").exists() and not Path(f"{damaged}-shm").exists()


def test_missing_paths_are_chinese_errors(tmp_path, archive_db):
    result = run("check", Y2024, "--previous", tmp_path / "没有.json")
    assert result.exit_code == 2 and "不存在" in result.output
    result = run("archive", "add", tmp_path / "没有.json", "--archive", archive_db)
    assert result.exit_code == 1 and "不存在" in result.output
    result = run("archive", "list", "--archive", tmp_path)
    assert result.exit_code == 1 and "文件夹" in result.output
    result = run("archive", "list", "--archive", tmp_path / "没有.sqlite")
    assert result.exit_code == 1 and "不存在" in result.output
    assert not (tmp_path / "没有.sqlite").exists()


def test_archive_add_stores_the_cross_year_findings(tmp_path):
    db = tmp_path / "年报库.sqlite"
    run("archive", "add", Y2023, "--archive", db)
    current = copy.deepcopy(load(Y2024))
    current["active_disclosure"]["normative_documents"]["in_force"] = 20
    result = run("archive", "add", dump(tmp_path / "2024.json", current), "--archive", db)
    assert result.exit_code == 0 and "警告1个" in result.output
    with Archive(db, create=False) as store:
        row = store.rows(year=2024)[0]
    assert [f["rule"] for f in json.loads(row["findings"])] == ["H.in_force"]


def test_alias_table_file_registers_renamings(tmp_path):
    db = tmp_path / "年报库.sqlite"
    old = load(Y2023)
    old["unit"] = {"name": "轮台县工商行政管理局", "kind": "department", "level": "county"}
    run("archive", "add", dump(tmp_path / "old.json", old), "--archive", db)
    table = tmp_path / "更名对照表.csv"
    table.write_text(
        "序号,旧名称,新名称\n1,轮台县工商行政管理局,轮台县市场监督管理局\n2,没有的局,也没有的局\n",
        encoding="utf-8",
    )
    result = run("archive", "alias", "--file", table, "--archive", db)
    assert result.exit_code == 0  # the second row names no archived unit: registered ahead
    assert "已登记2行" in result.output and "暂无这两个名称的报告" in result.output
    table.write_text("旧名称,新名称\n甲局,甲局\n", encoding="utf-8")
    result = run("archive", "alias", "--file", table, "--archive", db)
    assert result.exit_code == 1 and "已登记0行" in result.output and "相同" in result.output
    listing = run("archive", "alias", "--archive", db)
    assert "轮台县工商行政管理局" in listing.output and "轮台县市场监督管理局" in listing.output
    renamed = load(Y2024)
    renamed["unit"].pop("code")
    result = run("history", "轮台县市场监督管理局", "--archive", db, "--format", "json")
    assert [y["year"] for y in json.loads(result.output)["years"]] == [2023]
    path = dump(tmp_path / "new.json", renamed)
    result = run("check", path, "--archive", db, "--today", TODAY, "--format", "json")
    assert "H.no_previous" not in history_rules(result)


def test_previous_file_of_another_unit_or_year_is_named_not_compared(tmp_path):
    other = load(Y2023)
    other["unit"]["code"] = "91652822MA77777770"
    path = dump(tmp_path / "other.json", other)
    result = run("check", Y2024, "--previous", path, "--today", TODAY, "--format", "json")
    finding = json.loads(result.output)["findings"]
    assert [f["rule"] for f in finding] == ["H.no_previous"] and "另一单位" in finding[0]["message"]
    result = run("check", Y2024, "--previous", Y2021, "--today", TODAY, "--format", "json")
    assert "2021年度的报告" in json.loads(result.output)["findings"][0]["message"]
    renamed = load(Y2023)
    renamed["unit"] = {"name": "轮台县工商行政管理局", "kind": "department", "level": "county"}
    path = dump(tmp_path / "renamed.json", renamed)  # no codes: the named file is taken as last year's
    result = run("check", Y2024, "--previous", path, "--today", TODAY, "--format", "json")
    assert json.loads(result.output)["findings"] == []


def test_batch_year_over_year_survives_hostile_submissions(tmp_path):
    folder = tmp_path / "报送"
    folder.mkdir()
    base = load(Y2024)
    for name, change in {
        "year-text.json": {"year": "二〇二四"},
        "no-name.json": {"unit": {"name": ""}},
        "unit-string.json": {"unit": "某局"},
        "tables-broken.json": {"applications": {"carried_over": "abc"}, "unit": {"name": "单位乙"}},
        "text-list.json": {"text": ["不是", "对象"], "unit": {"name": "单位丙"}},
    }.items():
        dump(folder / name, {**copy.deepcopy(base), **change})
    (folder / "list.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    db = tmp_path / "库.sqlite"
    result = run("batch", folder, "-o", tmp_path / "审核", "--archive", db, "--previous", HISTORY)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    data = json.loads((tmp_path / "审核" / "审核结果.json").read_text(encoding="utf-8"))
    assert not [f for f in data["findings"] if f["rule"] == "F.internal"]
    assert "未能入库" in result.output
