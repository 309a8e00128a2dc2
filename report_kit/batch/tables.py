"""The rows every output shows, built once from a :class:`BatchResult` as plain dicts.

The workbook, the JSON file and the HTML pages all read these rows, so the three outputs
can never disagree about a status, a count or an address.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import PurePosixPath
from typing import Any

from report_kit.batch.run import BatchResult
from report_kit.findings import LOCATION_SEPARATOR, joined_locations
from report_kit.layout import load_layout
from report_kit.settings import SEVERITY_LABELS
from report_kit.workbook_map import workbook_map

SOURCE_KIND_LABELS = {"xlsx": "Excel工作簿", "json": "JSON", "yaml": "YAML"}
# the kind of a file the reader gave up on before telling (a bomb, a crash), from its name
SUFFIX_KINDS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}


def source_kind(entry: dict) -> str:
    kind = entry["source_kind"]
    if kind in SOURCE_KIND_LABELS:
        return kind
    name = entry["file"].lower()
    return next((k for suffix, k in SUFFIX_KINDS.items() if name.endswith(suffix)), kind)


def unit_kind_label(kind: str) -> str:
    return load_layout().enums["kind"].get(kind, kind)


def shown_unit(entry: dict) -> str:
    """The unit a file is from: its own name, or for an unreadable file the roster unit its
    file name names (``roster.RosterIndex.match_file_name``)."""
    return entry["unit"] or entry.get("roster_name", "")


def unit_or_guess(row: dict) -> str:
    """A row's unit for people to read: when the file was unreadable and matched no roster
    unit, the name its file name suggests, marked as such (the office must know whom to ask
    for a readable file). Data outputs (审核结果.json) keep the unit empty."""
    if row.get("unit") or not row.get("file"):
        return row.get("unit") or ""
    guess = unit_from_file_name(row["file"])
    return f"{guess}{FROM_FILE_NAME}" if guess else ""


FROM_FILE_NAME = "（据文件名）"
# what file names carry besides the unit: serial numbers, the year, the document's own title
_NOT_A_NAME = re.compile(
    r"(?:19|20)\d{2}\s*年?度?|政府信息公开(?:工作)?(?:年度)?报告|年度报告|年报|填报模板|填报表?|模板"
    r"|报告|终稿|定稿|修改稿|最终版|副本|[（(][^）)]*[）)]|\d+"
)


def unit_from_file_name(file: str) -> str:
    """「00004-沙雅县财政局-2024年度报告.xlsx」 → 「沙雅县财政局」; "" when nothing name-like is left."""
    stem = PurePosixPath(file.replace("\\", "/")).name.rsplit(".", 1)[0]
    parts = [p for p in re.split(r"[\s_\-—－.·、，,]+", _NOT_A_NAME.sub(" ", stem)) if p]
    name = max(parts, key=len, default="")
    return name if sum(1 for ch in name if ord(ch) > 0x2E80) >= 2 else ""


@cache
def _sources() -> dict[str, tuple[str, str]]:
    wmap = workbook_map()
    return wmap.source_map() if wmap is not None else {}


def place(location: dict) -> str:
    """Where to look, in the clerk's terms: 「表三!J31」 for a workbook, the sheet the template
    holds a JSON/YAML value on (「表三」, 「文字部分」), or for a file-level finding its own
    place (「第2行第15列」) — never a JSON pointer."""
    sheet, cell, pointer = location.get("sheet"), location.get("cell"), location.get("pointer")
    if sheet:
        return f"{sheet}!{cell}" if cell else sheet
    if pointer:
        known = _sources().get(pointer)
        if known:
            return known[0]
        layout_cell = load_layout().cells.get(pointer)
        return load_layout().tables[layout_cell.table].name if layout_cell else ""
    return location.get("label", "")


def summary_rows(result: BatchResult) -> list[dict[str, Any]]:
    rows = []
    for entry in result.entries:
        counts = entry["counts"]
        figures = entry["figures"]
        rows.append(
            {
                "unit": shown_unit(entry),
                "unit_kind": entry["unit_kind"],
                "unit_kind_label": unit_kind_label(entry["unit_kind"]),
                "code": entry["code"],
                "year": entry["year"],
                "file": entry["file"],
                "source_kind": source_kind(entry),
                "status": entry["status"],
                "errors": counts.get("error", 0),
                "warnings": counts.get("warning", 0),
                "infos": counts.get("info", 0),
                "published_on": entry["published_on"],
                "late": entry["late"],
                "received": figures.get("received"),
                "carried_forward": figures.get("carried_forward"),
                "reconsideration": figures.get("reconsideration"),
                "litigation": figures.get("litigation"),
                **year_over_year_row(entry),
            }
        )
    return rows


# Year-over-year columns (batch --previous/--archive; report_kit.archive.year_over_year).
YEAR_OVER_YEAR_KEYS = (
    "previous_year",
    "previous_received",
    "received_change",
    "results",
    "previous_results",
    "results_change",
    "change_flag",
)


def year_over_year_row(entry: dict) -> dict[str, Any]:
    """Last year's figures and the change; absent keys when the batch did no cross-year step."""
    yoy = entry.get("previous")
    if yoy is None:
        return {}
    row = {key: yoy.get(key) for key in YEAR_OVER_YEAR_KEYS if key != "change_flag"}
    row["change_flag"] = bool(yoy.get("flags"))
    return row


