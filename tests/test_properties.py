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


def _must_fire(pointer):
    """Unconditional equalities that read the cell: changing it must break each of them."""
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
    involved_rules = {check.rule.id for check in VALIDATOR.checks if pointer in check.involved}
    fired = {f.rule for f in findings}
    assert fired <= involved_rules, f"rules not involving {pointer} fired: {fired - involved_rules}"
    anchors = {(f.rule, f.locations[0].pointer) for f in findings}
    for check in _must_fire(pointer):
        assert (check.rule.id, check.anchor) in anchors, f"{check.name} did not fire"
    errors = {f.rule for f in findings if f.severity == "error"}
    if any(c.rule.severity == "error" for c in _must_fire(pointer)):
        assert errors
    else:
        # Only a conditional rule on this cell may turn it into an error, e.g. 表三（六）2 > 0
        # once 发出收费通知件数 drops to 0 (T3.fee_unpaid_without_notice).
        conditional = {c.rule.id for c in VALIDATOR.checks if pointer in c.involved} - {
            c.rule.id for c in _must_fire(pointer)
        }
        assert errors <= conditional


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
