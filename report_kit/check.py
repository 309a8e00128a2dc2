"""The library entry point of ``report-kit check``: read a file, validate it, report."""

from __future__ import annotations

import datetime as dt
import os

from report_kit.findings import FileReport
from report_kit.formats import revision_of
from report_kit.readers import ReadResult, read_submission
from report_kit.repairs import link
from report_kit.validator import attach_cells, get_validator, sort_findings
from report_kit.years import as_year


def validate_read(
    result: ReadResult,
    file: str,
    *,
    today: dt.date | None = None,
    deadline: dt.date | None = None,
    previous=None,
    plan=None,
) -> FileReport:
    """Validate what a reader produced; reading findings and rule findings come out merged.

    ``previous`` (a :class:`report_kit.previous.PreviousSource`) adds the cross-year checks
    against the same unit's report of the year before; ``plan`` (a
    :class:`report_kit.plan.Ledger`) adds P.task_not_addressed for each task of the unit that
    its 落实情况 does not address.
    """
    submission = result.submission
    validator = get_validator(revision_of(submission))
    findings = list(result.findings)
    not_evaluated: list[str] = []
    repairs = []
    if submission is not None:
        baseline = (
            previous.find(submission) if previous is not None and isinstance(submission, dict) else None
        )
        outcome = validator.validate(
            submission,
            today=today,
            deadline=deadline,
            source_map=result.source_map,
            previous=baseline if _year_before(baseline, submission) else None,
        )
        rule_findings = _not_said_by_reader(outcome.findings, result.findings)
        if is_imported(submission):
            rule_findings, unread = _nulls_not_read(
                rule_findings, submission, validator.layout, result.findings
            )
            findings.extend(unread)
        findings.extend(rule_findings)
        not_evaluated = outcome.not_evaluated
        repairs = outcome.repairs
        if previous is not None:
            cross = (
                previous.compare(submission, baseline, validator.layout)
                if isinstance(submission, dict)
                else []
            )
            cross = link(cross, repairs, validator.localiser.linked_rules)
            findings.extend(attach_cells(f, result.source_map) if result.source_map else f for f in cross)
        if plan is not None:
            from report_kit.plan.coverage import coverage_findings

            covered = coverage_findings(plan, submission)
            findings.extend(attach_cells(f, result.source_map) if result.source_map else f for f in covered)
    unit = submission.get("unit") if isinstance(submission, dict) else None
    year = submission.get("year") if isinstance(submission, dict) else None
    return FileReport(
        file=file,
        findings=_ordered(_dedupe(findings), validator.layout, imported=is_imported(submission)),
        submission=submission,
        unit=unit.get("name") if isinstance(unit, dict) and isinstance(unit.get("name"), str) else None,
        year=as_year(year),
        not_evaluated=not_evaluated,
        source_kind=result.kind,
        repairs=repairs,
    )


def _year_before(previous, submission) -> bool:
    """Last year's report may speak for a repair only when it is exactly the year before."""
    if not isinstance(previous, dict) or not isinstance(submission, dict):
        return False
    year, before = submission.get("year"), previous.get("year")
    return isinstance(year, int) and isinstance(before, int) and before == year - 1


# Schema findings that merely repeat, in general terms, what a reader already said about a
# cell: the workbook reader reports 「12件」 as S.cell_text and leaves the text in the
# submission so that no rule computes with it; the schema's S.type there is a duplicate.
SUPERSEDED_BY_READER = frozenset({"S.type", "S.integer", "S.negative", "S.year"})


def _not_said_by_reader(rule_findings, reader_findings):
    said = {loc.pointer for f in reader_findings for loc in f.locations if loc.pointer}
    if not said:
        return rule_findings
    return [f for f in rule_findings if not (f.rule in SUPERSEDED_BY_READER and f.pointer in said)]


def _ordered(findings, layout, *, imported: bool):
    """Sorted by place; for a published report the reading findings come first (ingest.md)."""
    if not imported:
        return sort_findings(findings, layout)
    reading = [f for f in findings if f.rule.startswith("R.")]
    rest = [f for f in findings if not f.rule.startswith("R.")]
    return sort_findings(reading, layout) + sort_findings(rest, layout)


def is_imported(submission) -> bool:
    """An imported submission (report-kit import) carries a ``source`` object (docs/import.md)."""
    return isinstance(submission, dict) and isinstance(submission.get("source"), dict)


NULL_RULES = frozenset({"S.type", "S.required"})


def _nulls_not_read(rule_findings, submission, layout, reader_findings):
    """In an imported submission a null cell was not read: no shape error, one reading finding.

    The checks that need such a cell are already "not evaluated" (the schema layer marked it
    bad). Cells a reader finding already names are not repeated in ``R.cell_null``.
    """
    from report_kit.catalogue import emit
    from report_kit.findings import Location
    from report_kit.rules.context import resolve

    nulls = [p for p in layout.cells if resolve(submission, p) is None]
    if not nulls:
        return rule_findings, []
    null_set = set(nulls)
    kept = [f for f in rule_findings if not (f.rule in NULL_RULES and f.pointer in null_set)]
    said = {loc.pointer for f in reader_findings for loc in f.locations}
    unsaid = [p for p in nulls if p not in said and not any(p.startswith(s + "/") for s in said)]
    if not unsaid:
        return kept, []
    labels = "、".join(layout.label(p) for p in unsaid[:5]) + ("等" if len(unsaid) > 5 else "")
    finding = emit(
        "R.cell_null",
        {"count": len(unsaid), "labels": labels},
        tuple(Location(p, layout.label(p)) for p in unsaid),
    )
    return kept, [finding]


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
    path: str | os.PathLike,
    *,
    today: dt.date | None = None,
    deadline: dt.date | None = None,
    previous=None,
    plan=None,
) -> FileReport:
    return validate_read(
        read_submission(path), os.fspath(path), today=today, deadline=deadline, previous=previous, plan=plan
    )
