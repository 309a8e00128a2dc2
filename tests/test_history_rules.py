"""Cross-year rules (rules.md §6): carry-over, stock of documents, copied prose."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_history_helpers import consecutive_years, rebalance, set_column, to_2019

from report_kit.check import validate_read
from report_kit.layout import load_layout
from report_kit.readers import ReadResult
from report_kit.rules.history import cross_year_findings, normalise_text, similarity

from helpers import run, write_json
from strategies import T3_PARTS

LAYOUT = load_layout("2021")
TODAY = dt.date(2030, 6, 1)


def history_rules(findings):
    return [f.rule for f in findings if f.rule.startswith("H.")]


@given(consecutive_years())
def test_consistent_consecutive_years_give_no_cross_year_finding(pair):
    previous, current = pair
    assert cross_year_findings(current, previous, LAYOUT) == []
    report = validate_read(ReadResult(current, []), "current.json", today=TODAY)
    assert report.valid, [f.message for f in report.findings]


@given(consecutive_years(), st.sampled_from(T3_PARTS), st.integers(1, 5))
def test_one_mutated_carry_over_cell_gives_exactly_one_finding(pair, column, delta):
    previous, current = pair
    set_column(current, "carried_over", column, current["applications"]["carried_over"][column] + delta)
    rebalance(current)  # this year's own identities still hold
    assert validate_read(ReadResult(current, []), "current.json", today=TODAY).valid
    findings = cross_year_findings(current, previous, LAYOUT)
    assert [f.rule for f in findings] == ["H.carry_over"]
    finding = findings[0]
    pointer = f"/applications/carried_over/{column}"
    assert finding.pointer == pointer
    assert finding.actual - finding.expected == delta == finding.difference
    assert f"{current['year']}年" in finding.message and f"{previous['year']}年" in finding.message
    assert f"相差{delta}件" in finding.message


@given(consecutive_years())
def test_carry_over_is_checked_against_a_2019_format_previous_year(pair):
    previous, current = pair
    old = to_2019(previous)
    assert cross_year_findings(current, old, LAYOUT) == []
    set_column(current, "carried_over", "research", current["applications"]["carried_over"]["research"] + 2)
    rebalance(current)
    rules = [f.rule for f in cross_year_findings(current, old, LAYOUT)]
    assert rules == ["H.carry_over"]  # 科研机构; the 总计 column follows from it


@given(consecutive_years())
def test_in_force_must_continue_last_years_stock(pair):
    previous, current = pair
    current["active_disclosure"]["normative_documents"]["in_force"] += 3
    findings = cross_year_findings(current, previous, LAYOUT)
    assert [f.rule for f in findings] == ["H.in_force"]
    assert findings[0].severity == "warning"
    assert findings[0].pointer == "/active_disclosure/normative_documents/in_force"
    assert "相差3件" in findings[0].message


def test_copied_prose_is_reported_with_its_percentage():
    from strategies import first_example

    previous, current = first_example(consecutive_years(), lambda pair: True)
    current["text"]["problems"] = previous["text"]["problems"].replace("下一步", "2025年") + " "
    current["text"]["overview"] = copy.deepcopy(previous["text"]["overview"])
    findings = cross_year_findings(current, previous, LAYOUT)
    assert sorted(f.rule for f in findings) == ["H.similar_text", "H.similar_text"]
    assert all(f.severity == "warning" and "内容雷同" in f.message and "%" in f.message for f in findings)
    assert {f.pointer for f in findings} == {"/text/overview", "/text/problems"}


def test_similarity_ignores_whitespace_punctuation_and_digits():
    a = normalise_text("2023年，主动公开文件 12 件。")
    b = normalise_text("2024年主动公开文件３５件！")
    assert a == b == "年主动公开文件件"
    assert similarity(a, b) == 1.0
    assert similarity("完全不同的一段话", "主动公开政府信息") < 0.9
    assert similarity("", "") == 0.0


def test_only_the_year_before_is_compared():
    from strategies import first_example

    previous, current = first_example(consecutive_years(), lambda pair: True)
    previous = dict(previous, year=current["year"] - 2)
    current["applications"]["carried_over"]["other"] += 1
    assert cross_year_findings(current, previous, LAYOUT) == []


def _mismatched_pair():
    from strategies import first_example

    previous, current = first_example(
        consecutive_years(), lambda pair: pair[0]["applications"]["carried_forward"]["natural_person"] > 0
    )
    set_column(current, "carried_over", "natural_person", 0)
    rebalance(current)
    return previous, current


def test_check_with_previous_file_and_folder(tmp_path):
    previous, current = _mismatched_pair()
    folder = tmp_path / "上年"
    folder.mkdir()
    last = write_json(folder / "last.json", previous)
    other = copy.deepcopy(previous)
    other["unit"] = {**other["unit"], "name": "另一个单位", "code": None}
    other["unit"].pop("code")
    write_json(folder / "other.json", other)
    this = write_json(tmp_path / "this.json", current)
    for source in (last, str(folder)):
        result = run("check", this, "--previous", source, "--format", "json", "--today", "2030-06-01")
        assert result.exit_code == 1, result.output
        findings = json.loads(result.output)["findings"]
        rules = [f["rule"] for f in findings]
        assert rules.count("H.carry_over") == 1  # 自然人 (总计 follows from it)
        assert findings[0]["locations"][0]["pointer"].startswith("/applications/carried_over/")


def test_check_without_last_years_report_gives_a_hint(tmp_path):
    _, current = _mismatched_pair()
    empty = tmp_path / "empty"
    empty.mkdir()
    this = write_json(tmp_path / "this.json", current)
    result = run("check", this, "--previous", str(empty), "--format", "json", "--today", "2030-06-01")
    assert result.exit_code == 0, result.output
    assert [f["rule"] for f in json.loads(result.output)["findings"]] == ["H.no_previous"]


def test_check_with_foreign_archive_is_a_usage_error(tmp_path):
    _, current = _mismatched_pair()
    this = write_json(tmp_path / "this.json", current)
    foreign = tmp_path / "foreign.sqlite"
    foreign.write_bytes(b"not a database at all" * 10)
    result = run("check", this, "--archive", str(foreign))
    assert result.exit_code == 2
    assert "不是年报库文件" in result.output
    assert foreign.read_bytes() == b"not a database at all" * 10


def test_carry_over_finding_in_a_workbook_names_its_cell(tmp_path):
    template = pytest.importorskip("report_kit.writers.template_xlsx")
    from report_kit.check import check_file
    from report_kit.previous import PreviousSource

    previous, current = _mismatched_pair()
    workbook = tmp_path / "this.xlsx"
    template.write_workbook(workbook, current)
    report = check_file(
        workbook, today=TODAY, previous=PreviousSource(write_json(tmp_path / "last.json", previous))
    )
    carry = [f for f in report.findings if f.rule == "H.carry_over"]
    assert len(carry) == 1
    assert carry[0].locations[0].sheet and carry[0].locations[0].cell


@given(consecutive_years(), st.sampled_from([*T3_PARTS, "total"]), st.integers(1, 5))
def test_one_mutated_cell_of_last_years_carried_forward_gives_one_finding(pair, column, delta):
    previous, current = pair
    previous["applications"]["carried_forward"][column] += delta  # last year's row total not fixed
    findings = cross_year_findings(current, previous, LAYOUT)
    assert [f.rule for f in findings] == ["H.carry_over"]
    assert findings[0].pointer == f"/applications/carried_over/{column}"
    assert findings[0].difference == -delta
    assert findings[0].severity == "error"


@given(consecutive_years(), st.integers(1, 5))
def test_a_mutated_carry_over_total_alone_is_one_finding_at_the_total(pair, delta):
    previous, current = pair
    current["applications"]["carried_over"]["total"] += delta
    findings = cross_year_findings(current, previous, LAYOUT)
    assert [(f.rule, f.pointer) for f in findings] == [("H.carry_over", "/applications/carried_over/total")]


def test_long_sections_are_compared_sentence_by_sentence():
    from report_kit.rules.history import EXACT_LIMIT, text_similarity

    sentences = [
        f"第{i}项工作按照{'公开透明规范'[i % 6]}要求推进并取得{'实效进展成果'[i % 6]}" for i in range(900)
    ]
    text = "。".join(sentences) + "。"
    assert len(normalise_text(text)) > 2 * EXACT_LIMIT
    edited = text.replace("推进", "推动", 40)  # a copy with a few words changed
    padded = "本年度新增一段内容，说明新的工作安排。" * 10 + text  # a copy with a new opening
    assert text_similarity(edited, text) >= 0.9
    assert text_similarity(padded, text) >= 0.9
    assert text_similarity(text, "今年全面改写了报告，" * 2000) < 0.9
    current = {"year": 2024, "text": {"problems": edited}}
    previous = {"year": 2023, "text": {"problems": text}}
    findings = cross_year_findings(current, previous, LAYOUT)
    assert [f.rule for f in findings] == ["H.similar_text"]
    assert "%" in findings[0].message
