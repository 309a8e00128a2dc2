"""The check and rules commands end to end, through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings

from helpers import run, write_json
from strategies import mutated, valid_submissions


@pytest.fixture(scope="module")
def good():
    drawn = []

    @settings(max_examples=1, database=None, suppress_health_check=list(HealthCheck), deadline=None)
    @given(valid_submissions())
    def pick(s):
        drawn.append(s)

    pick()
    submission = drawn[0]
    submission["year"] = 2024
    submission.pop("published_on", None)
    return submission


def test_valid_file_exits_zero_with_chinese_summary(tmp_path, good):
    result = run("check", write_json(tmp_path / "ok.json", good), "--today", "2025-06-01")
    assert result.exit_code == 0, result.output
    assert "结果：通过" in result.output
    assert "共检查 1 个文件：通过 1 个" in result.output


def test_errors_exit_one_and_json_matches_contract(tmp_path, good):
    bad = mutated(good, "/applications/received/natural_person", 2)
    path = write_json(tmp_path / "bad.json", bad)
    result = run("check", path, "--format", "json", "--today", "2025-06-01")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["file"] == str(path) and data["valid"] is False and data["year"] == 2024
    assert data["counts"]["error"] == sum(1 for f in data["findings"] if f["severity"] == "error") >= 2
    balance = next(f for f in data["findings"] if f["rule"] == "T3.balance")
    assert balance["locations"][0]["pointer"] == "/applications/received/natural_person"
    assert balance["locations"][0]["label"] == "一、本年新收政府信息公开申请数量 · 自然人"
    assert balance["expected"] - balance["actual"] == 2
    assert "相差2" in balance["message"] and balance["suggestion"]
    rules = [f["rule"] for f in data["findings"]]
    assert "T3.applicant_total" in rules


def test_several_files_give_a_json_array_and_csv_rows(tmp_path, good):
    a = write_json(tmp_path / "a.json", good)
    b = write_json(tmp_path / "b.json", mutated(good, "/reviews/reconsideration/upheld", 1))
    result = run("check", a, b, "--format", "json", "--today", "2025-06-01")
    assert result.exit_code == 1
    assert [item["valid"] for item in json.loads(result.output)] == [True, False]
    out = tmp_path / "out.csv"
    result = run("check", a, b, "--format", "csv", "-o", str(out), "--today", "2025-06-01")
    assert result.exit_code == 1
    text = out.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["文件", "单位", "年度", "规则"]
    assert any(row[3] == "T4.total" for row in rows[1:])


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("empty.json", b"", "F.empty"),
        ("broken.json", b'{"format": "2021", "year": 2024,', "F.syntax"),
        ("list.json", b"[1, 2, 3]", "F.not_object"),
        ("gbk.json", '{"unit": {"name": "测试局"}}'.encode("gbk"), "F.encoding"),
        ("tabs.yaml", b"format: '2021'\n\tyear: 2024\n", "F.syntax"),
    ],
)
def test_bad_files_are_findings_not_tracebacks(tmp_path, name, content, rule):
    path = tmp_path / name
    path.write_bytes(content)
    result = run("check", str(path), "--format", "json")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    data = json.loads(result.output)
    assert data["valid"] is False
    assert data["findings"][0]["rule"] == rule
    assert path.read_bytes() == content


def test_missing_file_is_a_finding(tmp_path):
    result = run("check", str(tmp_path / "nope.json"))
    assert result.exit_code == 1
    assert "F.unreadable" in result.output


def test_usage_errors_exit_two():
    assert run("check").exit_code == 2
    assert run("check", "x.json", "--format", "xml").exit_code == 2
    assert run("check", "x.json", "--today", "明天").exit_code == 2


def test_rules_lists_every_catalogue_entry():
    result = run("rules", "--format", "json")
    assert result.exit_code == 0
    entries = json.loads(result.output)
    ids = [r["id"] for r in entries]
    assert all(r["severity"] in ("error", "warning", "info") and r["description"] for r in entries)
    assert {"T3.balance", "T3.outcome_total", "T3.applicant_total", "T4.total", "X.received"} <= set(ids)
    assert len(ids) == len(set(ids))
    text = run("rules").output
    assert "T3.balance" in text and "错误" in text


def test_text_output_groups_by_table(tmp_path, good):
    bad = mutated(good, "/reviews/litigation_direct/pending", 1)
    bad["unit"]["kind"] = "部门"
    result = run("check", write_json(tmp_path / "x.json", bad), "--today", "2025-06-01")
    assert "【基本信息】" in result.output and "【表四 政府信息公开行政复议、行政诉讼情况】" in result.output
    assert result.output.index("【基本信息】") < result.output.index("【表四")
    assert "修改建议" in result.output


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_disk_on_stdout_keeps_the_exit_status_and_says_so(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "report_kit", "check", str(bad)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "磁盘空间不足" in proc.stderr


def test_every_translated_click_message_occurs_in_the_installed_click():
    """A click release that rewords a message would silently show English again."""
    import pathlib

    import click

    from report_kit.commands.click_chinese import CLICK_CHINESE, TESTED_CLICK_VERSIONS

    source = "".join(
        path.read_text(encoding="utf-8") for path in pathlib.Path(click.__file__).parent.glob("*.py")
    )
    assert [key for key in CLICK_CHINESE if key not in source and repr(key)[1:-1] not in source] == []
    from importlib.metadata import version

    assert ".".join(version("click").split(".")[:2]) in TESTED_CLICK_VERSIONS


@pytest.mark.parametrize(
    "command",
    [
        ["batch", "{inbox}", "-o", "{out}"],
        ["template", "-o", "{out}", "--year", "2024"],
        ["plan", "read", "{plan}"],
        ["serve", "{out}"],
    ],
)
def test_a_missing_roster_is_the_same_usage_error_everywhere(tmp_path, command):
    """Every command with --roster reads it through one helper: exit 2, naming the option."""
    inbox = tmp_path / "报告"
    inbox.mkdir()
    plan = tmp_path / "要点.txt"
    plan.write_text("一、深化主动公开\n1. 公开预算。\n责任单位：县财政局\n", encoding="utf-8")
    values = {"inbox": str(inbox), "out": str(tmp_path / "输出"), "plan": str(plan)}
    args = [part.format(**values) for part in command]
    result = run(*args, "--roster", str(tmp_path / "没有的名单.csv"))
    assert result.exit_code == 2, result.output
    assert "名单文件" in result.output and "不存在" in result.output and "--roster" in result.output
