"""Readers: any input file → :class:`ReadResult` holding the canonical submission.

``read_submission`` sniffs the bytes first (type, encoding, zip/XML bombs) and only then
hands the file to the parser for its kind. It never raises for a bad file.
"""

from __future__ import annotations

import os

from report_kit.catalogue import emit
from report_kit.readers.base import ReadResult, normalise

__all__ = ["ReadResult", "normalise", "read_submission"]


def read_submission(path: str | os.PathLike) -> ReadResult:
    from report_kit.readers.sniff import sniff

    try:
        from report_kit.ingest import is_document

        if is_document(path):  # a published report (.html, .docx, .pdf, .txt …): ingest.md
            from report_kit.ingest import read_document

            return read_document(path)
        if os.fspath(path).lower().endswith(".et"):  # a WPS workbook, through LibreOffice
            from report_kit.ingest.office import read_spreadsheet

            return read_spreadsheet(path)
        sniffed = sniff(path)
        if sniffed.findings:
            return ReadResult(None, list(sniffed.findings), kind=sniffed.kind or "unknown")
        if sniffed.kind in ("json", "yaml"):
            from report_kit.readers.structured import read_structured

            return read_structured(sniffed.data, sniffed.kind)
        if sniffed.kind == "xlsx":
            from report_kit.readers.xlsx import read_workbook

            return read_workbook(path, sniffed.workbook)
        return ReadResult(None, [emit("F.unsupported", {"reason": str(sniffed.kind), "how_to_fix": ""})])
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # the last line of defence: a reader bug is a finding, not a crash
        # (BaseException: a panic inside a Rust extension such as calamine is not an Exception)
        return ReadResult(
            None,
            [emit("F.internal", {"rule": "读取文件", "reason": f"{type(exc).__name__}: {exc}"})],
            kind="unknown",
        )
