"""Paragraphs and rows of one document → the canonical submission and its reading findings."""

from __future__ import annotations

from report_kit.catalogue import emit
from report_kit.ingest import KIND_NAMES
from report_kit.ingest.labels import norm
from report_kit.ingest.meta import read_meta, unit_kind
from report_kit.ingest.model import Document, Paragraph, TableRow
from report_kit.ingest.revision import recognise
from report_kit.ingest.tables import read_tables
from report_kit.layout import load_layout
from report_kit.pointer import assign
from report_kit.readers.base import ReadResult

MAX_EXAMPLES = 8


def table_region(document: Document, layout) -> list[TableRow]:
    """The rows between the heading of the first table's section and the section after the
    last table (二 … 四), when the headings are there: in page text, a prose line that
    mentions 行政许可 must not be taken for the table's row."""
    sections = layout.sections
    with_table = [i for i, s in enumerate(sections) if "table" in s]
    if not with_table:
        return document.rows
    first = norm(sections[with_table[0]]["title"])
    after = norm(sections[with_table[-1] + 1]["title"]) if with_table[-1] + 1 < len(sections) else None
    start = end = None
    for index, block in enumerate(document.blocks):
        if not isinstance(block, Paragraph) or len(block.text) > 40:
            continue
        text = norm(block.text)
        if start is None and first in text:
            start = index
        elif start is not None and after and after in text:
            end = index
            break
    if start is None:
        return document.rows
    return [b for b in document.blocks[start:end] if isinstance(b, TableRow)]


def assemble(document: Document, name: str, sha256: str) -> ReadResult:
    revision = recognise(document)
    layout = load_layout(revision.format)
    reading = read_tables(table_region(document, layout), layout)
    meta = read_meta(document, layout)

    if meta.title is None and not reading.tables_seen and not meta.text:
        # nothing of a report: one clear error instead of a page of missing-table findings
        return ReadResult(
            None,
            [*document.findings, emit("R.not_report", {"kind": KIND_NAMES.get(document.kind, "文件")})],
            kind=document.kind,
        )
    submission: dict = {"format": revision.format}
    if meta.year is not None:
        submission["year"] = meta.year
    kind, level, scope = unit_kind(meta.unit)
    submission["scope"] = scope
    if meta.published_on:
        submission["published_on"] = meta.published_on
    unit: dict = {"kind": kind, "level": level}
    if meta.unit:
        unit = {"name": meta.unit, **unit}
    submission["unit"] = unit
    text: dict = {}
    for pointer, prose in meta.text.items():
        assign(text, pointer.removeprefix("/text"), prose)
    submission["text"] = text
    submission["fees"] = dict(meta.fees)
    for pointer, cell in layout.cells.items():
        if cell.table == "fees":
            continue
        assign(submission, pointer, reading.values.get(pointer))
    inferred = {"/scope": "按单位名称推断", "/unit/kind": "按单位名称推断", "/unit/level": "按单位名称推断"}
    inferred.update({k: f"取自{v}" for k, v in meta.inferred.items()})
    submission["source"] = {
        "file": name,
        "sha256": sha256,
        "kind": document.kind,
        "title": meta.title,
        "format_evidence": {r: words for r, words in revision.evidence.items() if words},
        "cells": {p: w for p, w in reading.sources.items() if w},
        "inferred": inferred,
    }

    findings = list(document.findings) + list(revision.findings)
    if document.traditional:
        chars = "".join(sorted(document.traditional)[:MAX_EXAMPLES])
        findings.append(emit("R.traditional", {"chars": chars}))
    if document.pinyin:
        examples = "、".join(list(dict.fromkeys(document.pinyin))[:MAX_EXAMPLES])
        findings.append(emit("R.pinyin", {"examples": examples}))
    findings += reading.findings + meta.findings
    return ReadResult(submission, findings, kind=document.kind)
