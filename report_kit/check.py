"""The library entry point of ``report-kit check``: read a file, validate it, report."""

from __future__ import annotations

import datetime as dt
import os

from report_kit.findings import FileReport
from report_kit.readers import ReadResult, read_submission
from report_kit.settings import CURRENT_FORMAT
from report_kit.validator import get_validator, sort_findings


def validate_read(
    result: ReadResult,
    file: str,
    *,
    today: dt.date | None = None,
    deadline: dt.date | None = None,
) -> FileReport:
    """Validate what a reader produced; reading findings and rule findings come out merged."""
    submission = result.submission
    validator = get_validator(_format_of(submission))
    findings = list(result.findings)
    not_evaluated: list[str] = []
    if submission is not None:
        outcome = validator.validate(submission, today=today, deadline=deadline, source_map=result.source_map)
        findings.extend(outcome.findings)
        not_evaluated = outcome.not_evaluated
    unit = submission.get("unit") if isinstance(submission, dict) else None
    year = submission.get("year") if isinstance(submission, dict) else None
    return FileReport(
        file=file,
        findings=sort_findings(_dedupe(findings), validator.layout),
        submission=submission,
        unit=unit.get("name") if isinstance(unit, dict) and isinstance(unit.get("name"), str) else None,
        year=year if isinstance(year, int) and not isinstance(year, bool) else None,
        not_evaluated=not_evaluated,
        source_kind=result.kind,
    )


def _format_of(submission) -> str:
    # Only the 2021 revision has a compiled validator so far; a 2019 submission is
    # validated against it and D.format_year reports the mismatch.
    return CURRENT_FORMAT


def _dedupe(findings):
    seen = set()
    unique = []
    for finding in findings:
        key = (finding.rule, finding.pointer, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def check_file(
    path: str | os.PathLike, *, today: dt.date | None = None, deadline: dt.date | None = None
) -> FileReport:
    return validate_read(read_submission(path), os.fspath(path), today=today, deadline=deadline)
