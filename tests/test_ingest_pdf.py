"""PDF reports with a text layer: the shipped example built to Word, printed by LibreOffice."""

from __future__ import annotations

import shutil

import pytest

from report_kit.check import validate_read
from report_kit.ingest import read_bytes, read_document
from tests.ingest_helpers import (
    EXAMPLE_2020,
    blank_pdf,
    example,
    pdf_from_word,
    set_word_cells,
    tables_of,
    word_file,
)

needs_soffice = pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")),
    reason="LibreOffice (soffice) is not installed: the PDFs are printed from Word files by it",
)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """One LibreOffice run for all PDFs of this module: the example, a damaged copy, a 2019 one."""
    folder = tmp_path_factory.mktemp("pdf")
    submission = example()
    word_file(submission, folder / "example.docx")
    damaged = word_file(submission, folder / "damaged.docx")
    set_word_cells(damaged, "规章", ["", "/", "0"])
    set_word_cells(damaged, "行政规范性文件", ["3（其中修订1件）", "1", "14"], rename="规范性文件")
    old = example(EXAMPLE_2020)
    old["year"] = 2023
    old["published_on"] = "2024-01-20"
    word_file(old, folder / "old.docx")
    paths = {name: pdf_from_word(folder / f"{name}.docx", folder) for name in ("example", "damaged", "old")}
    return submission, old, paths


@needs_soffice
def test_pdf_reads_back(pdfs):
    submission, _, paths = pdfs
    result = read_document(paths["example"])
    read = result.submission
    assert tables_of(read) == tables_of(submission)
    assert read["unit"]["name"] == submission["unit"]["name"] and read["year"] == submission["year"]
    assert read["published_on"] == submission["published_on"]
    assert read["fees"] == submission["fees"]
    assert validate_read(result, "example.pdf").valid


@needs_soffice
def test_damaged_pdf(pdfs):
    submission, _, paths = pdfs
    result = read_document(paths["damaged"])
    t2 = result.submission["active_disclosure"]
    # a vanished blank in a PDF line: the row is ambiguous, never shifted
    assert t2["regulations"] == {"issued": None, "repealed": None, "in_force": None}
    assert t2["normative_documents"] == submission["active_disclosure"]["normative_documents"]
    assert "R.ambiguous" in [f.rule for f in result.findings]


@needs_soffice
def test_old_template_pdf(pdfs):
    _, old, paths = pdfs
    result = read_document(paths["old"])
    assert result.submission["format"] == "2019"
    assert tables_of(result.submission) == tables_of(old)
    assert "D.format_year" in [f.rule for f in validate_read(result, "old.pdf").findings]


def test_scanned_pdf_has_no_text_layer():
    result = read_bytes(blank_pdf(), "扫描件.pdf", ".pdf")
    assert result.submission is None
    assert [f.rule for f in result.findings] == ["R.no_text_layer"]


def test_truncated_pdf_is_corrupt():
    result = read_bytes(blank_pdf()[:200], "坏.pdf", ".pdf")
    assert result.submission is None and [f.rule for f in result.findings] == ["F.corrupt"]
