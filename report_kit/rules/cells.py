"""Checks on single cells that are not relations between cells (e.g. 10元 granularity)."""

from __future__ import annotations

from collections.abc import Iterator

from report_kit.catalogue import Rule
from report_kit.findings import Finding
from report_kit.layout import Layout
from report_kit.rules.base import Check, NotEvaluated, format_number, location, plain
from report_kit.rules.context import Context


def compile_multiple_of(rule: Rule, layout: Layout) -> list[Check]:
    divisor = rule.raw["divisor"]
    checks = []
    for pointer in rule.raw["cells"]:

        def run(ctx: Context, pointer: str = pointer) -> Iterator[Finding]:
            value = ctx.numbers.get(pointer)
            if value is None:
                raise NotEvaluated(pointer)
            remainder = value % divisor
            if min(remainder, divisor - remainder) > 1e-6:
                yield rule.finding(
                    {"label": layout.label(pointer), "actual": format_number(plain(value))},
                    (location(layout, pointer),),
                    expected=f"{divisor}的整数倍",
                    actual=plain(value),
                    involved=(pointer,),
                )

        checks.append(Check(rule, f"{rule.id}（{layout.label(pointer)}）", (pointer,), run))
    return checks
