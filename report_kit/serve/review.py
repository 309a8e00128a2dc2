"""The office's live review: the batch review of every unit's current upload, with roster status.

It is ``report-kit batch``'s review (``batch.run.review_entries``: year, roster, duplicates,
regions, the aggregate) over the entries the workers stored at upload time, so the office
page, ``api/review`` and 审核结果.xlsx say exactly what a batch over the same files would say.
Roster status comes from the links: an upload through a unit's link is that unit's, whatever
name its report carries (a report that names another unit still gets the batch's finding).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from report_kit.batch.roster import RosterUnit
from report_kit.batch.run import STATUS_PASSED, BatchResult, review_entries
from report_kit.batch.tables import to_data
from report_kit.serve.store import Store

STATE_MISSING = "未提交"
STATE_ERRORS = "有错误"
STATE_PASSED = "通过"
STATE_LATE = "逾期"
STATES = (STATE_MISSING, STATE_ERRORS, STATE_PASSED, STATE_LATE)


@dataclass
class Review:
    result: BatchResult
    units: list[dict[str, Any]]  # one row per roster unit: status, version, counts, upload time
    data: dict[str, Any]  # 审核结果.json, with ``roster_status`` and ``status_counts``


def entry_file(name: str, version: int, file_name: str) -> str:
    """How an upload is named in the review: the unit and version, and the suffix of the file
    (so a file the reader could not read is still matched to its unit by name)."""
    suffix = Path(file_name).suffix.lower() if len(Path(file_name).suffix) <= 8 else ""
    return f"{name}（第{version}版）{suffix}"


def unit_state(row: dict, status: str | None, today: dt.date, deadline: dt.date | None) -> str:
    if status is None:
        return STATE_LATE if deadline is not None and today > deadline else STATE_MISSING
    return STATE_PASSED if status == STATUS_PASSED else STATE_ERRORS


# added at upload time by ``check --plan`` (the unit sees them) and again by the batch's plan
# review: kept once
PLAN_RULE = "P.task_not_addressed"


def build_review(
    store: Store, *, year: int | None, today: dt.date, deadline: dt.date | None, plan=None
) -> Review:
    rows = store.current_entries()
    listed = [row for row in rows if row["position"] is not None]
    roster = [RosterUnit(row["position"], row["name"], row["code"], row["kind"]) for row in listed]
    entries, by_unit = [], {}
    for row in listed:
        if row["entry"] is None:
            continue
        entry = json.loads(row["entry"])
        if plan is not None:
            entry["findings"] = [f for f in entry["findings"] if f.get("rule") != PLAN_RULE]
        entry["file"] = entry_file(row["name"], row["version"], row["file_name"])
        entries.append(entry)
        by_unit[row["unit_id"]] = entry
    result = review_entries(entries, roster=roster if listed else None, year=year, today=today, plan=plan)
    units = []
    for row in listed:
        entry = by_unit.get(row["unit_id"])
        counts = entry["counts"] if entry else {}
        units.append(
            {
                "unit_id": row["unit_id"],
                "unit": row["name"],
                "code": row["code"],
                "kind": row["kind"],
                "status": unit_state(row, entry["status"] if entry else None, today, deadline),
                "version": row["version"],
                "file": entry["file"] if entry else "",
                "received_at": row["received_at"] or "",
                "errors": counts.get("error", 0),
                "warnings": counts.get("warning", 0),
                "late": bool(entry and entry["late"]),
            }
        )
    data = to_data(result)
    data["roster_status"] = [{k: v for k, v in unit.items() if k != "unit_id"} for unit in units]
    tally = Counter(unit["status"] for unit in units)
    data["status_counts"] = {state: tally[state] for state in STATES}
    data["deadline"] = deadline.isoformat() if deadline else None
    return Review(result, units, data)


class ReviewCache:
    """The review is rebuilt only when an upload or a link changed (or the day did): the office
    page of a 500-unit jurisdiction is then a template render, not 500 JSON decodes."""

    def __init__(self, store: Store, plan=None) -> None:
        self.store = store
        self.plan = plan
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._review: Review | None = None

    def get(self, *, year: int | None, today: dt.date, deadline: dt.date | None) -> Review:
        key = (self.store.generation(), year, today, deadline)
        with self._lock:
            if key != self._key or self._review is None:
                self._review = build_review(
                    self.store, year=year, today=today, deadline=deadline, plan=self.plan
                )
                self._key = key
            return self._review

    def fresh_copy(self, **options) -> Review:
        """A copy the caller may change (the xlsx writer reads only, but never trust that)."""
        return copy.deepcopy(self.get(**options))
