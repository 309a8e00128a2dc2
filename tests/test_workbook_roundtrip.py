"""Property: any valid submission written into the template reads back identical and clean."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from report_kit.check import validate_read
from report_kit.readers.xlsx import read_workbook
from report_kit.workbook_map import workbook_map
from report_kit.writers.template_xlsx import write_workbook

from conftest import TODAY
from strategies import valid_submissions


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_submissions())
def test_template_round_trip(submission):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "填报.xlsx"
        write_workbook(path, submission)
        result = read_workbook(path)
    assert result.findings == []
    assert result.submission == submission
    # not only equal but the same types: counts stay int, amounts keep their value
    for pointer, slot in workbook_map().slots.items():
        if slot.kind == "count":
            node = result.submission
            for part in pointer.strip("/").split("/"):
                node = node[part]
            assert type(node) is int, pointer
    report = validate_read(result, str(path), today=TODAY)
    assert report.findings == []


# Any text XML can hold, including text that looks like a formula, a number or a date.
_XML_TEXT = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters="".join(chr(c) for c in range(32) if c not in (9, 10)) + "\ufffe\uffff",
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    valid_submissions(),
    st.text(_XML_TEXT, min_size=1, max_size=200).filter(str.strip),
    st.one_of(
        st.text(_XML_TEXT, min_size=1, max_size=40).map(str.strip).filter(bool),
        st.sampled_from(["=SUM(A1:A2)", "12345", "2024-01-01", "TRUE", "'0012", "１２"]),
    ),
)
def test_any_text_round_trips(submission, prose, name):
    submission = copy.deepcopy(submission)
    submission["text"]["problems"] = prose
    submission["unit"]["name"] = name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "填报.xlsx"
        write_workbook(path, submission)
        result = read_workbook(path)
    assert [f for f in result.findings if f.rule.startswith("S.")] == []
    assert result.submission == submission
