"""Values written into spreadsheets and CSV files: never a formula, never a character XML refuses.

Unit names, file names and prose come from strangers' files. A formula prefix would run in
the reviewer's Excel (:func:`neutralise`); a character XML 1.0 cannot hold (C0 controls,
U+FFFE, U+FFFF, a lone surrogate) makes lxml refuse the whole workbook at ``save`` and the
batch lose its review. :func:`sanitise_workbook` is the one step every workbook writer takes
before saving; write-only workbooks (the batch review) clean each cell with :func:`safe_value`.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_SURROGATE = re.compile("[\ud800-\udfff]")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would read as a formula with an apostrophe.

    Numbers stay numbers; a negative number written as a number is not a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def xml_text(value: str) -> str:
    """``value`` with what XML 1.0 cannot hold removed (lone surrogates shown as U+FFFD)."""
    if not _UNSAFE.search(value):
        return value  # the usual case: one C-level search, no copy
    return _XML_ILLEGAL.sub("", _SURROGATE.sub("\ufffd", value))


def safe_value(value: Any) -> Any:
    """A cell value from untrusted text: XML-safe and never a formula."""
    return neutralise(xml_text(value)) if isinstance(value, str) else value


def sanitise_workbook(workbook) -> None:
    """Make every string of an openpyxl workbook XML-safe before ``save``: cells, comments,
    sheet titles, data-validation prompts, headers and footers, document properties."""
    for prop in ("title", "subject", "creator", "keywords", "description", "category", "lastModifiedBy"):
        text = getattr(workbook.properties, prop, None)
        if isinstance(text, str):
            setattr(workbook.properties, prop, xml_text(text))
    for sheet in workbook.worksheets:
        if getattr(sheet, "_cells", None) is None:  # write-only: cells were cleaned one by one
            continue
        if sheet.title != xml_text(sheet.title):
            sheet.title = xml_text(sheet.title) or "Sheet"
        for cell in sheet._cells.values():
            if isinstance(cell.value, str) and cell.value != xml_text(cell.value):
                kind = cell.data_type
                cell.value = xml_text(cell.value)
                cell.data_type = kind
            comment = cell.comment
            if comment is not None and comment.text != xml_text(comment.text or ""):
                from openpyxl.comments import Comment

                cell.comment = Comment(xml_text(comment.text or ""), xml_text(comment.author or ""))
        for validation in sheet.data_validations.dataValidation:
            for attr in ("prompt", "promptTitle", "error", "errorTitle", "formula1"):
                text = getattr(validation, attr, None)
                if isinstance(text, str):
                    setattr(validation, attr, xml_text(text))
        for part in (sheet.oddHeader, sheet.oddFooter, sheet.evenHeader, sheet.evenFooter):
            for side in (part.left, part.center, part.right):
                if isinstance(side.text, str):
                    side.text = xml_text(side.text)
