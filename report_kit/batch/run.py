"""The batch as a library call: discover, validate, check against the roster, aggregate.

``run_batch`` returns a :class:`BatchResult` of plain data; the writers in ``outputs_*``
only read it. Batch-level findings (``B.*``) are attached to the entries they concern, or,
for units that submitted nothing, kept in ``missing``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from report_kit.batch.aggregate import Aggregator, cell_pointers
from report_kit.batch.clean import clean, display_path
from report_kit.batch.discover import discover
from report_kit.batch.execute import FILE_TIMEOUT, POOL_THRESHOLD, default_jobs, execute
from report_kit.batch.progress import Progress
from report_kit.batch.roster import RosterIndex, RosterUnit, normalise_name
from report_kit.batch.worker import BatchEntry
from report_kit.catalogue import emit
from report_kit.findings import Location
from report_kit.layout import load_layout

STATUS_PASSED = "通过"
STATUS_ERRORS = "有错误"
STATUS_UNREADABLE = "无法读取"

DUPLICATES_LISTED = 10

ROSTER_SUBMITTED = "已提交"
ROSTER_MISSING = "未提交"
ROSTER_NOT_LISTED = "不在名单"
ROSTER_DUPLICATE = "重复提交"
ROSTER_AMBIGUOUS = "无法唯一对应"
ROSTER_WRONG_YEAR = "年度不符"  # the unit sent a report, of another year (B.year_mismatch says which)


@dataclass
class BatchResult:
    entries: list[BatchEntry]
    skipped: list[str]
    missing: list[dict[str, Any]]  # B.missing findings, one per roster unit without a submission
    roster: list[dict[str, Any]] | None  # 名单核对 rows; None when no roster was given
    aggregate: dict
    aggregate_count: int
    year: int | None
    generated_on: str
    aggregate_files: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # file (as shown) -> path on disk
    plan: dict[str, Any] | None = None  # batch --plan: tasks × units (plan.review.review_plan)
    reports: dict[str, list[str]] = field(default_factory=dict)  # file -> built report names (--build)
    skip_reasons: dict[str, str] = field(default_factory=dict)  # skipped path -> why (Chinese)

    @property
    def counts(self) -> dict[str, int]:
        statuses = Counter(entry["status"] for entry in self.entries)
        return {
            "files": len(self.entries),
            "passed": statuses[STATUS_PASSED],
            "errors": statuses[STATUS_ERRORS],
            "unreadable": statuses[STATUS_UNREADABLE],
            "missing": len(self.missing),
            "skipped": len(self.skipped),
            "late": sum(1 for entry in self.entries if entry["late"]),
        }

    @property
    def failed(self) -> bool:
        return bool(self.missing) or any(entry["status"] != STATUS_PASSED for entry in self.entries)

    def all_findings(self) -> list[tuple[dict | None, dict]]:
        """(entry or None, finding) for every finding, files first in file order, then missing units."""
        pairs: list[tuple[dict | None, dict]] = [(e, f) for e in self.entries for f in e["findings"]]
        pairs.extend((None, f) for f in self.missing)
        return pairs

    def rule_counts(self) -> list[tuple[str, int]]:
        """Rules by how many findings they produced, most frequent first, ties by rule id."""
        counter = Counter(f["rule"] for _, f in self.all_findings())
        return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def _status(entry: dict) -> str:
    if not entry["readable"]:
        return STATUS_UNREADABLE
    if any(f["severity"] == "error" for f in entry["findings"]):
        return STATUS_ERRORS
    return STATUS_PASSED


def _add(entry: dict, finding) -> None:
    entry["findings"].append(clean(finding.to_dict()))  # the entry was cleaned by the worker


def _expected_year(entries: list[BatchEntry], declared: int | None) -> int | None:
    if declared is not None:
        return declared
    years = Counter(e["year"] for e in entries if e["readable"] and e["year"] is not None)
    if not years:
        return None
    return max(years.items(), key=lambda item: (item[1], item[0]))[0]


def _identity(entry: dict, matched: RosterUnit | None) -> tuple:
    if matched is not None:
        return ("roster", matched.index)
    if entry["code"]:
        return ("code", entry["code"].strip().upper())
    return ("name", normalise_name(entry["unit"]))


def _check_roster_and_duplicates(
    entries: list[BatchEntry], roster: list[RosterUnit] | None, year: int | None
):
    index = RosterIndex(roster) if roster is not None else None
    matched: dict[int, RosterUnit | None] = {}
    ambiguous_hits: set[int] = set()  # roster units that some submission matched among others
    by_file_name: dict[int, RosterUnit] = {}  # unreadable files matched by their file name
    for i, entry in enumerate(entries):
        if not entry["readable"] or not normalise_name(entry["unit"]) or index is None:
            matched[i] = None
            unit = index.match_file_name(Path(entry["file"]).stem) if index is not None else None
            if unit is not None:
                by_file_name[i] = unit
                entry["roster_state"] = ROSTER_SUBMITTED
                entry["roster_name"] = unit.name
            continue
        match = index.match(entry["unit"], entry["code"])
        matched[i] = match.unit
        if len(match.units) > 1:
            ambiguous_hits.update(u.index for u in match.units)
            candidates = "、".join(f"“{u.name}”" for u in match.units)
            _add(entry, emit("B.ambiguous_match", {"unit": entry["unit"], "candidates": candidates}))
            entry["roster_state"] = ROSTER_AMBIGUOUS
        elif match.unit is None:
            _add(entry, emit("B.not_on_roster", {"unit": entry["unit"], "file": entry["file"]}))
            entry["roster_state"] = ROSTER_NOT_LISTED
        else:
            entry["roster_state"] = ROSTER_SUBMITTED
            entry["roster_name"] = match.unit.name

    groups: dict[tuple, list[int]] = {}
    for i, entry in enumerate(entries):
        if (
            entry["readable"]
            and normalise_name(entry["unit"])
            and entry.get("roster_state") != ROSTER_AMBIGUOUS
        ):
            groups.setdefault((_identity(entry, matched[i]), entry["year"]), []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        # at most ten names per message: 10,000 copies of one template must not make 10,000
        # messages of 10,000 names each
        shown = [entries[i]["file"] for i in members[:DUPLICATES_LISTED]]
        files = "、".join(shown) + (f"等{len(members)}个文件" if len(members) > DUPLICATES_LISTED else "")
        for i in members:
            entry = entries[i]
            values = {"unit": entry["unit"], "year": entry["year"], "count": len(members), "files": files}
            _add(entry, emit("B.duplicate", values))
            if entry.get("roster_state") == ROSTER_SUBMITTED:
                entry["roster_state"] = ROSTER_DUPLICATE

    if roster is None:
        return None, []
    submitted: dict[int, list[dict]] = {}
    other_year: dict[int, list[dict]] = {}  # sent, but a report of another year
    for i, entry in enumerate(entries):
        unit = matched[i]
        if unit is not None and (year is None or entry["year"] == year):
            submitted.setdefault(unit.index, []).append(entry)
        elif unit is not None:
            other_year.setdefault(unit.index, []).append(entry)
    for i, unit in by_file_name.items():
        # the unit did send something (its file's own finding says what is wrong); a readable
        # report of the same unit makes the broken file a mere extra, not a second submission
        if unit.index not in submitted or all(not e["readable"] for e in submitted[unit.index]):
            submitted.setdefault(unit.index, []).append(entries[i])
    rows, missing = [], []
    for unit in roster:
        files = [e["file"] for e in submitted.get(unit.index, [])]
        if unit.index in ambiguous_hits and not files:
            state = ROSTER_AMBIGUOUS
        elif not files and unit.index in other_year:  # not 未提交: what it sent is of the wrong year
            state = ROSTER_WRONG_YEAR
            files = [e["file"] for e in other_year[unit.index]]
            for entry in other_year[unit.index]:
                entry["roster_state"] = ROSTER_WRONG_YEAR
        elif not files:
            state = ROSTER_MISSING
        elif len(files) > 1:
            state = ROSTER_DUPLICATE
        else:
            state = ROSTER_SUBMITTED
        if state == ROSTER_MISSING:
            finding = emit("B.missing", {"unit": unit.name, "year": year if year is not None else ""})
            missing.append(finding.to_dict() | {"unit": unit.name})
        rows.append({"unit": unit.name, "code": unit.code, "kind": unit.kind, "state": state, "files": files})
    for entry in entries:
        if entry.get("roster_state") in (ROSTER_NOT_LISTED, ROSTER_AMBIGUOUS):
            rows.append(
                {
                    "unit": entry["unit"],
                    "code": entry["code"],
                    "kind": entry["unit_kind"],
                    "state": entry["roster_state"],
                    "files": [entry["file"]],
                }
            )
    return rows, missing


def _check_year(entries: list[dict], declared: int | None) -> None:
    if declared is None:
        return
    for entry in entries:
        if entry["readable"] and entry["year"] is not None and entry["year"] != declared:
            values = {"unit": entry["unit"] or entry["file"], "year": entry["year"], "expected": declared}
            _add(entry, emit("B.year_mismatch", values))


def _check_regions(entries: list[dict], totals: dict[str, int | float], count: int, year) -> None:
    """Each region report's tables against the sum of the units of the same batch, cell by cell."""
    if not count:
        return
    layout = load_layout()
    for entry in entries:
        if entry["scope"] != "region" or entry["vector"] is None or entry["year"] != year:
            continue
        for value, (pointer, value_type) in zip(entry["vector"], cell_pointers()):
            expected = totals[pointer]
            actual = int(value) if value_type == "count" else value
            if abs(actual - expected) > 1e-6:
                label = layout.label(pointer)
                diff = round(actual - expected, 4) if value_type != "count" else actual - expected
                values = {
                    "unit": entry["unit"],
                    "label": label,
                    "actual": actual,
                    "expected": expected,
                    "diff": diff,
                }
                finding = emit(
                    "B.region_mismatch",
                    values,
                    (Location(pointer, label),),
                    expected=expected,
                    actual=actual,
                    difference=diff,
                )
                _add(entry, finding)


