"""Fill-in workbooks → the canonical submission, with every value traced to its sheet and cell.

Reading is done with python-calamine, which parses a filled template in about a
millisecond. calamine shows a formula without a cached value (a file written by a program
that does not calculate), an error value and a blank cell all as ``""``, and only the last
is a blank: :mod:`report_kit.readers.formula_cells` looks at those cells in the sheet XML
(openpyxl only for sheet XML of a form it does not follow).

What a clerk types is forgiven where the meaning is certain and reported where it is not:

- ``5``, ``5.0``, ``"１２"``, ``"1,200"``, ``" 7 "`` are numbers, silently;
- a blank number cell is 0, with an ``S.blank_cell`` warning (the format wants 0 written);
- ``"12件"``, ``"十二"``, ``"/"``, ``"—"``, ``"无"``, 2.5 in a count cell, dates, booleans and
  formulas without a value are ``S.cell_text`` errors at that cell, suggesting the number
  when it is obvious. The submission then holds the raw text there, so the schema layer
  marks the cell unusable and no arithmetic rule speaks about it; ``check.validate_read``
  drops the schema's duplicate of the reader's finding.
- a negative number stays a number: the schema's ``S.negative`` reports it, with the cell.

A workbook that is not a report_kit template, is of an unknown template version, or whose
label cells are not where the map says (rows inserted or deleted, sheets renamed) yields an
``S.workbook`` error and no submission at all: a shifted reading would be a wrong report.
"""

from __future__ import annotations

import io
import os
import warnings
from typing import Any

from report_kit.catalogue import emit, load_catalogue
from report_kit.chinese_numbers import FULLWIDTH
from report_kit.findings import Finding, Location
from report_kit.formats import current, revision, template_revisions
from report_kit.layout import load_layout
from report_kit.readers.base import ReadResult
from report_kit.readers.cell_values import BLANK, CellProblem, coerce, plain_text
from report_kit.readers.zip_guard import Members
from report_kit.workbook_map import (
    GUIDE_SHEET,
    KNOWN_VERSIONS,
    META_KEYS,
    META_SHEET,
    PROPERTY_FORMAT,
    PROPERTY_VERSION,
    Slot,
    WorkbookMap,
    workbook_map,
)

Rows = list[list[Any]]

MAX_CUSTOM_XML = 1 << 20

# ---------------------------------------------------------------- entry point


def read_workbook(path: str | os.PathLike, checked: Members | None = None) -> ReadResult:
    """Read a filled report_kit template; never raises for a bad workbook.

    The file is expected to have passed :func:`report_kit.readers.sniff.sniff` (zip bombs,
    XML entities, macros); calamine's zip reader also stops at each member's declared size.
    ``checked`` is what sniff read: the file's bytes and the members it decompressed, which
    are then read from memory instead of from the path again.
    """
    import python_calamine

    errors = (
        python_calamine.CalamineError,
        python_calamine.PasswordError,
        python_calamine.XmlError,
        python_calamine.ZipError,
        python_calamine.WorksheetNotFound,
    )
    path = os.fspath(path)
    try:
        if checked is not None:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(checked.data))
        else:
            book = python_calamine.CalamineWorkbook.from_path(path)
    except errors as exc:
        return ReadResult(None, [emit("F.corrupt", {"reason": _calamine_reason(exc)})], kind="xlsx")
    try:
        return _read_book(book, path, checked)
    except errors as exc:  # a damaged sheet shows only when calamine parses it
        return ReadResult(None, [emit("F.corrupt", {"reason": _calamine_reason(exc)})], kind="xlsx")
    finally:
        book.close()


def _read_book(book, path: str, checked: Members | None) -> ReadResult:
    if not book.sheet_names:  # no xl/workbook.xml, or one that lists nothing
        reason = "工作簿中没有任何工作表"
        return ReadResult(None, [emit("F.corrupt", {"reason": reason})], kind="xlsx")
    source = checked if checked is not None else path
    version, fmt = _identify(book, source)
    if version is None:
        return _refuse("not_template")
    wmap = workbook_map(version, fmt)
    if wmap is None:
        rule = load_catalogue()["S.workbook"]
        known = "、".join(
            rule.variant("known_version", {"version": known, "format": revision.id})
            for known in KNOWN_VERSIONS
            for revision in template_revisions()
        )
        return _refuse("unknown_version", {"version": version, "format": fmt, "known": known})
    sheets, problem = _load_sheets(book, wmap)
    if problem:
        return problem
    return _read(path, wmap, sheets, source)


def _calamine_reason(exc: Exception) -> str:
    name = type(exc).__name__
    if name == "PasswordError":
        return "工作簿设置了打开密码"
    if name == "ZipError":
        return "不是完整的xlsx压缩包"
    if name == "XmlError":
        return "工作簿内部的XML已损坏"
    if name == "WorksheetNotFound":
        return "工作簿中登记的工作表内容缺失（文件不完整）"
    return "无法解析工作簿的内部结构"


