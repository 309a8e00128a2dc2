"""Validating one file into plain, picklable data — the unit of work of a batch.

This runs inside worker processes. It never raises: a crash inside one file's validation
becomes an ``F.internal`` finding of that file. Only the numbers the batch needs travel back
(findings, key figures, the table vector of a file without errors), never whole submissions,
so memory stays bounded however large the batch.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any, TypedDict

from report_kit import check as check_module
from report_kit.batch.aggregate import vector_and_unsummable
from report_kit.batch.clean import clean
from report_kit.catalogue import emit

# The layout's key figures (``key_figures``) a batch shows per file, by key.
BATCH_FIGURES = ("received", "carried_forward", "reconsideration", "litigation")


def _unsummable(found: tuple[str, object] | None) -> list | None:
    """[pointer, value as text] of a table cell too large to be summed (aggregate.MAX_SUMMABLE)."""
    if found is None:
        return None
    text = str(found[1]) if len(str(found[1])) <= 40 else f"{str(found[1])[:20]}…（共{len(str(found[1]))}位）"
    return [found[0], text]


class BatchEntry(TypedDict, total=False):
    """What a batch keeps of one file (plain data: it crosses process boundaries and is
    written as 审核结果.json). Keys added after validation: ``status``, ``roster_state``,
    ``roster_name``, ``previous`` (year over year), ``archived_version``."""

    file: str
    source_kind: str
    readable: bool
    unit: str
    unit_kind: str
    code: str
    scope: str
    year: int | None
    published_on: str
    late: bool
    figures: dict[str, int | float | None]
    findings: list[dict[str, Any]]
    repairs: list[dict[str, Any]]
    vector: list | None
    unsummable: list | None
    work_plan: str
    status: str
    roster_state: str
    roster_name: str
    previous: dict[str, Any] | None
    archived_version: int | None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def entry_of(report, rel: str) -> BatchEntry:
    """The plain-data summary of one FileReport, as the batch keeps it."""
    submission = report.submission if isinstance(report.submission, dict) else None
    unit = submission.get("unit") if submission else None
    unit = unit if isinstance(unit, dict) else {}
    findings = [f.to_dict() for f in report.findings]
    valid = report.valid
    published = submission.get("published_on") if submission else None
    vector, unsummable = vector_and_unsummable(submission) if submission and valid else (None, None)
    return clean(
        {
            "file": rel,
            "source_kind": report.source_kind,
            "readable": submission is not None,
            "unit": report.unit or "",
            "unit_kind": _text(unit.get("kind")),
            "code": _text(unit.get("code")),
            "scope": _text(submission.get("scope")) if submission else "",
            "year": report.year,
            "published_on": published.isoformat() if isinstance(published, dt.date) else _text(published),
            "late": any(f["rule"] == "D.late" for f in findings),
            "figures": _figures(submission) if submission else {},
            "findings": findings,
            "repairs": [r.to_dict() for r in report.repairs],
            "vector": vector,
            "unsummable": _unsummable(unsummable),
            "work_plan": _work_plan(submission),  # for batch --plan; dropped before any output
        }
    )


def _work_plan(submission: dict | None) -> str:
    text = submission.get("text") if submission else None
    other = text.get("other") if isinstance(text, dict) else None
    return _text(other.get("work_plan")) if isinstance(other, dict) else ""


def failed_entry(rel: str, rule: str, reason: str, what: str = "整个文件") -> BatchEntry:
    """The entry of a file whose validation crashed or whose worker process died."""
    values = {"rule": what, "reason": reason} if rule == "F.internal" else {"reason": reason}
    finding = emit(rule, values)
    return clean(
        {
            "file": rel,
            "source_kind": "unknown",
            "readable": False,
            "unit": "",
            "unit_kind": "",
            "code": "",
            "scope": "",
            "year": None,
            "published_on": "",
            "late": False,
            "figures": {},
            "findings": [finding.to_dict()],
            "vector": None,
            "unsummable": None,
        }
    )


def validate_one(path: str, rel: str, today: dt.date | None, deadline: dt.date | None) -> dict[str, Any]:
    try:
        report = check_module.check_file(path, today=today, deadline=deadline)
        return entry_of(report, rel)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # one file's crash (even SystemExit) must never stop the batch
        return failed_entry(rel, "F.internal", f"{type(exc).__name__}: {exc}")


def validate_chunk(
    items: list[tuple[str, str]], today: dt.date | None, deadline: dt.date | None
) -> list[dict[str, Any]]:
    """Several files per task, so that inter-process traffic stays small for large batches."""
    return [validate_one(path, rel, today, deadline) for path, rel in items]


def _figures(submission: dict) -> dict[str, int | float | None]:
    from report_kit.archive.figures import figure_value

    return {key: figure_value(submission, figure) for key, figure in _batch_figures()}


@cache
def _batch_figures() -> tuple:
    """(key, KeyFigure) of BATCH_FIGURES, looked up in the layout once per process, not per file."""
    from report_kit.layout import load_layout

    layout = load_layout()
    return tuple((key, layout.key_figure(key)) for key in BATCH_FIGURES)