def run_batch(
    directory: str | os.PathLike,
    *,
    roster: list[RosterUnit] | None = None,
    year: int | None = None,
    today: dt.date | None = None,
    deadline: dt.date | None = None,
    jobs: int | None = None,
    exclude: str | os.PathLike | None = None,
    exclude_files: tuple[str | os.PathLike, ...] = (),
    progress: TextIO | None = None,
    pool_threshold: int = POOL_THRESHOLD,
    timeout: float = FILE_TIMEOUT,
    after_validation: Callable[[list[dict], dict[str, str]], None] | None = None,
    plan=None,
) -> BatchResult:
    """``after_validation(entries, paths)`` (``paths``: entry file → path on disk) runs once the
    batch findings are attached and before the statuses are set (the year-over-year step,
    ``report_kit.archive.year_over_year``)."""
    today = today or dt.date.today()
    found = discover(directory, exclude=exclude, exclude_files=exclude_files)
    # display_path: a file name that is not UTF-8 must not break the JSON/HTML/xlsx writers
    items = [(str(path), display_path(found.relative(path))) for path in found.submissions]
    by_file: dict[str, dict] = {}
    bar = Progress(len(items), progress) if progress is not None else None

    tally = Counter()

    def collect(entry: dict) -> None:
        by_file[entry["file"]] = entry
        if bar is not None:
            if not entry["readable"]:
                tally[STATUS_UNREADABLE] += 1
            elif any(f["severity"] == "error" for f in entry["findings"]):
                tally[STATUS_ERRORS] += 1
            bar.note = (
                f"{STATUS_ERRORS} {tally[STATUS_ERRORS]} {STATUS_UNREADABLE} {tally[STATUS_UNREADABLE]}"
            )
            bar.advance()

    execute(
        items,
        jobs=jobs or default_jobs(),
        today=today,
        deadline=deadline,
        on_result=collect,
        pool_threshold=pool_threshold,
        timeout=timeout,
    )
    if bar is not None:
        bar.note = ""  # the tallies so far leave out the batch's own checks (duplicates, roster)
        bar.close()
    entries = [by_file[rel] for _, rel in items]  # exactly one entry per file, in path order
    return review_entries(
        entries,
        roster=roster,
        year=year,
        today=today,
        skipped=found.skipped,
        skip_reasons=found.skip_reasons,
        sources={rel: path for path, rel in items},
        after_validation=after_validation,
        plan=plan,
    )


