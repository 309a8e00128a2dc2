""".doc/.wps through LibreOffice; without it, a finding that names the install step."""

from __future__ import annotations

import shutil

import pytest

from report_kit.ingest import office, read_bytes, read_document
from tests.ingest_helpers import example, tables_of, word_file


def test_without_libreoffice_the_finding_names_the_install_step(monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: None)
    result = read_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "报告.doc", ".doc")
    assert result.submission is None
    [finding] = result.findings
    assert finding.rule == "R.needs_office" and "apt-get install" in finding.suggestion


def test_encrypted_doc_is_refused():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\0" * 64
    result = read_bytes(data, "报告.doc", ".doc")
    assert [f.rule for f in result.findings] == ["F.unsupported"]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_doc_and_wps_are_read_through_libreoffice(tmp_path):
    import subprocess

    submission = example()
    docx = word_file(submission, tmp_path / "报告.docx")
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "doc",
         "--outdir", str(tmp_path), str(docx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    doc = tmp_path / "报告.doc"
    wps = tmp_path / "报告.wps"
    wps.write_bytes(doc.read_bytes())  # WPS writes the same binary format under its own name
    for path in (doc, wps):
        result = read_document(path)
        assert tables_of(result.submission) == tables_of(submission), path.name
        assert result.submission["unit"]["name"] == submission["unit"]["name"]


def test_a_renamed_file_is_corrupt_without_starting_libreoffice(monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: pytest.fail("LibreOffice must not start"))
    result = read_bytes(b"just some text", "报告.wps", ".wps")
    assert [f.rule for f in result.findings] == ["F.corrupt"]


def test_a_doc_that_is_really_a_docx_or_a_web_page(tmp_path, monkeypatch):
    from tests.ingest_helpers import page

    monkeypatch.setattr(office, "soffice", lambda: pytest.fail("LibreOffice must not start"))
    submission = example()
    docx = word_file(submission, tmp_path / "报告.docx")
    as_doc = read_bytes(docx.read_bytes(), "报告.doc", ".doc")
    as_html = read_bytes(page(submission).encode("utf-8"), "报告.doc", ".doc")
    for result in (as_doc, as_html):
        assert tables_of(result.submission) == tables_of(submission)
