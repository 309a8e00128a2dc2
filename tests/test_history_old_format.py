"""The 2019 trial format: its layout, derived schema and catalogue, and validation of old reports."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given
from test_history_helpers import to_2019

from report_kit.catalogue import load_catalogue
from report_kit.check import validate_read
from report_kit.layout import load_layout
from report_kit.readers import ReadResult
from report_kit.schema_build import build_schema, derive_rules, render, rules_path, schema_path

from strategies import valid_submissions

TODAY = dt.date(2026, 6, 1)


def check(submission: dict):
    return validate_read(ReadResult(submission, []), "test.json", today=TODAY)


def test_committed_2019_schema_and_rules_are_derived():
    layout = load_layout("2019")
    assert schema_path("2019").read_text(encoding="utf-8") == render(build_schema(layout)), (
        "run: python -m report_kit.schema_build 2019"
    )
    assert rules_path("2019").read_text(encoding="utf-8") == render(derive_rules(layout))


def test_2019_layout_has_the_trial_format_tables():
    layout = load_layout("2019")
    t2 = {row.key: [c.key for c in row.columns] for row in layout.tables["T2"].rows}
    assert t2["regulations"] == ["produced", "published", "total_public"]
    assert t2["licensing"] == ["previous_items", "change", "decisions"]
    assert t2["fees"] == ["previous_items", "change"]
    assert t2["procurement"] == ["items", "amount"]
    assert len(layout.collections["T3.rows.outcome"]) == 19  # （六）其他处理 is one row
    assert "/applications/results/other_handling/total" in layout.cells


def test_2019_rules_keep_ids_and_messages_of_2021():
    old, new = load_catalogue("2019"), load_catalogue("2021")
    for rule in old:
        assert rule.raw == new[rule.id].raw
    assert "T3.fee_unpaid_without_notice" not in old.rules
    assert {"T3.balance", "T3.outcome_total", "T3.applicant_total", "T4.total", "D.format_year"} <= set(
        old.rules
    )


@given(valid_submissions())
def test_valid_2019_report_for_2020_validates_clean(submission):
    old = to_2019(submission)
    old.update(year=2020, published_on="2021-01-20")
    report = check(old)
    assert [f.rule for f in report.findings] == [], [f.message for f in report.findings]


def test_negative_change_is_accepted_and_text_is_not(tmp_path):
    from strategies import first_example

    old = to_2019(first_example(valid_submissions(), lambda s: True))
    old.update(year=2020, published_on="2021-01-20")
    old["active_disclosure"]["licensing"]["change"] = -7
    assert check(old).valid
    old["active_disclosure"]["licensing"]["change"] = "减少7项"
    assert "S.type" in [f.rule for f in check(old).findings]


def test_2019_report_for_2024_is_a_format_year_error():
    from strategies import first_example

    old = to_2019(first_example(valid_submissions(), lambda s: True))
    old.update(year=2024, published_on="2025-01-20")
    report = check(old)
    assert [f.rule for f in report.findings] == ["D.format_year"]
    assert report.findings[0].severity == "error"
    assert not report.valid


def test_2019_arithmetic_rules_apply():
    from strategies import first_example

    old = to_2019(first_example(valid_submissions(), lambda s: s["applications"]["received"]["total"] > 2))
    old.update(year=2020, published_on="2021-01-20")
    old["applications"]["results"]["other_handling"]["natural_person"] += 1
    rules = {f.rule for f in check(old).findings}
    assert {"T3.outcome_total", "T3.applicant_total"} <= rules
    json.dumps([f.to_dict() for f in check(old).findings], ensure_ascii=False)