def review_entries(
    entries: list[BatchEntry],
    *,
    roster: list[RosterUnit] | None = None,
    year: int | None = None,
    today: dt.date | None = None,
    skipped: list[str] | None = None,
    skip_reasons: dict[str, str] | None = None,
    sources: dict[str, str] | None = None,
    after_validation: Callable[[list[dict], dict[str, str]], None] | None = None,
    plan=None,
) -> BatchResult:
    """The batch's own checks (year, roster, duplicates, regions) and the aggregate over
    entries already validated (``worker.entry_of``): the folder review of ``run_batch`` and
    the live review of ``report-kit serve`` are the same review. ``entries`` are changed in
    place (batch findings appended, status set, vectors dropped)."""
    today = today or dt.date.today()
    sources = sources or {}
    expected = _expected_year(entries, year)
    _check_year(entries, expected)  # the inferred year too: a stray year is never silently ignored
    roster_rows, missing = _check_roster_and_duplicates(entries, roster, expected)
    if after_validation is not None:
        after_validation(entries, sources)
    plan_matrix = None
    if plan is not None:  # batch --plan: each unit's 落实情况 against its tasks
        from report_kit.plan.review import review_plan

        plan_matrix = review_plan(entries, plan, roster)
    for entry in entries:
        entry.pop("work_plan", None)
        entry["status"] = _status(entry)

    aggregator = Aggregator()
    aggregated: list[str] = []
    for entry in entries:
        if (
            entry["status"] == STATUS_PASSED
            and entry["vector"] is not None
            and entry["year"] == expected
            and entry["scope"] != "region"
        ):
            aggregator.add(entry["vector"])
            aggregated.append(entry["file"])
        elif (
            entry["status"] == STATUS_PASSED
            and entry.get("unsummable")
            and entry["year"] == expected
            and entry["scope"] != "region"
        ):
            pointer, text = entry["unsummable"]
            label = load_layout().label(pointer)
            values = {"unit": entry["unit"], "label": label, "actual": text}
            _add(entry, emit("B.not_summed", values, (Location(pointer, label),)))
    totals = aggregator.values()
    _check_regions(entries, totals, aggregator.count, expected)
    for entry in entries:
        entry["vector"] = None  # the sums are taken; the vectors are not part of any output
        entry["counts"] = dict(Counter(f["severity"] for f in entry["findings"]))
    return BatchResult(
        entries=entries,
        skipped=list(skipped or []),
        skip_reasons=dict(skip_reasons or {}),
        missing=missing,
        roster=roster_rows,
        aggregate=aggregator.result(),
        aggregate_count=aggregator.count,
        year=expected,
        generated_on=today.isoformat(),
        aggregate_files=aggregated,
        sources=sources,
        plan=plan_matrix,
    )


def default_exclude(output: str | os.PathLike) -> Path:
    return Path(output).resolve()
