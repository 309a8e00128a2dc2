"""One evaluator for every arithmetic rule: linear (in)equalities over named cells.

A rule in the catalogue names its terms by pointer templates (``/applications/{row}/{col}``),
expands over collections of the layout (``for_each``, ``sum``), and may carry a ``when``
condition. Compilation happens once; evaluation is a few additions per instance.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from report_kit.catalogue import Rule
from report_kit.findings import Finding
from report_kit.layout import Layout
from report_kit.rules.base import Check, NotEvaluated, format_number, location, plain
from report_kit.rules.context import Context

TOLERANCE = 1e-6

_COMPARE = {
    "==": lambda a, b: abs(a - b) <= TOLERANCE,
    ">=": lambda a, b: a >= b - TOLERANCE,
    "<=": lambda a, b: a <= b + TOLERANCE,
}


@dataclass(frozen=True)
class Term:
    pointer: str | None
    coef: int = 1
    const: float = 0
    label: str = ""


@dataclass(frozen=True)
class Relation:
    left: tuple[Term, ...]
    op: str
    right: tuple[Term, ...]

    @property
    def pointers(self) -> tuple[str, ...]:
        return tuple(t.pointer for t in self.left + self.right if t.pointer)


def _substitute(template: str, binding: dict[str, str]) -> str:
    for name, value in binding.items():
        template = template.replace("{" + name + "}", value)
    return template


def _expand_terms(specs: list[dict], binding: dict[str, str], layout: Layout) -> list[Term]:
    terms: list[Term] = []
    for spec in specs:
        coef = int(spec.get("coef", 1))
        if "const" in spec:
            terms.append(Term(None, coef, float(spec["const"]), format_number(spec["const"])))
        elif "sum" in spec:
            for item in layout.collections[spec["sum"]]:
                pointer = _substitute(spec["cell"], {**binding, spec["as"]: item})
                terms.append(Term(pointer, coef))
        else:
            terms.append(Term(_substitute(spec["cell"], binding), coef))
    return _label_terms(terms, layout)


def _label_terms(terms: list[Term], layout: Layout) -> list[Term]:
    """Short labels: column names when the terms share a row, row names when they share a column."""
    cells = [layout.cells.get(t.pointer) for t in terms if t.pointer]
    same_row = len({(c.table, c.row.path) for c in cells if c}) <= 1
    labelled = []
    for term in terms:
        if term.pointer is None or term.label:
            labelled.append(term)
            continue
        cell = layout.cells.get(term.pointer)
        if cell is None:
            label = layout.label(term.pointer)
        elif same_row and len(cells) > 1:
            label = cell.column.short_label
        elif same_row:
            label = (
                cell.row.short_label
                if layout.tables[cell.table].raw.get("drawing") == "applicants"
                else cell.label
            )
        else:
            label = cell.row.short_label
        labelled.append(Term(term.pointer, term.coef, term.const, label))
    return labelled


def _bindings(for_each: dict[str, str] | None, layout: Layout) -> Iterator[dict[str, str]]:
    if not for_each:
        yield {}
        return
    names = list(for_each)
    for values in itertools.product(*(layout.collections[for_each[n]] for n in names)):
        yield dict(zip(names, values))


def _relation(spec: dict, binding: dict[str, str], layout: Layout) -> Relation:
    return Relation(
        tuple(_expand_terms(spec["left"], binding, layout)),
        spec["op"],
        tuple(_expand_terms(spec["right"], binding, layout)),
    )


def expand(rule: Rule, layout: Layout) -> list[Relation]:
    """The concrete relations of a linear rule, one per ``for_each`` binding, over real cells.

    Consumers that reason about the identities as a system (error localisation in
    :mod:`report_kit.repairs`) read them here instead of restating any sum. A ``when``
    clause is not part of the relation; callers decide what a guarded rule means to them.
    """
    return [_relation(rule.raw, binding, layout) for binding in _bindings(rule.raw.get("for_each"), layout)]


def _side(terms: tuple[Term, ...], ctx: Context) -> tuple[float, list[tuple[Term, float]]]:
    total = 0.0
    parts = []
    for term in terms:
        if term.pointer is None:
            value = term.const
        else:
            value = ctx.numbers.get(term.pointer)
            if value is None:
                raise NotEvaluated(term.pointer)
        total += term.coef * value
        parts.append((term, value))
    return total, parts


def _expression(parts: list[tuple[Term, float]], total: float) -> str:
    text = ""
    for index, (term, value) in enumerate(parts):
        sign = "−" if term.coef < 0 else ("+" if index else "")
        shown = format_number(value) if term.pointer else ""
        text += f"{sign}{term.label}({shown})" if term.pointer else f"{sign}{term.label}"
    if len(parts) > 1:
        text += f"={format_number(plain(total))}"
    return text


def holds(relation: Relation, ctx: Context) -> tuple[bool, float, float, list, list]:
    left, left_parts = _side(relation.left, ctx)
    right, right_parts = _side(relation.right, ctx)
    return _COMPARE[relation.op](left, right), left, right, left_parts, right_parts


def _condition(spec: dict | None, binding: dict[str, str], layout: Layout):
    """Compile a ``when`` clause into (pointers it reads, predicate)."""
    if not spec:
        return (), None
    if "linear" in spec:
        relation = _relation(spec["linear"], binding, layout)

        def linear_condition(ctx: Context) -> bool:
            return holds(relation, ctx)[0]

        return relation.pointers, linear_condition
    if "not_matching" in spec:
        patterns: list[dict[str, list[str]]] = spec["not_matching"]
        pointers = tuple(sorted({p for pattern in patterns for p in pattern}))

        def not_matching(ctx: Context) -> bool:
            for pointer in pointers:
                value = ctx.value(pointer)
                if not isinstance(value, str) or ctx.is_bad(pointer):
                    raise NotEvaluated(pointer)
            return not any(
                all(ctx.value(p) in allowed for p, allowed in pattern.items()) for pattern in patterns
            )

        return pointers, not_matching
    raise ValueError(f"unknown condition {spec}")


def compile_rule(rule: Rule, layout: Layout) -> list[Check]:
    spec = rule.raw
    checks = []
    for binding in _bindings(spec.get("for_each"), layout):
        relation = _relation(spec, binding, layout)
        when_pointers, when = _condition(spec.get("when"), binding, layout)
        locate = tuple(_substitute(p, binding) for p in spec.get("locate", relation.pointers[:1]))
        anchor = layout.cells.get(locate[0]) if locate else None
        static_values = {
            "col_label": anchor.column.label if anchor else "",
            "row_label": anchor.row.label if anchor else "",
        }
        suffix = "，".join(
            static_values[key] for key, var in (("row_label", "row"), ("col_label", "col")) if var in binding
        )
        name = f"{rule.id}（{suffix}）" if suffix else rule.id
        checks.append(
            Check(
                rule=rule,
                name=name,
                involved=tuple(dict.fromkeys(relation.pointers + when_pointers)),
                run=_runner(rule, relation, when, locate, static_values, layout, when_pointers),
                anchor=locate[0] if locate else "",
            )
        )
    return checks


def _runner(rule, relation, when, locate, static_values, layout, when_pointers):
    expected_side = rule.raw.get("expected", "right")
    involved = tuple(dict.fromkeys(relation.pointers + when_pointers))

    def run(ctx: Context) -> Iterator[Finding]:
        if when is not None and not when(ctx):
            return
        ok, left, right, left_parts, right_parts = holds(relation, ctx)
        if ok:
            return
        if relation.op == ">=":
            diff = right - left
        elif relation.op == "<=":
            diff = left - right
        else:
            diff = abs(left - right)
        enums = layout.enums
        values = {
            **static_values,
            "left": format_number(plain(left)),
            "right": format_number(plain(right)),
            "left_expr": _expression(left_parts, left),
            "right_expr": _expression(right_parts, right),
            "diff": format_number(plain(diff)),
            "unit_kind": enums["kind"].get(str(ctx.value("/unit/kind")), ""),
            "unit_level": enums["level"].get(str(ctx.value("/unit/level")), ""),
        }
        expected, actual = (left, right) if expected_side == "left" else (right, left)
        yield rule.finding(
            values,
            tuple(location(layout, p) for p in locate),
            expected=plain(expected),
            actual=plain(actual),
            difference=plain(diff),
            involved=involved,
        )

    return run
