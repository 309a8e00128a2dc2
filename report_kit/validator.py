"""Validation of one canonical submission: schema layer first, then every compiled rule.

A :class:`Validator` is built once per format revision (schema compiled, rules expanded)
and reused for every submission of a run; :func:`get_validator` caches them per process.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from report_kit.catalogue import Catalogue, load_catalogue
from report_kit.fastschema import compile_predicate
from report_kit.findings import Finding, Location, count_by_severity
from report_kit.formats import current
from report_kit.layout import Layout, load_layout
from report_kit.repairs import Localiser, Repair, attach_repair_cells, link
from report_kit.rules import NotEvaluated, compile_checks
from report_kit.rules.context import Context
from report_kit.rules.shape import compile_schema_validator, schema_findings
from report_kit.schema_build import schema_path


@dataclass
class ValidationResult:
    findings: list[Finding]
    not_evaluated: list[str] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)  # which cells are wrong (repairs.py)

    @property
    def valid(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)

    def to_dict(self) -> dict:
        """The findings JSON of ``submission.md`` without the file fields."""
        return {
            "valid": self.valid,
            "counts": self.counts,
            "not_evaluated": list(self.not_evaluated),
            "findings": [f.to_dict() for f in self.findings],
            "repairs": [r.to_dict() for r in self.repairs],
        }


SourceMap = dict[str, tuple[str, str]]  # pointer -> (sheet, A1 cell)


class Validator:
    def __init__(self, layout: Layout, catalogue: Catalogue, schema: dict) -> None:
        self.layout = layout
        self.catalogue = catalogue
        self.schema = schema
        self._schema_validator = None
        self.quick_check = compile_predicate(schema)
        self.checks = compile_checks(catalogue, layout)
        self.localiser = Localiser(layout, catalogue)

    @property
    def schema_validator(self):
        """The jsonschema validator, built on first need (most runs meet only valid files)."""
        if self._schema_validator is None:
            self._schema_validator = compile_schema_validator(self.schema)
        return self._schema_validator

    def validate(
        self,
        submission: Any,
        *,
        today: dt.date | None = None,
        deadline: dt.date | None = None,
        source_map: SourceMap | None = None,
        previous: dict | None = None,
    ) -> ValidationResult:
        """``previous``: last year's submission of the unit, as evidence for repairs."""
        if self.quick_check(submission):
            findings, bad = [], set()
        else:
            findings, bad = schema_findings(self.schema_validator, submission, self.layout, self.catalogue)
        not_evaluated: list[str] = []
        repairs: list[Repair] = []
        if isinstance(submission, dict):
            ctx = Context.build(submission, self.layout, today or dt.date.today(), bad)
            ctx.deadline = deadline
            for check in self.checks:
                try:
                    findings.extend(check.run(ctx))
                except NotEvaluated:
                    not_evaluated.append(check.name)
                except Exception as exc:  # a crashing rule is a finding, never a silent pass
                    findings.append(
                        self.catalogue["F.internal"].finding(
                            {"rule": check.rule.id, "reason": f"{type(exc).__name__}: {exc}"},
                        )
                    )
                    not_evaluated.append(check.name)
            if any(f.rule in self.localiser.rules for f in findings):  # a valid file pays nothing
                repairs = self.localiser.localise(
                    ctx.numbers,
                    previous=previous,
                    prose=ctx,
                )
                if source_map:
                    repairs = attach_repair_cells(repairs, source_map, self.layout)
                findings = link(findings, repairs, self.localiser.linked_rules)
        else:
            not_evaluated = [check.name for check in self.checks]
        if source_map:
            findings = [attach_cells(f, source_map) for f in findings]
        return ValidationResult(sort_findings(findings, self.layout), not_evaluated, repairs)


def attach_cells(finding: Finding, source_map: SourceMap) -> Finding:
    """Add sheet and A1 cell to the locations that came from a workbook."""
    if not any(loc.pointer in source_map for loc in finding.locations):
        return finding
    locations = tuple(
        Location(loc.pointer, loc.label, *source_map[loc.pointer]) if loc.pointer in source_map else loc
        for loc in finding.locations
    )
    return finding.with_locations(locations)


def finding_sort_key(finding: Finding, layout: Layout) -> tuple:
    if not finding.locations:
        return (-1, 0, 0, finding.rule, "")
    return (
        *layout.sort_key(finding.locations[0].pointer),
        finding.rule,
        finding.locations[0].pointer,
        finding.message,
    )


def sort_findings(findings: list[Finding], layout: Layout) -> list[Finding]:
    return sorted(findings, key=lambda f: finding_sort_key(f, layout))


def get_validator(format_revision: str | None = None) -> Validator:
    """The cached validator of a revision (default: the current one)."""
    return _get_validator(format_revision or current().id)


@cache
def _get_validator(format_revision: str) -> Validator:
    layout = load_layout(format_revision)
    with open(schema_path(format_revision), encoding="utf-8") as handle:
        schema = json.load(handle)
    return Validator(layout, load_catalogue(format_revision), schema)


__all__ = ["ValidationResult", "Validator", "get_validator"]
