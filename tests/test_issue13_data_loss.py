"""Issue 13, data loss: nothing a clerk made is overwritten or replaced behind their back."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from report_kit.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
UNIT = "轮台县市场监督管理局"
Y2024 = EXAMPLES / f"{UNIT}-2024.json"
Y2023 = EXAMPLES / "history" / f"{UNIT}-2023.yaml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# ------------------------------------------------------------------ 1. template -o never overwrites


def test_template_refuses_an_existing_output_without_force(tmp_path):
    filled = tmp_path / "填好.xlsx"
    assert run("template", "--fill", Y2024, "-o", filled).exit_code == 0
    before = filled.read_bytes()
    result = run("template", "-o", filled, "--unit", "某局")
    assert result.exit_code == 2 and "已存在" in result.output and "--force" in result.output
    assert filled.read_bytes() == before
    forced = run("template", "-o", filled, "--unit", "某局", "--force")
    assert forced.exit_code == 0 and filled.read_bytes() != before


def test_template_never_writes_over_its_own_input_even_with_force(tmp_path):
    filled = tmp_path / "填好.xlsx"
    assert run("template", "--fill", Y2024, "-o", filled).exit_code == 0
    before = filled.read_bytes()
    for option in ("--previous", "--fill"):
        result = run("template", "-o", filled, option, filled, "--force")
        assert result.exit_code == 2 and "输入文件" in result.output, result.output
        assert filled.read_bytes() == before


def test_template_from_the_archive_refuses_existing_output_and_the_archive(tmp_path):
    db = tmp_path / "库.sqlite"
    assert run("archive", "add", Y2023, "--archive", db).exit_code == 0
    archived = db.read_bytes()
    result = run("template", "--archive", db, "--unit", UNIT, "-o", db, "--force")
    assert result.exit_code == 2 and db.read_bytes() == archived
    out = tmp_path / "模板.xlsx"
    out.write_bytes(b"filled")
    result = run("template", "--archive", db, "--unit", UNIT, "-o", out)
    assert result.exit_code == 2 and out.read_bytes() == b"filled"
    assert run("template", "--archive", db, "--unit", UNIT, "-o", out, "--force").exit_code == 0


def test_template_roster_writes_nothing_when_a_workbook_exists(tmp_path):
    roster = tmp_path / "名单.csv"
    with roster.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["单位名称"], ["甲局"], ["乙局"]])
    out = tmp_path / "模板"
    assert run("template", "--roster", roster, "-o", out, "--year", "2024").exit_code == 0
    first = sorted(out.iterdir())
    assert len(first) == 2
    first[0].write_bytes(b"filled by the unit")
    result = run("template", "--roster", roster, "-o", out, "--year", "2024")
    assert result.exit_code == 2 and "--force" in result.output
    assert first[0].read_bytes() == b"filled by the unit"
    assert run("template", "--roster", roster, "-o", out, "--year", "2024", "--force").exit_code == 0
    assert first[0].read_bytes() != b"filled by the unit"
    assert json.loads(json.dumps(sorted(p.name for p in out.iterdir()))) == [p.name for p in first]
