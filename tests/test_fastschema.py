"""The compiled quick check must agree with python-jsonschema wherever it answers."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings

from report_kit.fastschema import Unsupported, compile_predicate
from report_kit.validator import get_validator

from strategies import set_pointer, valid_submissions

VALIDATOR = get_validator()


@pytest.fixture(scope="module")
def base():
    drawn = []

    @settings(max_examples=1, database=None, suppress_health_check=list(HealthCheck), deadline=None)
    @given(valid_submissions())
    def pick(s):
        drawn.append(s)

    pick()
    return drawn[0]


@pytest.mark.parametrize(
    ("pointer", "value"),
    [
        ("/published_on", "2025-02-30"),
        ("/published_on", "2025-1-5"),
        ("/published_on", "20250105"),
        ("/published_on", "2025-01-05T00:00:00"),
        ("/published_on", "２０２５-01-05"),
        ("/published_on", "2025-01-05"),
        ("/published_on", 20250105),
        ("/year", 2024.0),
        ("/year", 2024.5),
        ("/year", True),
        ("/year", 1999),
        ("/year", 2200),
        ("/unit/name", " "),
        ("/unit/name", ""),
        ("/unit/kind", "Department"),
        ("/format", 2021),
        ("/applications/received/total", 5.0),
        ("/applications/received/total", False),
        ("/active_disclosure/fees/amount", 0.5),
        ("/active_disclosure/fees/amount", -0.01),
        ("/active_disclosure/fees/amount", float("inf")),
        ("/text/problems", None),
        ("/text/extra", "x"),
    ],
)
def test_quick_check_agrees_with_jsonschema(base, pointer, value):
    document = copy.deepcopy(base)
    set_pointer(document, pointer, value)
    assert VALIDATOR.quick_check(document) == VALIDATOR.schema_validator.is_valid(document)


def test_unknown_keywords_refuse_to_compile():
    with pytest.raises(Unsupported):
        compile_predicate({"type": "object", "anyOf": [{"type": "string"}]})