def _refuse(variant: str, values: dict | None = None, locations: tuple[Location, ...] = ()) -> ReadResult:
    """No submission: an ``S.workbook`` finding worded by the catalogue's ``variant``."""
    rule = load_catalogue()["S.workbook"]
    finding = rule.finding(rule.variant(variant, values), locations)
    return ReadResult(None, [finding], kind="xlsx")


# ---------------------------------------------------------------- identification and structure


def _identify(book, source: str | Members) -> tuple[str | None, str]:
    """Template version and format revision: from the hidden sheet, else the document properties.

    LibreOffice turns the veryHidden sheet into a plain hidden one and keeps custom
    properties; some tools drop custom properties. Either copy is enough; when both are
    there and disagree (someone edited one), the one this program does not know wins, so
    the workbook is refused rather than read with a map it may not have been made with.
    """
    values: dict[str, str] = {}
    if META_SHEET in book.sheet_names:
        for row in book.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False):
            if len(row) >= 2 and isinstance(row[0], str) and row[0].strip() in META_KEYS:
                values[row[0].strip()] = plain_text(row[1])
    properties = _custom_properties(source)
    if properties.get(PROPERTY_VERSION):
        copy = {
            "template_version": properties[PROPERTY_VERSION],
            "format": properties.get(PROPERTY_FORMAT, ""),
        }
        if not values.get("template_version") or (
            workbook_map(copy["template_version"], copy["format"] or current().id) is None
        ):
            values = copy
    version = values.get("template_version") or None
    return version, values.get("format") or current().id


def _custom_properties(source: str | Members) -> dict[str, str]:
    try:
        data = Members.of(source).read("docProps/custom.xml", MAX_CUSTOM_XML)
        from defusedxml.ElementTree import fromstring

        root = fromstring(data)
    except Exception:  # absent, unreadable or hostile: simply no properties
        return {}
    properties = {}
    for prop in root:
        name = prop.get("name")
        if name:
            properties[name] = "".join((child.text or "") for child in prop).strip()
    return properties


def _load_sheets(book, wmap: WorkbookMap) -> tuple[dict[str, Rows], ReadResult | None]:
    names = set(book.sheet_names)
    missing = [name for name in wmap.input_sheets if name not in names]
    if missing:
        others = [
            name for name in book.sheet_names if name not in (*wmap.input_sheets, META_SHEET, GUIDE_SHEET)
        ]
        rule = load_catalogue()["S.workbook"]
        renamed = rule.variant("renamed", {"others": "”“".join(others)}) if others else ""
        return {}, _refuse("sheets_missing", {"missing": "”“".join(missing), "renamed": renamed})
    sheets = {
        name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wmap.input_sheets
    }
    moved = []
    for fixed in wmap.fixed:
        found = plain_text(_value(sheets[fixed.sheet], fixed.row, fixed.col))
        if _squash(found) != _squash(fixed.text):
            moved.append((fixed, found))
    if moved:
        fixed, found = moved[0]
        rule = load_catalogue()["S.workbook"]
        shown = rule.variant("label_found", {"found": found}) if found else rule.variant("label_blank")
        more = rule.variant("more_moved", {"count": len(moved)}) if len(moved) > 1 else ""
        values = {"sheet": fixed.sheet, "address": fixed.address, "expected": fixed.text, "shown": shown}
        return {}, _refuse(
            "labels_moved", {**values, "more": more}, (Location("", fixed.text, fixed.sheet, fixed.address),)
        )
    return sheets, None


def _squash(text: str) -> str:
    return "".join(text.split())


def _value(rows: Rows, row: int, col: int) -> Any:
    if row - 1 < len(rows):
        line = rows[row - 1]
        if col - 1 < len(line):
            return line[col - 1]
    return ""


# ---------------------------------------------------------------- reading values


def _read(path: str, wmap: WorkbookMap, sheets: dict[str, Rows], source: str | Members) -> ReadResult:
    """Every slot's value, in the canonical key order of the layout.

    Values come out already in canonical form (enum keys, ISO dates, ``format`` as text),
    so :func:`report_kit.readers.base.normalise` would have nothing left to do.
    """
    layout = load_layout(wmap.format)
    findings: list[Finding] = []
    values: dict[str, Any] = {}
    blanks: list[Slot] = []
    for slot, _ in wmap.reading_order:
        raw = _value(sheets[slot.sheet], slot.row, slot.col)
        if type(raw) is float and slot.numeric and raw >= 0 and raw.is_integer():
            values[slot.pointer] = int(raw)  # the common case, kept off the slower general path
            continue
        try:
            value = coerce(raw, slot, layout)
        except CellProblem as problem:
            findings.append(_cell_text(slot, problem))
            values[slot.pointer] = problem.found
            continue
        if value is BLANK:
            if slot.numeric:
                blanks.append(slot)
                values[slot.pointer] = 0
            elif slot.pointer == "/format":
                values[slot.pointer] = wmap.format
            continue
        values[slot.pointer] = value
    if blanks:
        findings.extend(_blank_numbers(path, blanks, values, source))
    if str(values.get("/format", wmap.format)).translate(FULLWIDTH).strip() != wmap.format:
        findings.append(_format_changed(wmap, values["/format"]))
    values["/format"] = wmap.format  # the tables are those of the template, whatever the cell says
    submission: dict = {"unit": {}}  # so that each missing unit field is reported at its own cell
    for slot, parts in wmap.reading_order:
        if slot.pointer in values:
            node = submission
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = values[slot.pointer]
    return ReadResult(submission, findings, source_map=wmap.source_map(), kind="xlsx")


