"""Checks on the report as a document: required prose, format revision, dates, credit code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from report_kit import credit_code
from report_kit.catalogue import Rule
from report_kit.findings import Finding
from report_kit.layout import Layout
from report_kit.rules.base import Check, NotEvaluated, location
from report_kit.rules.context import Context
from report_kit.years import is_year


def _blank(ctx: Context, pointer: str) -> bool:
    value = ctx.value(pointer)
    return not (isinstance(value, str) and value.strip())


def compile_required_text(rule: Rule, layout: Layout) -> list[Check]:
    checks = []
    for target in rule.raw["targets"]:
        pointers = tuple(target["pointers"])
        section = tuple(target.get("section", ()))

        def run(ctx: Context, pointers=pointers, section=section, target=target) -> Iterator[Finding]:
            if any(ctx.is_bad(p) for p in pointers):
                raise NotEvaluated(pointers[0])
            if section and all(_blank(ctx, p) for p in section):
                return  # the whole section is missing: D.section_missing says so once
            if all(_blank(ctx, p) for p in pointers):
                advice = target.get("advice", "")
                yield rule.finding(
                    {"label": target["label"], "advice": f"：{advice}" if advice else ""},
                    (location(layout, pointers[0]),),
                    expected="非空文字",
                    actual="",
                    involved=pointers,
                )

        checks.append(Check(rule, f"{rule.id}（{target['label']}）", pointers, run))
    return checks


def _year(ctx: Context) -> int:
    year = ctx.value("/year")
    if not is_year(year) or ctx.is_bad("/year"):
        raise NotEvaluated("/year")
    return year


def _date(ctx: Context, pointer: str) -> dt.date | None:
    value = ctx.value(pointer)
    if value is None or value == "" or not value:
        return None
    if ctx.is_bad(pointer) or not isinstance(value, str):
        raise NotEvaluated(pointer)
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise NotEvaluated(pointer) from exc


def compile_format_year(rule: Rule, layout: Layout) -> list[Check]:
    """The revision a report must use is the registry's for its year (:mod:`report_kit.formats`):
    an error when that is the current revision, a warning for a superseded one."""
    from report_kit import formats

    severities = rule.raw["severities"]
    labels = layout.enums["format"]
    schedule = format_schedule(rule)

    def run(ctx: Context) -> Iterator[Finding]:
        year = _year(ctx)
        actual = ctx.value("/format")
        if ctx.is_bad("/format") or actual not in labels:
            raise NotEvaluated("/format")
        due = formats.revision_for_year(year)
        if due is None:
            return
        expected = due.id
        severity = severities["current" if due == formats.current() else "superseded"]
        if actual != expected:
            yield rule.finding(
                {
                    "year": year,
                    "expected_label": labels[expected],
                    "actual_label": labels[actual],
                    "schedule": schedule,
                },
                (location(layout, "/format"),),
                expected=expected,
                actual=actual,
                severity=severity,
                involved=("/format", "/year"),
            )

    return [Check(rule, rule.id, ("/format", "/year"), run)]


def format_schedule(rule: Rule) -> str:
    """「…60号规定的格式适用于2019至2020年度的报告；…30号规定的格式适用于2021年度及以后的报告」,
    from the registry and the rule's sentence templates."""
    from report_kit import formats
    from report_kit.catalogue import render

    templates = rule.raw["templates"]
    items = []
    for revision in formats.revisions():
        later = formats.successor(revision)
        if later is None:
            years = render(templates["years_open"], {"from_year": revision.from_year})
        else:
            years = render(
                templates["years_closed"], {"from_year": revision.from_year, "to_year": later.from_year - 1}
            )
        items.append(render(templates["schedule_item"], {"notice": revision.notice, "years": years}))
    return templates["separator"].join(items)


def deadline_for(rule: Rule, submission_scope: str, submission_kind: str, year: int):
    """The statutory publication deadline of a report, or None where no national one exists."""
    for entry in rule.raw["deadlines"]:
        if "scope" in entry and submission_scope not in entry["scope"]:
            continue
        if "kind" in entry and submission_kind not in entry["kind"]:
            continue
        if entry.get("none"):
            return None, None
        return dt.date(year + 1, entry["month"], entry["day"]), entry
    return None, None


def compile_deadline(rule: Rule, layout: Layout) -> list[Check]:
    involved = ("/published_on", "/year", "/scope", "/unit/kind")

    def run(ctx: Context) -> Iterator[Finding]:
        published = _date(ctx, "/published_on")
        if published is None:
            return
        year = _year(ctx)
        deadline, entry = deadline_for(rule, ctx.value("/scope"), ctx.value("/unit/kind"), year)
        kind = rule.raw["statutory_deadline"]
        text = f"次年{entry['month']}月{entry['day']}日" if entry else ""
        # a batch's (local) deadline applies where the law sets none and can only be earlier
        if ctx.deadline is not None and (deadline is None or ctx.deadline < deadline):
            deadline, kind = ctx.deadline, rule.raw["local_deadline"]
            entry = {"label": kind["label"]}
            text = f"{deadline.year}年{deadline.month}月{deadline.day}日"
        if deadline is None or published <= deadline:
            return
        yield rule.finding(
            {
                "published_on": published.isoformat(),
                "deadline": deadline.isoformat(),
                "deadline_name": kind["name"],
                "deadline_label": entry["label"],
                "deadline_text": text,
                "deadline_basis": kind["basis"],
                "days": (published - deadline).days,
            },
            (location(layout, "/published_on"),),
            expected=f"不晚于{deadline.isoformat()}",
            actual=published.isoformat(),
            difference=(published - deadline).days,
            involved=involved,
        )

    return [Check(rule, rule.id, involved, run)]


def compile_published_early(rule: Rule, layout: Layout) -> list[Check]:
    def run(ctx: Context) -> Iterator[Finding]:
        published = _date(ctx, "/published_on")
        if published is None:
            return
        year = _year(ctx)
        if published <= dt.date(year, 12, 31):
            yield rule.finding(
                {"published_on": published.isoformat(), "year": year},
                (location(layout, "/published_on"),),
                expected=f"晚于{year}-12-31",
                actual=published.isoformat(),
                involved=("/published_on", "/year"),
            )

    return [Check(rule, rule.id, ("/published_on", "/year"), run)]


def compile_future_year(rule: Rule, layout: Layout) -> list[Check]:
    def run(ctx: Context) -> Iterator[Finding]:
        year = _year(ctx)
        if year >= ctx.today.year:
            yield rule.finding(
                {"year": year, "today": ctx.today.isoformat()},
                (location(layout, "/year"),),
                expected=f"早于{ctx.today.year}",
                actual=year,
                involved=("/year",),
            )

    return [Check(rule, rule.id, ("/year",), run)]


def compile_credit_code(rule: Rule, layout: Layout) -> list[Check]:
    def run(ctx: Context) -> Iterator[Finding]:
        code = ctx.value("/unit/code")
        if not isinstance(code, str) or not code.strip():
            return
        reason = credit_code.problem(code)
        if reason:
            yield rule.finding(
                {"code": code, "reason": reason},
                (location(layout, "/unit/code"),),
                expected="符合GB 32100-2015的18位代码",
                actual=code,
                involved=("/unit/code",),
            )

    return [Check(rule, rule.id, ("/unit/code",), run)]
