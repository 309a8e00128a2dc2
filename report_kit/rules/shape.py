"""The schema layer: JSON Schema errors turned into Chinese findings, one per place.

Every error of the document is reported (not the first only); each becomes a finding of an
``S.*`` rule with the official label of the place. The pointers of failed places are
returned too, so that the arithmetic layer stays silent about them.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from report_kit.catalogue import Catalogue
from report_kit.chinese_numbers import is_estimate, parse_number
from report_kit.findings import Finding, Location
from report_kit.layout import Layout
from report_kit.pointer import join as pointer_of

if TYPE_CHECKING:  # jsonschema is imported only when a document is invalid: start-up matters
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

_FIRST_FIGURE = re.compile(r"[0-9０-９](?:[0-9０-９]|[,，](?=[0-9０-９]{3}))*(?:[.．][0-9０-９]+)?")

TYPE_NAMES = {
    "integer": "整数",
    "number": "数字",
    "string": "文字",
    "object": "一组项目（键值对象）",
    "array": "列表",
    "boolean": "是/否",
    "null": "空值",
}


def compile_schema_validator(schema: dict) -> Draft202012Validator:
    """The full validator; the schema itself is checked by the test-suite, not at start-up."""
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(schema, format_checker=FormatChecker(formats=["date"]))


def describe(value: Any) -> str:
    """How a value looks to the user, in Chinese."""
    if value is None:
        return "空值（null）"
    if isinstance(value, bool):
        return f"是/否值（{str(value).lower()}）"
    if isinstance(value, str):
        return f"文字“{value}”" if value else "空文字"
    if isinstance(value, (int, float)):
        return f"数字{value:g}" if isinstance(value, float) else f"数字{value}"
    if isinstance(value, dict):
        return "一组项目（键值对象）"
    if isinstance(value, list):
        return f"列表（{len(value)}项）"
    return type(value).__name__


def _type_fix(error: ValidationError, catalogue: Catalogue) -> str:
    """How to fix a wrong type: the ``S.type`` variant for the case (wording in the catalogue)."""
    rule = catalogue["S.type"]
    expected = error.validator_value
    value = error.instance
    if expected in ("integer", "number") and isinstance(value, str):
        number = None if is_estimate(value.strip()) else parse_number(value)
        if number is not None:
            return rule.variant("quoted_number", {"number": number})
        figure = _FIRST_FIGURE.search(value)
        if figure and parse_number(figure.group()) is not None:
            return rule.variant("number_with_words", {"number": parse_number(figure.group())})
        return rule.variant("text_for_number")
    if expected in ("integer", "number") and value is None:
        return rule.variant("null_for_number")
    if expected == "object":
        return rule.variant("not_object")
    if expected == "string":
        return rule.variant("not_string")
    return rule.variant("other")


def _required_fix(key: str, schema: dict, pointer: str, layout: Layout, catalogue: Catalogue) -> str:
    """How to supply a missing item (the ``S.required`` variant for its kind): a count is 0 when
    nothing happened, a choice is chosen, a text is written — 「填0」 for a missing 报告范围
    would be nonsense."""
    rule = catalogue["S.required"]
    if "enum" in schema:
        labels = layout.enums.get(key, {})
        shown = "、".join(labels.get(v, str(v)) for v in schema["enum"])
        return rule.variant("choice", {"choices": shown})
    kind = schema.get("type")
    if kind in ("integer", "number") or pointer in layout.cells:
        return rule.variant("count")
    if kind == "object":
        return rule.variant("part")
    return rule.variant("other")


def _convert(error: ValidationError, layout: Layout, catalogue: Catalogue) -> Iterator[tuple[Finding, str]]:
    keyword = error.validator
    pointer = pointer_of(error.absolute_path)
    label = layout.label(pointer)
    value = error.instance

    def make(rule_id: str, at: str, values: dict, **kwargs) -> tuple[Finding, str]:
        values = {"label": layout.label(at), "pointer": at, "actual_text": describe(value), **values}
        finding = catalogue[rule_id].finding(
            values, (Location(at, layout.label(at)),), involved=(at,), **kwargs
        )
        return finding, at

    def year_out_of_range() -> tuple[Finding, str]:
        low, high = error.schema.get("minimum"), error.schema.get("maximum")
        return make(
            "S.year", pointer, {"minimum": low, "maximum": high}, expected=f"{low}–{high}", actual=value
        )

    if keyword == "required":
        for key in error.validator_value:
            if isinstance(value, dict) and key not in value:
                at = f"{pointer}/{key}"
                sub = error.schema.get("properties", {}).get(key, {})
                how = {"how_to_fix": _required_fix(key, sub, at, layout, catalogue)}
                yield make("S.required", at, how, expected="必填", actual=None)
    elif keyword == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        for key in value:
            if key in allowed:
                continue
            at = f"{pointer}/{key}"
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            yield make(
                "S.unknown_key",
                at,
                {
                    "parent_label": label,
                    "key": key,
                    "hint": f"，是否应为“{close[0]}”" if close else "",
                    "closest": f"（如“{close[0]}”）" if close else "",
                },
                expected=close[0] if close else sorted(allowed),
                actual=key,
            )
    elif keyword == "type":
        expected = error.validator_value
        if expected == "integer" and isinstance(value, float) and pointer == "/year":
            yield year_out_of_range()  # 2024.5 or NaN is not a year, and the year is not a count
        elif expected == "integer" and isinstance(value, float) and not isinstance(value, bool):
            yield make("S.integer", pointer, {}, expected="整数", actual=value)
        else:
            yield make(
                "S.type",
                pointer,
                {
                    "expected_type": TYPE_NAMES.get(expected, expected),
                    "how_to_fix": _type_fix(error, catalogue),
                },
                expected=TYPE_NAMES.get(expected, expected),
                actual=value
                if isinstance(value, (str, int, float, bool)) or value is None
                else describe(value),
            )
    elif keyword in ("minimum", "maximum") and pointer == "/year":
        yield year_out_of_range()
    elif keyword == "minimum":
        yield make("S.negative", pointer, {}, expected="≥0", actual=value)
    elif keyword == "enum":
        labels = error.schema.get("x-labels", {})
        allowed = "、".join(f"{k}（{v}）" for k, v in labels.items()) or "、".join(
            map(str, error.validator_value)
        )
        yield make(
            "S.enum", pointer, {"allowed": allowed}, expected=list(error.validator_value), actual=value
        )
    elif keyword == "format":
        yield make("S.date", pointer, {}, expected="YYYY-MM-DD", actual=value)
    elif keyword in ("minLength", "pattern"):
        yield make("S.empty", pointer, {}, expected="非空", actual=value)
    else:  # a keyword this module does not know yet: still a clear finding
        yield make(
            "S.type",
            pointer,
            {"expected_type": "规定的格式", "how_to_fix": error.message},
            expected=json.dumps(error.validator_value, ensure_ascii=False),
            actual=value if isinstance(value, (str, int, float)) else describe(value),
        )


def schema_findings(
    validator: Draft202012Validator, submission: Any, layout: Layout, catalogue: Catalogue
) -> tuple[list[Finding], set[str]]:
    findings: list[Finding] = []
    bad: set[str] = set()
    seen: set[tuple[str, str]] = set()
    for error in validator.iter_errors(submission):
        for finding, at in _convert(error, layout, catalogue):
            key = (finding.rule, at)
            if key in seen:
                continue
            seen.add(key)
            findings.append(finding)
            bad.add(at)
    findings.extend(mixed_revision(findings, layout, catalogue))
    return findings, bad


def mixed_revision(findings: list[Finding], layout: Layout, catalogue: Catalogue) -> list[Finding]:
    """``S.format``: keys the declared revision does not know are cells of another revision —
    the report mixes formats (e.g. the trial format's 表二 under a current ``format``). The
    ``S.unknown_key`` findings stay: they name each key."""
    from report_kit import formats
    from report_kit.catalogue import render
    from report_kit.layout import load_layout

    unknown = [f.pointer for f in findings if f.rule == "S.unknown_key" and f.pointer]
    if not unknown:
        return []
    declared = formats.revision(layout.format)
    for other in reversed(formats.revisions()):
        if declared is None or other.id == declared.id:
            continue
        theirs = load_layout(other.id)
        foreign = [
            p for p in unknown if p in theirs.cells or any(c.startswith(p + "/") for c in theirs.cells)
        ]
        if not foreign:
            continue
        rule = catalogue["S.format"]
        items = "、".join(f"“{theirs.label(p)}”" for p in foreign[:3]) + ("等" if len(foreign) > 3 else "")
        values = {
            "other_label": other.label,
            "other_id": other.id,
            "declared_label": declared.label,
            "items": items,
        }
        values["reason"] = render(rule.raw["templates"]["mixed"], values)
        locations = tuple(Location(p, theirs.label(p)) for p in foreign)
        return [
            rule.finding(values, locations, expected=declared.id, actual=other.id, involved=tuple(foreign))
        ]
    return []
