"""Rules one by one: each fires on its own defect, with the numbers and location it should."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from report_kit.catalogue import load_catalogue
from report_kit.readers import read_submission
from report_kit.validator import get_validator

from strategies import set_pointer

VALIDATOR = get_validator()
TODAY = dt.date(2026, 6, 1)
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "轮台县市场监督管理局-2024.yaml"


@pytest.fixture(scope="module")
def base():
    """The shipped example (a department with 26 applications over several outcome rows):
    realistic, deterministic, and valid — each test adds exactly one defect to it."""
    submission = read_submission(EXAMPLE).submission
    submission.update(year=2024, published_on="2025-01-20")
    submission["unit"].pop("code", None)
    assert submission["applications"]["received"]["total"] > 3 and submission["unit"]["kind"] == "department"
    assert not VALIDATOR.validate(submission, today=TODAY).findings
    return submission


def run(base, **changes):
    document = copy.deepcopy(base)
    for pointer, value in changes.items():
        pointer = "/" + pointer.replace("__", "/")
        if value is ...:
            parent, _, key = pointer.rpartition("/")
            node = document
            for part in parent.strip("/").split("/"):
                node = node[part]
            del node[key]
        else:
            set_pointer(document, pointer, value)
    return VALIDATOR.validate(document, today=TODAY).findings


def rules_of(findings):
    return [f.rule for f in findings]


def test_catalogue_entries_are_complete():
    for rule in load_catalogue():
        assert rule.severity in ("error", "warning", "info")
        assert rule.title and rule.message, rule.id
        assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.title), rule.id
        assert rule.kind == "emitted" or any("\u4e00" <= ch <= "\u9fff" for ch in rule.message), rule.id


def test_balance_message_names_both_sides_and_difference(base):
    value = base["applications"]["carried_over"]["natural_person"]
    findings = run(
        base,
        applications__carried_over__natural_person=value + 1,
        applications__carried_over__total=base["applications"]["carried_over"]["total"] + 1,
    )
    assert rules_of(findings)[:2] == ["T3.balance", "T3.balance"]
    assert set(rules_of(findings)) <= {"T3.balance", "X.carried_over"}
    first = findings[0]
    assert first.locations[0].pointer == "/applications/received/natural_person"
    assert "上年结转" in first.message and "相差1" in first.message
    assert first.difference == 1


def test_late_publication_for_a_department(base):
    findings = run(base, published_on="2025-02-10")
    assert rules_of(findings) == ["D.late"]
    assert findings[0].difference == 10
    assert "2025-01-31" in findings[0].message


def test_government_has_until_march(base):
    assert rules_of(run(base, published_on="2025-03-10", scope="government", unit__kind="government")) == []
    assert rules_of(run(base, published_on="2025-04-01", scope="government", unit__kind="government")) == [
        "D.late"
    ]


def test_townships_have_no_national_deadline(base):
    assert run(base, published_on="2025-06-30", unit__kind="township", unit__level="township") == []


def test_deadline_override_applies(base):
    findings = VALIDATOR.validate(base, today=TODAY, deadline=dt.date(2025, 1, 15)).findings
    assert rules_of(findings) == ["D.late"]


def test_published_before_year_end(base):
    assert rules_of(run(base, published_on="2024-12-01")) == ["D.published_early"]


def test_report_for_an_unfinished_year(base):
    findings = VALIDATOR.validate({**base, "year": 2026, "published_on": "2027-01-10"}, today=TODAY).findings
    assert "D.future_year" in rules_of(findings)


def test_credit_code_check_digit(base):
    findings = run(base, unit__code="91110000600037341Y")
    assert rules_of(findings) == ["D.credit_code"]
    assert "校验位" in findings[0].message
    assert rules_of(run(base, unit__code="91110000600037341L")) == []
    assert "18位" in run(base, unit__code="123")[0].message


@pytest.mark.parametrize(("year", "fmt", "severity"), [(2024, "2019", "error"), (2020, "2021", "warning")])
def test_format_revision_must_fit_the_year(base, year, fmt, severity):
    findings = [
        f
        for f in run(base, year=year, format=fmt, published_on=f"{year + 1}-01-10")
        if f.rule == "D.format_year"
    ]
    assert len(findings) == 1 and findings[0].severity == severity


def test_required_sections(base):
    findings = run(base, text__problems="  ", text__other__fees=...)
    assert rules_of(findings) == ["D.section_missing", "D.section_missing"]
    overview = {k: "" for k in base["text"]["overview"]}
    findings = run(base, text__overview=overview)
    assert rules_of(findings) == ["D.section_missing"]  # not five topic warnings on top
    findings = run(base, text__overview__platforms="", text__other__innovation=...)
    assert rules_of(findings) == ["D.topic_missing", "D.topic_missing"]
    assert all(f.severity == "warning" for f in findings)


def test_regulations_only_for_governments_that_make_them(base):
    findings = run(base, active_disclosure__regulations={"issued": 1, "repealed": 0, "in_force": 1})
    assert rules_of(findings) == ["T2.regulations_unit"]
    assert "政府部门" in findings[0].message
    changes = {
        "active_disclosure__regulations": {"issued": 1, "repealed": 0, "in_force": 1},
        "unit__kind": "government",
        "unit__level": "city",
        "scope": "government",
    }
    assert run(base, **changes) == []


def test_in_force_cannot_fall_below_net_issued(base):
    findings = run(base, active_disclosure__normative_documents={"issued": 5, "repealed": 1, "in_force": 2})
    assert rules_of(findings) == ["T2.in_force_net"]
    assert findings[0].severity == "warning" and findings[0].difference == 2


def test_fee_unpaid_needs_a_notice(base):
    document = copy.deepcopy(base)
    apps = document["applications"]
    for row in (apps["results"]["other_handling"]["fee_unpaid"], apps["results"]["total"], apps["received"]):
        row["natural_person"] += 1
        row["total"] += 1
    document["fees"] = {"notices": 0, "amount_notified": 0, "amount_collected": 0}
    document["text"]["overview"]["requests"] = "依法办理申请。"
    document["text"]["other"]["fees"] = "本年度未收取信息处理费。"
    findings = VALIDATOR.validate(document, today=TODAY).findings
    assert rules_of(findings) == ["T3.fee_unpaid_without_notice"]
    assert findings[0].severity == "error"


def test_fee_amount_rules(base):
    findings = run(
        base,
        fees={"notices": 1, "amount_notified": 100, "amount_collected": 155},
        text__other__fees="发出收费通知1件。",
    )
    assert sorted(rules_of(findings)) == ["FEE.amount_multiple_of_ten", "FEE.collected_exceeds_notified"]


def test_text_claims_quote_the_sentence(base):
    total = base["applications"]["received"]["total"]
    sentence = f"本年度共收到政府信息公开申请{total + 5}件。"
    findings = run(base, text__overview__requests=sentence)
    assert rules_of(findings) == ["X.received"]
    assert findings[0].quote == sentence and findings[0].actual == total + 5 and findings[0].expected == total
    assert findings[0].locations[0].pointer == "/text/overview/requests"


def test_schema_errors_silence_arithmetic_for_that_cell(base):
    findings = run(base, applications__received__natural_person="12件")
    assert rules_of(findings) == ["S.type"]
    assert "12" in findings[0].suggestion
    result = VALIDATOR.validate({**base, "applications": "none"}, today=TODAY)
    assert rules_of(result.findings) == ["S.type"]
    assert any(name.startswith("T3.balance") for name in result.not_evaluated)


def test_unknown_key_suggests_the_closest(base):
    document = copy.deepcopy(base)
    document["applications"]["received"]["natual_person"] = document["applications"]["received"].pop(
        "natural_person"
    )
    findings = VALIDATOR.validate(document, today=TODAY).findings
    assert sorted(rules_of(findings)) == ["S.required", "S.unknown_key"]
    unknown = next(f for f in findings if f.rule == "S.unknown_key")
    assert "natural_person" in unknown.message


def test_expand_binds_every_instance_to_concrete_cells():
    """``T3.balance`` over the seven applicant columns: 本年新收 + 上年结转 = 总计 of each column."""
    from report_kit.catalogue import load_catalogue
    from report_kit.layout import load_layout
    from report_kit.rules.linear import expand

    layout = load_layout()
    relations = expand(load_catalogue()["T3.balance"], layout)
    assert len(relations) == len(layout.collections["T3.columns"])
    for relation in relations:
        pointers = relation.pointers
        assert all(pointer in layout.cells for pointer in pointers)
        assert len({layout.cells[p].column.key for p in pointers}) == 1  # one column per instance


def _rule_ids_in_code() -> dict[str, set[str]]:
    """Every string constant of report_kit that looks like a rule id → the files using it."""
    import ast
    import re

    pattern = re.compile(r"^[A-Z]{1,3}\.[a-z][a-z0-9_]*$")
    root = Path(__file__).resolve().parent.parent / "report_kit"
    used: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and pattern.match(node.value):
                used.setdefault(node.value, set()).add(path.name)
    return used


def test_every_rule_id_in_code_is_in_the_catalogue_and_every_rule_is_raised():
    from report_kit import formats
    from report_kit.rules import COMPILERS

    catalogues = [load_catalogue(revision.id) for revision in formats.revisions()]
    known = {rule.id for catalogue in catalogues for rule in catalogue}
    used = _rule_ids_in_code()
    assert {rule_id: files for rule_id, files in used.items() if rule_id not in known} == {}
    silent = [
        f"{catalogue.format}:{rule.id}"
        for catalogue in catalogues
        for rule in catalogue
        if (rule.kind == "emitted" and rule.id not in used)
        or (rule.kind != "emitted" and rule.kind not in COMPILERS)
    ]
    assert silent == []  # no allow-list: a rule nobody raises is removed from the catalogue


def test_mixed_revisions_are_named(base):
    """The trial format's 表二 cells under the current ``format``: S.format names both revisions."""
    from report_kit import formats

    document = copy.deepcopy(base)
    document["active_disclosure"]["regulations"]["produced"] = 3
    findings = VALIDATOR.validate(document, today=TODAY).findings
    mixed = [f for f in findings if f.rule == "S.format"]
    assert len(mixed) == 1, rules_of(findings)
    older = formats.revisions()[0]
    assert older.label in mixed[0].message and formats.current().label in mixed[0].message
    assert mixed[0].pointer == "/active_disclosure/regulations/produced"
    assert "S.unknown_key" in rules_of(findings)
