"""Renderings of real published reports (tests/fixtures/published/README.md) read as expected."""

from __future__ import annotations

from pathlib import Path

from report_kit.check import validate_read
from report_kit.ingest import read_document

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "published"


def rules(result) -> list[str]:
    return [f.rule for f in result.findings]


def test_pipe_rows_with_colspan_leftovers():
    result = read_document(FIXTURES / "pipe-rows-colspan-leftovers.txt")
    read = result.submission
    assert (read["format"], read["year"], read["unit"]["name"]) == ("2021", 2023, "示例市体育局")
    assert read["published_on"] == "2024-01-15"
    assert read["active_disclosure"]["normative_documents"] == {"issued": 1, "repealed": 0, "in_force": 4}
    assert read["active_disclosure"]["licensing"] == {"decisions": 12}
    assert read["applications"]["received"]["total"] == 3
    assert read["applications"]["results"]["unavailable"]["not_held"]["natural_person"] == 1
    assert read["reviews"]["litigation_after_reconsideration"]["total"] == 0
    assert read["fees"] == {"notices": 0, "amount_notified": 0, "amount_collected": 0}
    assert rules(result) == ["R.format"]
    report = validate_read(result, "x.txt")
    assert report.valid, [f.message for f in report.findings if f.severity == "error"]


def test_recognised_format_says_what_the_user_can_do():
    """R.format is only information: its suggestion says nothing needs fixing and what to look at
    when the recognition is wrong, instead of a bare explanation under 「修改建议」."""
    (finding,) = read_document(FIXTURES / "pipe-rows-colspan-leftovers.txt").findings
    assert finding.rule == "R.format" and finding.severity == "info"
    assert "2021年版" in finding.message and "“本年制发件数”" in finding.message
    assert finding.suggestion.startswith("无需修改") and "行列名称" in finding.suggestion


def test_cell_per_line_with_lone_pipes_for_blank_cells():
    result = read_document(FIXTURES / "cell-per-line-blank-pipes.txt")
    read = result.submission
    assert read["unit"]["name"] == "示例区统计局" and read["published_on"] == "2024-01-22"
    assert read["active_disclosure"]["regulations"] == {"issued": None, "repealed": None, "in_force": None}
    assert read["active_disclosure"]["normative_documents"] == {"issued": 0, "repealed": 0, "in_force": 2}
    received = read["applications"]["received"]
    assert received["total"] == 1 and received["natural_person"] is None
    assert read["applications"]["results"]["disclosed"]["natural_person"] == 1
    assert rules(result).count("R.cell_blank") == 1 and "R.cell_dash" in rules(result)
    report = validate_read(result, "x.txt")
    assert not [f for f in report.findings if f.rule.startswith("S.")]
    assert any(name.startswith("T3.") for name in report.not_evaluated)


def test_2023_report_on_the_2019_template():
    result = read_document(FIXTURES / "old-template-2023.txt")
    read = result.submission
    assert read["format"] == "2019" and read["year"] == 2023
    assert read["active_disclosure"]["licensing"] == {"previous_items": 6, "change": -4, "decisions": 2}
    assert read["active_disclosure"]["procurement"] == {"items": 6, "amount": 52.15}
    assert read["text"]["overview"]["active_disclosure"].startswith("一是")
    report = validate_read(result, "x.txt")
    assert "D.format_year" in [f.rule for f in report.findings]
