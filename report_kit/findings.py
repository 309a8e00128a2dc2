"""Findings and reports: plain data, kept apart from how they are printed.

A :class:`Finding` is what one rule says about one place of one submission. A
:class:`FileReport` collects the findings of one input file; writers (text, JSON, CSV,
workbook annotation) only ever read these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from report_kit.settings import SEVERITIES, SEVERITY_LABELS


def place_dict(pointer: str, sheet: str | None, cell: str | None) -> dict[str, Any]:
    """The ``pointer`` / ``sheet`` / ``cell`` head shared by a location and a repair in the
    JSON (submission.md): sheet and cell only where the input was a workbook."""
    data: dict[str, Any] = {"pointer": pointer}
    if sheet is not None:
        data["sheet"] = sheet
    if cell is not None:
        data["cell"] = cell
    return data


@dataclass(frozen=True)
class Location:
    """Where a finding points: a JSON pointer into the canonical submission, its official
    label and, for workbooks, the sheet and A1 address the user typed it in."""

    pointer: str
    label: str = ""
    sheet: str | None = None
    cell: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**place_dict(self.pointer, self.sheet, self.cell), "label": self.label}

    @property
    def address(self) -> str | None:
        """``表三!D7`` style address, when the input was a workbook."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or None


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    locations: tuple[Location, ...] = ()
    expected: Any = None
    actual: Any = None
    suggestion: str = ""
    difference: Any = None
    quote: str | None = None
    involved: tuple[str, ...] = ()
    table: str | None = None
    repairs: tuple[int, ...] = ()  # indices into the file's ``repairs`` that resolve this finding
    repair_hint: str = ""  # 「最可能出错：表三 D30（结转下年度·自然人）填了2，按其他数据应为1」
    sort_key: tuple = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]

    @property
    def pointer(self) -> str:
        return self.locations[0].pointer if self.locations else ""

    def with_locations(self, locations: tuple[Location, ...]) -> Finding:
        return replace(self, locations=locations)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "locations": [loc.to_dict() for loc in self.locations],
            "expected": self.expected,
            "actual": self.actual,
        }
        if self.difference is not None:
            data["difference"] = self.difference
        data["suggestion"] = self.suggestion
        if self.quote is not None:
            data["quote"] = self.quote
        if self.table is not None:
            data["table"] = self.table
        if self.involved:
            data["involved"] = list(self.involved)
        if self.repairs:
            data["repairs"] = list(self.repairs)
            data["repair_hint"] = self.repair_hint
        return data


LOCATION_SEPARATOR = "；"


def joined_locations(locations: list[dict]) -> dict[str, str]:
    """Every location of a finding (dicts of ``Location.to_dict``) as aligned text columns.

    Flat outputs (CSV, 审核结果.xlsx, unit pages) once kept only the first location; a
    balance finding names 本年新收 *and* （七）总计, and the clerk needs both. The n-th item
    of each column belongs to the n-th location.
    """
    sep = LOCATION_SEPARATOR

    def column(key: str) -> str:
        values = [str(loc.get(key) or "") for loc in locations]
        return sep.join(values) if any(values) else ""

    addresses = (
        f"{loc['sheet']}!{loc['cell']}" if loc.get("cell") else loc["sheet"]
        for loc in locations
        if loc.get("sheet")
    )
    return {
        "sheet": column("sheet"),
        "cell": column("cell"),
        "address": sep.join(dict.fromkeys(addresses)),
        "pointer": column("pointer"),
        "label": column("label"),
    }


def count_by_severity(findings: list[Finding]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


@dataclass
class FileReport:
    """Everything ``check`` knows about one input file."""

    file: str
    findings: list[Finding]
    submission: dict | None = None
    unit: str | None = None
    year: int | None = None
    not_evaluated: list[str] = field(default_factory=list)
    source_kind: str = "json"
    repairs: list = field(default_factory=list)  # report_kit.repairs.Repair, best first

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)

    @property
    def valid(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "unit": self.unit,
            "year": self.year,
            "valid": self.valid,
            "counts": self.counts,
            "not_evaluated": list(self.not_evaluated),
            "findings": [f.to_dict() for f in self.findings],
            "repairs": [r.to_dict() for r in self.repairs],
        }
