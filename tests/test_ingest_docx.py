"""Word reports (.docx) as ``build`` writes them, then damaged as quirks.md lists."""

from __future__ import annotations

import pytest

from report_kit.check import validate_read
from report_kit.ingest import read_document
from tests.ingest_helpers import EXAMPLE_2020, example, set_word_cells, tables_of, word_file


@pytest.fixture(scope="module")
def submission():
    return example()


@pytest.fixture(scope="module")
def built(submission, tmp_path_factory):
    return word_file(submission, tmp_path_factory.mktemp("docx") / "报告.docx")


def test_word_report_reads_back(submission, built):
    result = read_document(built)
    read = result.submission
    assert tables_of(read) == tables_of(submission)
    assert read["unit"]["name"] == submission["unit"]["name"] and read["year"] == submission["year"]
    assert read["published_on"] == submission["published_on"]
    assert read["text"]["problems"].strip() == submission["text"]["problems"].strip()
    assert validate_read(result, str(built)).valid


def test_blank_slash_and_label_variant_in_word(submission, built, tmp_path):
    path = tmp_path / "damaged.docx"
    path.write_bytes(built.read_bytes())
    set_word_cells(path, "规章", ["", "/", "0"])
    set_word_cells(path, "行政规范性文件", ["3", "1", "14"], rename="规范性文件")
    result = read_document(path)
    t2 = result.submission["active_disclosure"]
    assert t2["regulations"] == {"issued": None, "repealed": None, "in_force": 0}
    assert t2["normative_documents"] == submission["active_disclosure"]["normative_documents"]
    rules = [f.rule for f in result.findings]
    assert "R.cell_blank" in rules and "R.cell_dash" in rules


def test_old_template_in_word_is_2019(tmp_path):
    old = example(EXAMPLE_2020)
    old["year"] = 2022
    old["published_on"] = "2023-01-20"
    result = read_document(word_file(old, tmp_path / "old.docx"))
    assert result.submission["format"] == "2019"
    assert tables_of(result.submission) == tables_of(old)
    assert "D.format_year" in [f.rule for f in validate_read(result, "old.docx").findings]


def test_truncated_and_fake_word_files_are_findings(built, tmp_path):
    truncated = tmp_path / "cut.docx"
    truncated.write_bytes(built.read_bytes()[:5000])
    fake = tmp_path / "fake.docx"
    fake.write_bytes(b"this is not a word file")
    for path in (truncated, fake):
        result = read_document(path)
        assert result.submission is None and result.findings
        assert all(f.severity == "error" for f in result.findings)
