"""The rule catalogue: ``schemas/rules-<format>.json`` loaded once per process.

Each rule carries a stable id, a severity, a Chinese title and message/suggestion
templates. Code that emits a finding names the rule id and supplies the template's
values; it never writes a user-facing sentence itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from report_kit.findings import Finding, Location
from report_kit.settings import SCHEMA_DIR

CATEGORY_LABELS = {
    "file": "文件",
    "shape": "填写格式",
    "arithmetic": "勾稽关系",
    "plausibility": "合理性",
    "document": "报告正文与要素",
    "text": "正文与表格一致性",
    "history": "跨年度",
    "batch": "批量审核",
    "reading": "读取已发布的报告",
    "plan": "工作要点落实",
}


class _Lenient(dict):
    """Template values: a missing placeholder renders visibly instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, values: dict[str, Any]) -> str:
    # str.format_map, not string.Formatter: the same result, in C (every finding renders two
    # templates; a workbook with blank cells has dozens of findings)
    return template.format_map(_Lenient(values))


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    category: str
    kind: str
    title: str
    message: str
    suggestion: str
    table: str | None
    raw: dict

    def variant(self, name: str, values: dict[str, Any] | None = None) -> Any:
        """A named sentence (or dict of sentences) of the rule's ``variants``, rendered.

        An emitted rule whose wording differs by case keeps every case in the catalogue, so
        that no user-facing sentence is built in Python.
        """
        spec = self.raw["variants"][name]
        if isinstance(spec, str):
            return render(spec, values or {})
        return {key: render(text, values or {}) for key, text in spec.items()}

    def finding(
        self,
        values: dict[str, Any],
        locations: tuple[Location, ...] = (),
        *,
        expected: Any = None,
        actual: Any = None,
        difference: Any = None,
        quote: str | None = None,
        involved: tuple[str, ...] = (),
        severity: str | None = None,
    ) -> Finding:
        return Finding(
            rule=self.id,
            severity=severity or self.severity,
            message=render(self.message, values),
            suggestion=render(self.suggestion, values),
            locations=locations,
            expected=expected,
            actual=actual,
            difference=difference,
            quote=quote,
            involved=involved,
            table=self.table,
        )


class Catalogue:
    def __init__(self, raw: dict) -> None:
        self.format = raw["format"]
        self.rules: dict[str, Rule] = {}
        for entry in raw["rules"]:
            rule = Rule(
                id=entry["id"],
                severity=entry["severity"],
                category=entry["category"],
                kind=entry["kind"],
                title=entry["title"],
                message=entry["message"],
                suggestion=entry.get("suggestion", ""),
                table=entry.get("table"),
                raw=entry,
            )
            if rule.id in self.rules:
                raise ValueError(f"duplicate rule id {rule.id}")
            self.rules[rule.id] = rule

    def __getitem__(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def __iter__(self):
        return iter(self.rules.values())

    def of_kind(self, kind: str) -> list[Rule]:
        return [rule for rule in self.rules.values() if rule.kind == kind]


def load_rules_file(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def load_catalogue(format_revision: str | None = None) -> Catalogue:
    """The rule catalogue of a revision (default: the current one, see :mod:`report_kit.formats`)."""
    from report_kit.formats import current

    return _load_catalogue(format_revision or current().id)


@cache
def _load_catalogue(format_revision: str) -> Catalogue:
    return Catalogue(load_rules_file(Path(SCHEMA_DIR) / f"rules-{format_revision}.json"))


def emit(rule_id: str, values: dict[str, Any] | None = None, locations=(), **kwargs) -> Finding:
    """Build a finding of a rule from the current catalogue (file- and shape-level rules)."""
    return load_catalogue()[rule_id].finding(values or {}, tuple(locations), **kwargs)
