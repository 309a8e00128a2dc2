"""Property tests of the validator: valid by construction, single-cell mutations, fuzzing."""

from __future__ import annotations

import copy
import json

from hypothesis import given, note
from hypothesis import strategies as st

from report_kit.catalogue import Catalogue, load_rules_file
from report_kit.layout import load_layout
from report_kit.schema_build import schema_path
from report_kit.settings import SCHEMA_DIR
from report_kit.validator import Validator, get_validator

from conftest import TODAY
from strategies import LAYOUT, get_pointer, mutated, numeric_pointers, set_pointer, valid_submissions

VALIDATOR = get_validator()
POINTERS = numeric_pointers()


@given(valid_submissions())
def test_constructed_submissions_are_clean(submission):
    result = VALIDATOR.validate(submission, today=TODAY)
    assert [f.to_dict() for f in result.findings] == []
    assert result.not_evaluated == []


def expected_rules(pointer: str) -> set[tuple[str, str]]:
    """(rule, anchor pointer) a change of one cell must fire, written from rules.md §3 and the
    printed tables, not from the validator: a 表三 applicant cell breaks its row's
    各类申请人之和 and its column's 办理结果 total (outcome rows) or the column balance
    (本年新收, 上年结转, 办理结果总计, 结转下年度); a 表四 cell breaks its group's total."""
    parts = pointer.strip("/").split("/")
    if parts[0] == "reviews":
        return {("T4.total", f"/reviews/{parts[1]}/total")}
    if parts[0] != "applications":
        return set()
    row, column = "/".join(parts[1:-1]), parts[-1]
    expected = {("T3.applicant_total", f"/applications/{row}/total")}
    if row.startswith("results/") and row != "results/total":
        expected.add(("T3.outcome_total", f"/applications/results/total/{column}"))
    else:  # 本年新收, 上年结转, 办理结果总计, 结转下年度
        expected.add(("T3.balance", f"/applications/received/{column}"))
        if row == "results/total":
            expected.add(("T3.outcome_total", f"/applications/results/total/{column}"))
    return expected


def may_also_fire(pointer: str) -> tuple[str, ...]:
    """Rule-id prefixes that may fire besides: the prose checks (a sentence's number against
    the changed cells), guarded rules whose condition a change can make true, and the
    inequalities of 表二 and of the fee figures."""
    allowed = ("X.", "T3.fee_unpaid_without_notice", "T4.without_applications")
    if pointer.startswith("/active_disclosure/"):
        allowed += ("T2.",)
    if pointer.startswith("/fees/"):
        allowed += ("FEE.",)
    return allowed


def _must_fire(pointer):
    """Unconditional equalities of the validator that read the cell (coverage test below)."""
    return [
        check
        for check in VALIDATOR.checks
        if pointer in check.involved
        and check.rule.kind == "linear"
        and check.rule.raw["op"] == "=="
        and "when" not in check.rule.raw
    ]


@given(valid_submissions(), st.sampled_from(POINTERS), st.integers(min_value=1, max_value=50), st.booleans())
def test_single_cell_mutation_fires_exactly_the_rules_of_that_cell(submission, pointer, amount, down):
    value = get_pointer(submission, pointer)
    delta = -min(amount, value) if down and value > 0 else amount
    changed = mutated(submission, pointer, delta)
    note(f"{pointer}: {value} -> {value + delta}")
    findings = VALIDATOR.validate(changed, today=TODAY).findings
    expected = expected_rules(pointer)
    anchors = {(f.rule, f.locations[0].pointer) for f in findings}
    assert expected <= anchors, f"did not fire: {expected - anchors}"
    others = {f.rule for f in findings} - {rule for rule, _ in expected}
    assert all(rule.startswith(may_also_fire(pointer)) for rule in others), f"fired without cause: {others}"
    if expected:
        assert any(f.severity == "error" for f in findings)


def test_the_expectation_table_agrees_with_the_validator_on_every_cell():
    """Every equality the validator binds to a cell is in the independent table, and back."""
    for pointer in POINTERS:
        bound = {(check.rule.id, check.anchor) for check in _must_fire(pointer)}
        assert bound == expected_rules(pointer), pointer


def test_every_table_cell_is_covered_by_an_identity():
    """A cell no equality reads could change silently; 表二 is the exception (no sums)."""
    for pointer, cell in LAYOUT.cells.items():
        if cell.table in ("T3", "T4"):
            assert _must_fire(pointer), pointer


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)


@given(json_values)
def test_validation_never_raises_on_arbitrary_json(document):
    result = VALIDATOR.validate(document, today=TODAY)
    assert all(f.message for f in result.findings)


@given(
    valid_submissions(),
    st.sampled_from(
        POINTERS
        + ["/unit/kind", "/year", "/format", "/text/problems", "/applications/results", "/reviews", "/unit"]
    ),
    json_values,
)
def test_validation_never_raises_when_one_place_holds_anything(submission, pointer, value):
    broken = copy.deepcopy(submission)
    set_pointer(broken, pointer, value)
    result = VALIDATOR.validate(broken, today=TODAY)
    for finding in result.findings:
        assert finding.rule != "F.internal", finding.message
    # the quick structural predicate agrees with jsonschema on every document
    assert VALIDATOR.quick_check(broken) == VALIDATOR.schema_validator.is_valid(broken)


@given(valid_submissions(), st.sampled_from(POINTERS), st.randoms(use_true_random=False))
def test_findings_do_not_depend_on_rule_order(submission, pointer, rnd):
    broken = mutated(submission, pointer, 3)
    set_pointer(broken, "/unit/code", "123")
    raw = load_rules_file(SCHEMA_DIR / "rules-2021.json")
    shuffled = copy.deepcopy(raw)
    rnd.shuffle(shuffled["rules"])
    schema = json.loads(schema_path("2021").read_text(encoding="utf-8"))
    other = Validator(load_layout("2021"), Catalogue(shuffled), schema)
    baseline = [f.to_dict() for f in VALIDATOR.validate(broken, today=TODAY).findings]
    assert [f.to_dict() for f in other.validate(broken, today=TODAY).findings] == baseline
