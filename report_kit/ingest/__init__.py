"""Reading published reports (ingest.md): .html/.htm, .docx, .pdf, .txt/.md, and .doc/.wps/.et
through LibreOffice → the canonical submission, with ``null`` for what could not be read and
``R.*`` findings that say where and why.

Each format module only finds paragraphs and table rows (:mod:`model`); recognising the
revision (:mod:`revision`), reading the tables (:mod:`tables`), the metadata and the sections
(:mod:`meta`) is shared. Imported submissions carry a top-level ``source`` object: the file,
its sha256, the revision evidence, where each cell came from, and what was inferred.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from report_kit.catalogue import emit
from report_kit.readers.base import ReadResult

TEXT_SUFFIXES = (".txt", ".md", ".text")
HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".mht")
OFFICE_SUFFIXES = (".doc", ".wps", ".odt", ".rtf")
DOCUMENT_SUFFIXES = (*HTML_SUFFIXES, *TEXT_SUFFIXES, ".docx", ".pdf", *OFFICE_SUFFIXES)


def is_document(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a published report this package reads (by its name)."""
    return Path(path).suffix.lower() in DOCUMENT_SUFFIXES


class _Cleaner:
    """Cleans every text a reader finds and remembers what it changed (for R.traditional/R.pinyin)."""

    def __init__(self) -> None:
        self.traditional: set[str] = set()
        self.pinyin: list[str] = []

    def __call__(self, text: str) -> str:
        from report_kit.ingest.clean import clean

        result = clean(text)
        self.traditional.update(result.traditional)
        self.pinyin.extend(result.pinyin)
        return result.text


def read_document(path: str | os.PathLike) -> ReadResult:
    """Read one published report. Never raises for a bad file: that is a finding."""
    from report_kit import settings

    path = Path(path)
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        if size > settings.MAX_INPUT_BYTES:
            return ReadResult(
                None,
                [
                    emit(
                        "F.too_large",
                        {"reason": f"文件大小超过上限{settings.MAX_INPUT_BYTES // 1024 // 1024}MB"},
                    )
                ],
                kind="document",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        return ReadResult(None, [emit("F.unreadable", {"reason": "文件不存在"})], kind="document")
    except IsADirectoryError:
        return ReadResult(None, [emit("F.folder", {})], kind="document")
    except OSError as exc:
        from report_kit.os_errors import os_reason

        return ReadResult(None, [emit("F.unreadable", {"reason": os_reason(exc)})], kind="document")
    if not data.strip():
        return ReadResult(None, [emit("F.empty")], kind="document")
    return read_bytes(data, path.name, suffix)


def read_bytes(data: bytes, name: str, suffix: str) -> ReadResult:
    """Read a report from its bytes; ``name`` and ``suffix`` are the file's."""
    cleaner = _Cleaner()
    kind = _kind(data, suffix)
    try:
        document = _read(kind, data, suffix, cleaner)
    except _Refused as refused:
        return ReadResult(None, refused.findings, kind=kind)
    except (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError):
        raise
    except Exception as exc:  # a damaged file: a finding with the reason, never a traceback
        reason = f"{KIND_NAMES.get(kind, '文件')}已损坏或不完整（{type(exc).__name__}）"
        return ReadResult(None, [emit("F.corrupt", {"reason": reason})], kind=kind)
    if isinstance(document, ReadResult):
        return document
    document.traditional |= cleaner.traditional
    document.pinyin += cleaner.pinyin
    from report_kit.ingest.assemble import assemble

    return assemble(document, name, hashlib.sha256(data).hexdigest())


KIND_NAMES = {
    "html": "网页",
    "txt": "文本文件",
    "text": "文本文件",
    "docx": "Word文档",
    "pdf": "PDF文件",
    "office": "文档",
}


class _Refused(Exception):
    def __init__(self, findings) -> None:
        super().__init__("refused")
        self.findings = list(findings)


def _read(kind: str, data: bytes, suffix: str, cleaner: _Cleaner):
    if kind == "mislabelled":
        reason = f"扩展名是{suffix}，但文件内容不是该格式（可能是改了扩展名的其他文件，或文件不完整）"
        raise _Refused([emit("F.corrupt", {"reason": reason})])
    if kind == "html":
        from report_kit.ingest.html import read_html

        return read_html(data, cleaner)
    if kind == "docx":
        from report_kit.readers.zip_guard import check_xlsx_container

        refused = check_xlsx_container(io.BytesIO(data))
        if refused:
            raise _Refused(refused)
        from report_kit.ingest.docx import read_docx

        return read_docx(data, cleaner)
    if kind == "pdf":
        from report_kit.ingest.pdf import read_pdf

        return read_pdf(data, cleaner)
    if kind == "office":
        from report_kit.ingest.office import read_office

        return read_office(data, suffix, cleaner)
    from report_kit.ingest.html import decode
    from report_kit.ingest.text import read_text

    return read_text(decode(data), cleaner)


def _kind(data: bytes, suffix: str) -> str:
    """By content first: a .doc saved by WPS may be a .docx inside, or a web page."""
    if data.startswith(b"%PDF") or suffix == ".pdf":
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "office" if suffix == ".odt" else "docx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "office"
    sample = data[:200_000].lower()
    lowered = data[:2048].lstrip().lower()
    if (
        suffix in HTML_SUFFIXES
        or lowered.startswith((b"<!doctype", b"<html", b"<?xml", b"\xef\xbb\xbf<", b"mime-version"))
        or (b"<table" in sample and b"</td>" in sample)
    ):
        return "html"
    if suffix in OFFICE_SUFFIXES:
        return "office"
    if suffix == ".docx":
        return "mislabelled"
    return "text"
