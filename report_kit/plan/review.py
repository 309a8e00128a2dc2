"""``batch --plan``: every task × every unit it falls to — 已说明 / 未说明 / 未报送 — and the
P.task_not_addressed findings on each submission.

Runs in the main process over the batch entries (``worker.entry_of`` keeps each report's
落实情况 text for it), after the roster check has matched files to roster units.
"""

from __future__ import annotations

from typing import Any

from report_kit.batch.clean import clean
from report_kit.plan.coverage import addresses, coverage_findings, index_of
from report_kit.plan.ledger import Ledger

ADDRESSED = "已说明"
NOT_ADDRESSED = "未说明"
NOT_SUBMITTED = "未报送"
STATUSES = (ADDRESSED, NOT_ADDRESSED, NOT_SUBMITTED)


def _mini(name: str, kind: str, text: str) -> dict:
    return {"unit": {"name": name, "kind": kind}, "text": {"other": {"work_plan": text}}}


def review_plan(entries: list[dict[str, Any]], ledger: Ledger, roster=None) -> dict[str, Any]:
    """Add the findings to ``entries`` (in place) and return the matrix for the outputs."""
    from report_kit.plan.resolve import kind_of

    index = index_of(ledger)
    columns: list[dict[str, Any]] = []
    by_unit: dict[str, dict] = {}
    if roster is not None:
        for unit in roster:
            column = {"name": unit.name, "kind": kind_of(unit), "file": None, "text": None}
            columns.append(column)
            by_unit.setdefault(unit.name, column)
    for entry in entries:
        if not entry["readable"]:
            continue
        name = entry.get("roster_name") or entry["unit"]
        if not name:
            continue
        column = by_unit.get(name)
        if column is None:
            if roster is not None:  # not on the roster: checked, but no column of the matrix
                column = {"name": name, "kind": entry.get("unit_kind") or "", "file": None, "text": None}
            else:
                column = {"name": name, "kind": entry.get("unit_kind") or "", "file": None, "text": None}
                columns.append(column)
                by_unit[name] = column
        if column["file"] is None:
            column["file"] = entry["file"]
            column["text"] = entry.get("work_plan") or ""
        submission = _mini(name, entry.get("unit_kind") or column["kind"], entry.get("work_plan") or "")
        entry["findings"].extend(clean([f.to_dict() for f in coverage_findings(ledger, submission)]))
    rows = [
        {"id": task.id, "number": task.number, "task": task.opening(30), "statuses": [""] * len(columns)}
        for task in ledger.tasks
    ]
    counts = dict.fromkeys(STATUSES, 0)
    for col, column in enumerate(columns):
        for at in index.tasks_for(column["name"], column["kind"]):
            if column["file"] is None:
                status = NOT_SUBMITTED
            elif addresses(column["text"], index.terms[at]):
                status = ADDRESSED
            else:
                status = NOT_ADDRESSED
            rows[at]["statuses"][col] = status
            counts[status] += 1
    return {
        "document": dict(ledger.document),
        "units": [{"name": c["name"], "kind": c["kind"], "file": c["file"]} for c in columns],
        "tasks": rows,
        "counts": counts,
    }
