"""Unit names of a plan resolved with the roster and the archive's alias table."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from report_kit.batch.roster import read_roster
from report_kit.cli import main
from report_kit.plan import read_plan

LUNTAI = next((Path(__file__).parent / "fixtures" / "plans").glob("000_*.txt"))

ROSTER = """单位名称,单位类型
轮台县人民政府办公室,department
轮台县发展和改革委员会,
轮台县自然资源局,
轮台县住房和城乡建设局,
轮台县市场监督管理局,部门
轮台县财政局,
轮台县卫生健康委员会,
轮台县教育局,
轮台县商务和工业和信息化局,
轮台镇人民政府,
阳霞镇人民政府,乡镇
哈尔巴克乡人民政府,
"""


def roster(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def by_number(ledger, number):
    return next(t for t in ledger.tasks if t.number == number)


def test_abbreviations_and_prefixes_matched_to_the_roster(tmp_path):
    ledger = read_plan(LUNTAI, roster=read_roster(roster(tmp_path)))
    assert by_number(ledger, "3").resolved == ["轮台县市场监督管理局"]
    assert by_number(ledger, "1").resolved == [
        "轮台县发展和改革委员会",
        "轮台县自然资源局",
        "轮台县住房和城乡建设局",
    ]
    assert by_number(ledger, "9").resolved == ["轮台县卫生健康委员会"]


def test_collectives_expand_to_roster_units_of_that_kind(tmp_path):
    ledger = read_plan(LUNTAI, roster=read_roster(roster(tmp_path)))
    townships = ["轮台镇人民政府", "阳霞镇人民政府", "哈尔巴克乡人民政府"]
    assert by_number(ledger, "22").resolved[:3] == townships
    departments = by_number(ledger, "17").resolved  # 县人民政府各部门
    assert "轮台县财政局" in departments and "轮台镇人民政府" not in departments


def test_unresolved_are_listed_with_candidates(tmp_path):
    ledger = read_plan(LUNTAI, roster=read_roster(roster(tmp_path)))
    entries = {e["name"]: e for e in ledger.unresolved}
    assert "教科局" in entries  # 教育和科学技术局 is not on this roster
    assert "轮台县教育局" in entries["教科局"]["candidates"]
    assert "T15" in entries["教科局"]["tasks"]
    assert "商工局" in entries


def test_alias_table_confirms_a_name(tmp_path):
    archive = tmp_path / "年报库.sqlite"
    runner = CliRunner()
    done = runner.invoke(
        main, ["archive", "alias", "商工局", "轮台县商务和工业和信息化局", "--archive", str(archive)]
    )
    assert done.exit_code == 0, done.output
    result = runner.invoke(
        main,
        [
            "plan",
            "read",
            str(LUNTAI),
            "--roster",
            str(roster(tmp_path)),
            "--archive",
            str(archive),
            "-o",
            str(tmp_path / "l.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    import json

    data = json.loads((tmp_path / "l.json").read_text(encoding="utf-8"))
    t12 = next(t for t in data["tasks"] if t["number"] == "12")
    assert "轮台县商务和工业和信息化局" in t12["resolved"]
    assert "商工局" not in {e["name"] for e in data["unresolved"]}
    assert "教科局" in result.output and "轮台县教育局" in result.output  # listed with the closest names


def test_without_roster_names_are_built_from_the_region():
    ledger = read_plan(LUNTAI)
    assert by_number(ledger, "15").resolved[-2:] == ["轮台县教育和科学技术局", "轮台县卫生健康委员会"]
    assert {e["name"] for e in ledger.unresolved} >= {"各乡镇人民政府", "县人民政府各部门"}