def has_year_over_year(result: BatchResult) -> bool:
    return any(entry.get("previous") is not None for entry in result.entries)


def finding_rows(result: BatchResult) -> list[dict[str, Any]]:
    rows = []
    for entry, finding in result.all_findings():
        locations = finding["locations"]
        where = joined_locations(locations)
        rows.append(
            {
                "unit": shown_unit(entry) if entry is not None else finding.get("unit", ""),
                "file": entry["file"] if entry is not None else "",
                "rule": finding["rule"],
                "severity": finding["severity"],
                "severity_label": SEVERITY_LABELS[finding["severity"]],
                "address": where["address"],
                "place": LOCATION_SEPARATOR.join(dict.fromkeys(filter(None, map(place, locations)))),
                "pointer": where["pointer"],
                # a location without pointer is a place (「第2行第15列」), not an item
                "label": LOCATION_SEPARATOR.join(
                    loc.get("label", "") for loc in locations if loc.get("pointer")
                ),
                "message": finding["message"],
                "suggestion": finding.get("suggestion", ""),
                "repair": finding.get("repair_hint", ""),
            }
        )
    return rows


def file_reports(result: BatchResult) -> list[dict[str, Any]]:
    """One object per file in the shape of ``report-kit check --format json`` (submission.md),
    batch findings (``B.*``) included, plus the batch status."""
    reports = []
    for entry in result.entries:
        counts = entry["counts"]
        reports.append(
            {
                "file": entry["file"],
                "unit": entry["unit"] or None,
                "year": entry["year"],
                "valid": not counts.get("error", 0),
                "counts": {level: counts.get(level, 0) for level in ("error", "warning", "info")},
                "status": entry["status"],
                "findings": entry["findings"],
                "repairs": entry.get("repairs", []),
            }
        )
    return reports


def to_data(result: BatchResult) -> dict[str, Any]:
    """The whole review as JSON-ready data (审核结果.json)."""
    return {
        "generated_on": result.generated_on,
        "year": result.year,
        "counts": result.counts,
        "summary": summary_rows(result),
        "findings": finding_rows(result),
        "files": file_reports(result),
        "roster": result.roster,
        "skipped": result.skipped,
        "skipped_reasons": result.skip_reasons,
        "rules": [{"rule": rule, "count": count} for rule, count in result.rule_counts()],
        "aggregate": {
            "year": result.year,
            "submissions": result.aggregate_count,
            "files": result.aggregate_files,
            "tables": result.aggregate,
            # the same sums under their canonical keys, so aggregate["applications"] reads like a submission
            **result.aggregate,
        },
        **({"plan": result.plan} if result.plan is not None else {}),
    }
