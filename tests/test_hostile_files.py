"""Crashes and leaks: hostile text, damaged archives and odd files never stop a run."""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from report_kit.cli import main

from helpers import ROOT, run

UNIT = "轮台县市场监督管理局"
Y2024 = ROOT / "examples" / f"{UNIT}-2024.json"
HOSTILE = "甲\ufffe局\uffff\x1b]52;c;ZXZpbA==\x07\u202e\x9b31m"


def _submission(tmp_path, name=HOSTILE, filename="a.json"):
    data = json.loads(Y2024.read_text(encoding="utf-8"))
    data["unit"]["name"] = name
    inbox = tmp_path / "in"
    inbox.mkdir(exist_ok=True)
    path = inbox / filename
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# ------------------------------------------------------------------ 6. XML-illegal characters


def test_xml_illegal_unit_name_does_not_stop_any_workbook_writer(tmp_path):
    source = _submission(tmp_path)
    review = tmp_path / "review"
    assert run("batch", source.parent, "-o", review, "--today", "2025-06-01").exit_code == 0
    assert openpyxl.load_workbook(review / "审核结果.xlsx")["汇总"]["A2"].value.startswith("甲局")
    filled = tmp_path / "填好.xlsx"
    assert run("template", "--fill", source, "-o", filled).exit_code == 0
    assert openpyxl.load_workbook(filled) is not None
    blank = tmp_path / "空白.xlsx"
    assert run("template", "--unit", "乙\uffff局", "-o", blank).exit_code == 0
    db = tmp_path / "库.sqlite"
    assert run("archive", "add", source, "--archive", db).exit_code == 0
    exported = tmp_path / "导出.xlsx"
    assert run("archive", "export", "--archive", db, "-o", exported).exit_code == 0
    assert openpyxl.load_workbook(exported)["年报库"]["A2"].value.startswith("甲局")


def test_roster_with_nul_byte_and_a_huge_field(tmp_path):
    source = _submission(tmp_path, name=UNIT)
    nul = tmp_path / "名单1.csv"
    nul.write_bytes("单位名称\n".encode() + f"{UNIT}\x00\n".encode())
    huge = tmp_path / "名单2.csv"
    huge.write_text("单位名称\n" + "乙" * 140_000 + f"\n{UNIT}\n", encoding="utf-8")
    for roster in (nul, huge):
        review = tmp_path / roster.stem
        result = run("batch", source.parent, "-o", review, "--roster", roster, "--today", "2025-06-01")
        assert result.exit_code in (0, 1) and (review / "审核结果.xlsx").is_file(), result.output


# ------------------------------------------------------------------ 8. nothing a terminal would execute

UNSAFE = ("\x1b", "\x07", "\x9b", "\x9d", "\u202e", "\u2066")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_escape_sequence_or_bidi_override_is_printed(tmp_path, fmt):
    source = _submission(tmp_path, name=HOSTILE + "\u2066\x9d8;;http://x\x9c")
    result = CliRunner().invoke(main, ["check", str(source), "--format", fmt])
    assert "甲" in result.output
    assert not [c for c in UNSAFE if c in result.output], repr(result.output[:200])
    db = tmp_path / "库.sqlite"
    added = CliRunner().invoke(main, ["archive", "add", str(source), "--archive", str(db)])
    assert "甲" in added.output and not [c for c in UNSAFE if c in added.output]


def test_default_output_names_hold_no_control_or_bidi_character(tmp_path):
    source = _submission(tmp_path, name="甲\u202egpj.exe\x1b[31m局")
    review = tmp_path / "review"
    assert run("batch", source.parent, "-o", review, "--today", "2025-06-01", "--build").exit_code == 0
    names = [p.name for p in review.rglob("*")]
    assert any("甲" in n for n in names)
    assert not [n for n in names if any(c in n for c in UNSAFE)], names


# ------------------------------------------------------------------ 7. damaged archives are refused unwritten


def _damaged(tmp_path, kind):
    import sqlite3

    path = tmp_path / f"{kind}.sqlite"
    if kind == "dropped":
        assert run("archive", "add", Y2024, "--archive", path).exit_code == 0
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("DROP TABLE reports")
        connection.commit()
        connection.close()
        return path
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE other (a)")
    connection.execute("PRAGMA application_id = 0x524B4152")  # ours, but not an archive
    if kind == "foreign_v1":
        connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()
    return path


@pytest.mark.parametrize("kind", ["dropped", "foreign_v0", "foreign_v1"])
def test_a_damaged_archive_is_refused_in_chinese_and_left_unchanged(tmp_path, kind):
    path = _damaged(tmp_path, kind)
    before = path.read_bytes()
    commands = [
        ["check", Y2024, "--archive", path],
        ["build", Y2024, "-o", tmp_path / "r.docx", "--archive", path],
        ["archive", "list", "--archive", path],
        ["archive", "add", Y2024, "--archive", path],
        ["history", UNIT, "--archive", path],
    ]
    for command in commands:
        result = CliRunner().invoke(main, [str(a) for a in command])
        assert result.exit_code in (1, 2), (command, result.output)
        assert "Traceback" not in result.output and "年报库" in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert path.read_bytes() == before, command
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(path.name)) == [path.name]


# ------------------------------------------------------------------ 10. smaller ones


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no FIFOs on this system")
def test_non_regular_files_are_listed_as_skipped_with_a_reason(tmp_path):
    import os

    source = _submission(tmp_path, name=UNIT)
    os.mkfifo(source.parent / "管道.json")
    (source.parent / "断链.json").symlink_to(tmp_path / "不存在.json")
    review = tmp_path / "review"
    result = CliRunner().invoke(
        main, ["batch", str(source.parent), "-o", str(review), "--today", "2025-06-01"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((review / "审核结果.json").read_text(encoding="utf-8"))
    assert {"管道.json", "断链.json"} <= set(data["skipped"])
    assert "命名管道" in data["skipped_reasons"]["管道.json"]
    assert "不存在" in data["skipped_reasons"]["断链.json"]
    assert "命名管道" in (review / "index.html").read_text(encoding="utf-8")
    assert "已跳过“管道.json”" in result.stderr


@pytest.mark.parametrize("factor", ["nan", "inf", "NaN"])
def test_change_factor_must_be_a_number(tmp_path, factor):
    source = _submission(tmp_path, name=UNIT)
    result = run("batch", source.parent, "-o", tmp_path / "r", "--change-factor", factor)
    assert result.exit_code == 2 and "--change-factor" in result.output


def test_archive_and_export_follow_the_umask(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        db = tmp_path / "库.sqlite"
        assert run("archive", "add", Y2024, "--archive", db).exit_code == 0
        for suffix in ("json", "xlsx"):
            assert run("archive", "export", "--archive", db, "-o", tmp_path / f"导出.{suffix}").exit_code == 0
    finally:
        os.umask(old)
    for path in (db, tmp_path / "导出.json", tmp_path / "导出.xlsx"):
        assert path.stat().st_mode & 0o777 == 0o644, path


def test_an_annotate_target_that_cannot_be_written_is_a_failure(tmp_path):
    filled = tmp_path / "填好.xlsx"
    assert run("template", "--fill", Y2024, "-o", filled).exit_code == 0
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(filled), "--annotate", str(blocker / "标注.xlsx")])
    assert result.exit_code == 1 and "未生成标注副本" in result.output
    assert (
        CliRunner().invoke(main, ["check", str(filled), "--annotate", str(tmp_path / "标注.xlsx")]).exit_code
        == 0
    )