def _blank_numbers(
    path: str, blanks: list[Slot], values: dict[str, Any], source: str | Members
) -> list[Finding]:
    """Blank number cells count as 0 with a warning, unless openpyxl finds a formula there."""
    from report_kit.readers.formula_cells import hidden_values

    findings = []
    wanted: dict[str, set[tuple[int, int]]] = {}
    for slot in blanks:
        wanted.setdefault(slot.sheet, set()).add((slot.row, slot.col))
    found = hidden_values(source, wanted)  # the sheet XML, read directly
    if found is not None:
        formulas, results = found
    else:  # a form of sheet XML the scanner does not follow: openpyxl, ~25 ms
        try:
            formulas = _formulas(path, blanks)
            results = {}
            if any(text.startswith("=") for text in formulas.values()):  # rare: their cached results too
                results = _formulas(
                    path, [s for s in blanks if (s.sheet, s.row, s.col) in formulas], data_only=True
                )
        except Exception:  # a part calamine never reads is damaged (docProps, styles): blanks stay blanks
            formulas, results = {}, {}
    for slot in blanks:
        formula = formulas.get((slot.sheet, slot.row, slot.col))
        if formula is None:
            findings.append(
                emit(
                    "S.blank_cell",
                    {"address": f"{slot.sheet}!{slot.address}", "label": slot.label},
                    (_location(slot),),
                    expected=0,
                    actual=None,
                )
            )
            continue
        result = results.get((slot.sheet, slot.row, slot.col), "")
        if formula.startswith("=") and result.startswith("#"):
            problem = CellProblem(formula, "formula_error", {"result": result})
        elif formula.startswith("="):
            problem = CellProblem(formula, "formula_uncached")
        else:
            problem = CellProblem(formula, "formula_unreadable")
        findings.append(_cell_text(slot, problem))
        values[slot.pointer] = formula
    return findings


def _format_changed(wmap: WorkbookMap, found: Any) -> Finding:
    """The locked 格式版本 cell was overwritten: the tables are still the template's."""
    slot = wmap.slots["/format"]
    shown = revision(wmap.format)
    rule = load_catalogue()["S.workbook"]
    values = {
        "sheet": slot.sheet,
        "address": slot.address,
        "label": slot.label,
        "found": found,
        "template_label": shown.label,
        "template_short": shown.short,
        "format": wmap.format,
    }
    return rule.finding(
        rule.variant("format_changed", values),
        (_location(slot),),
        expected=wmap.format,
        actual=found,
    )


def _location(slot: Slot) -> Location:
    return Location(slot.pointer, slot.label, slot.sheet, slot.address)


def _cell_text(slot: Slot, problem: CellProblem) -> Finding:
    rule = load_catalogue()["S.cell_text"]
    kind = slot.kind if slot.kind in ("count", "amount", "year") else "other"
    return emit(
        "S.cell_text",
        {
            "address": f"{slot.sheet}!{slot.address}",
            "label": slot.label,
            "found": problem.found,
            "hint": problem.hint,
            "how_to_fix": problem.how_to_fix,
        },
        (_location(slot),),
        expected=problem.expected if problem.expected is not None else rule.variant(f"expected_{kind}"),
        actual=problem.found,
    )


def _formulas(path: str, slots: list[Slot], data_only: bool = False) -> dict[tuple[str, int, int], str]:
    """What openpyxl sees in cells calamine showed as blank: formulas without a cached value.

    With ``data_only`` the cached results instead: calamine shows error values such as
    ``#DIV/0!`` as blank too.
    """
    from openpyxl import load_workbook

    from report_kit.readers.zip_guard import ensure_defused

    ensure_defused()
    wanted: dict[str, set[tuple[int, int]]] = {}
    for slot in slots:
        wanted.setdefault(slot.sheet, set()).add((slot.row, slot.col))
    found: dict[tuple[str, int, int], str] = {}
    with warnings.catch_warnings():  # openpyxl's English remarks on other writers' files are not for clerks
        warnings.simplefilter("ignore")
        book = load_workbook(path, read_only=True, data_only=data_only)
        try:
            for sheet, cells in wanted.items():
                rows = [r for r, _ in cells]
                cols = [c for _, c in cells]
                top, left = min(rows), min(cols)
                grid = book[sheet].iter_rows(
                    min_row=top, max_row=max(rows), min_col=left, max_col=max(cols), values_only=True
                )
                for r_offset, line in enumerate(grid):
                    for c_offset, value in enumerate(line):
                        key = (top + r_offset, left + c_offset)
                        if key in cells and value not in (None, ""):
                            text = (
                                value
                                if isinstance(value, str)
                                else getattr(value, "text", None) or str(value)
                            )
                            found[(sheet, *key)] = text
        finally:
            book.close()
    return found


__all__ = ["read_workbook"]
