"""What a blank-looking cell really holds, read from the sheet XML without openpyxl.

calamine shows a blank cell, a formula saved without its result (a program that does not
calculate wrote the file) and an error value such as ``#DIV/0!`` all as ``""``; only the
first is a blank. Loading the workbook with openpyxl to tell them apart cost 20–30 ms a file,
and units leave blanks all the time. The sheet parts are small and were already checked by
:mod:`report_kit.readers.zip_guard` (no DTD, bounded size), so the few cells asked about are
found in their XML directly: ``<c r="D7"><f>SUM(D8:D9)</f></c>``, ``<c r="D7" t="e"><v>#N/A</v></c>``.

Returns None when the file uses a form this scanner does not follow (namespace prefixes,
cells without a position); the caller then falls back to openpyxl.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from html import unescape

from report_kit.readers.zip_guard import MAX_SHEET_BYTES, Members, MemberTooLarge
from report_kit.workbook_map import column_letter

_SHEET = re.compile(rb"<sheet\b([^>]*)/?>")
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RELATIONSHIP = re.compile(rb"<Relationship\b([^>]*)/?>")
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_VALUE = re.compile(rb"<v>(.*?)</v>", re.S)
_RICH = re.compile(rb"<t\b[^>]*>(.*?)</t>", re.S)
SMALL_PART = 1 << 20
# a formula element (not <formula1> of a validation) or a cell typed as an error value
# (two searches with a literal start: one alternation costs the engine ~40× more)
_FORMULA_ELEMENT = re.compile(rb"<f[\s>/]")
_ERROR_TYPE = re.compile(rb"""t\s*=\s*["']e["']""")
_NO_POSITION = re.compile(rb"<c(?:>|\s(?![^>]*\br\s*=)[^>]*>)")

Key = tuple[str, int, int]


def _attributes(text: bytes) -> dict[bytes, str]:
    return {
        m.group(1): unescape((m.group(2) if m.group(2) is not None else m.group(3)).decode("utf-8"))
        for m in _ATTR.finditer(text)
    }


def _formula_or_error(data: bytes) -> bool:
    if _FORMULA_ELEMENT.search(data):
        return True
    for match in _ERROR_TYPE.finditer(data):  # an attribute t, not the end of s="…t" or xt=
        before = data[match.start() - 1 : match.start()]
        if not (before.isalnum() or before == b"_"):
            return True
    return False


def _sheet_parts(members: Members) -> dict[str, str]:
    """Sheet name → zip member of its XML."""
    book = members.read("xl/workbook.xml", SMALL_PART)
    rels = members.read("xl/_rels/workbook.xml.rels", SMALL_PART)
    targets = {}
    for match in _RELATIONSHIP.finditer(rels):
        attrs = _attributes(match.group(1))
        if b"Id" in attrs and b"Target" in attrs:
            target = attrs[b"Target"]
            targets[attrs[b"Id"]] = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
    parts = {}
    for match in _SHEET.finditer(book):
        attrs = _attributes(match.group(1))
        rel = next((v for k, v in attrs.items() if k.endswith(b":id")), None)
        if b"name" in attrs and rel in targets:
            parts[attrs[b"name"]] = targets[rel]
    return parts


def hidden_values(
    source: str | Members, wanted: dict[str, set[tuple[int, int]]]
) -> tuple[dict[Key, str], dict[Key, str]] | None:
    """(formulas, cached results) of the wanted cells that hold more than a blank.

    ``formulas`` maps a cell to ``"=SUM(…)"`` (or to an error value such as ``#N/A`` typed as
    a value); ``results`` to the cached result of a formula when it is an error value.
    None: the XML is of a form not followed here (use openpyxl).
    """
    formulas: dict[Key, str] = {}
    results: dict[Key, str] = {}
    try:
        members = Members.of(source)
        parts = _sheet_parts(members)
        for sheet, cells in wanted.items():
            part = parts.get(sheet)
            if part is None:
                return None
            data = members.read(part, MAX_SHEET_BYTES)
            if b":c " in data or b":c>" in data:
                return None  # namespace prefixes: not followed here
            if not _formula_or_error(data):
                continue  # no formula and no error value in the whole sheet: blanks are blank
            if _NO_POSITION.search(data):
                return None  # a cell whose position is implied by order
            for row, col in cells:  # a blank sheet has 175 of them: each found by a C-level search
                letters = column_letter(col)
                match = re.search(
                    rb'<c\s[^>]*?\br=["\']' + f"{letters}{row}".encode() + rb'["\'][^>]*?(?:/>|>(.*?)</c>)',
                    data,
                    re.S,
                )
                if match is None or not match.group(1):
                    continue
                attrs = _attributes(match.group(0)[: match.group(0).index(b">")])
                body = match.group(1)
                formula = _FORMULA.search(body)
                value = _VALUE.search(body)
                cached = unescape(value.group(1).decode("utf-8")) if value else ""
                key = (sheet, row, col)
                if formula is not None:
                    text = unescape((formula.group(1) or b"").decode("utf-8"))
                    formulas[key] = "=" + text if text else "=（共享公式）"
                    if attrs.get(b"t") == "e" and cached:
                        results[key] = cached
                elif attrs.get(b"t") == "e" and cached:
                    formulas[key] = cached
    except (KeyError, MemberTooLarge, zipfile.BadZipFile, OSError, ValueError, UnicodeDecodeError):
        return None
    return formulas, results
