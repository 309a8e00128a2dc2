"""What a fill-in workbook is pre-filled with, and the notes its cells carry.

Separate from the drawing (:mod:`report_kit.writers.template_xlsx`): the values come from a
full submission, from last year's report (上年结转 from last year's 结转下年度) or from
command-line options, and each total cell gets a note saying what it must equal, derived
from the rule catalogue's sum identities.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from report_kit import formats
from report_kit.catalogue import load_catalogue
from report_kit.formats import revision_of
from report_kit.layout import Layout, load_layout
from report_kit.rules.context import MISSING, resolve
from report_kit.rules.history import relation_cells
from report_kit.workbook_map import TEMPLATE_VERSION, workbook_map
from report_kit.years import is_year

PREVIOUS_NOTE = "已按上年报告结转下年度数预填"


def total_hints(layout: Layout) -> dict[str, str]:
    """What each total cell must equal, from the catalogue's sum identities.

    A rule qualifies when it says ``cell == sum(collection)`` unconditionally; the hint names
    the summed rows or columns with their official short labels. The concrete cells come from
    :func:`report_kit.rules.linear.expand`, the validator's own expansion.
    """
    from report_kit.rules.linear import expand

    hints: dict[str, list[str]] = {}
    for rule in load_catalogue(layout.format).of_kind("linear"):
        raw = rule.raw
        left, right = raw["left"], raw["right"]
        if raw["op"] != "==" or "when" in raw or len(left) != 1 or "cell" not in left[0] or "sum" in left[0]:
            continue
        if len(right) != 1 or "sum" not in right[0]:
            continue
        spec = right[0]
        for relation in expand(rule, layout):
            target = relation.left[0].pointer
            cells = [layout.cells[term.pointer] for term in relation.right]
            same_row = len({c.row.path for c in cells}) == 1
            if same_row:
                where = "本组" if layout.tables[cells[0].table].raw["drawing"] == "reviews" else "本行"
                parts = [c.column.short_label for c in cells]
            else:
                where = "本列"
                parts = [c.row.short_label for c in cells]
            if len(parts) <= 6:
                text = f"应等于{where}{'、'.join(parts)}之和"
            else:
                text = f"应等于{where}{spec.get('label') or parts[0] + '至' + parts[-1] + '之和'}"
            hints.setdefault(target, []).append(text)
    return {pointer: "；".join(texts) + "。" for pointer, texts in hints.items()}


def template_values(
    submission: dict | None = None,
    *,
    unit: str | None = None,
    kind: str | None = None,
    level: str | None = None,
    year: int | None = None,
    scope: str | None = None,
    region: str | None = None,
    code: str | None = None,
    previous: dict | None = None,
    format_revision: str | None = None,
    work_plan: str | None = None,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Pointer → value to pre-fill, and pointer → cell notes, for one workbook.

    A full ``submission`` fills everything; otherwise last year's report (``previous``) fills
    what is known: the unit, the year after last year's, and 上年结转 from last year's
    结转下年度 (each pre-filled cell says so in its note). Explicit options win over both.
    """
    format_revision = format_revision or template_revision(submission, year=year, previous=previous)
    wmap = workbook_map(TEMPLATE_VERSION, format_revision)
    layout = load_layout(format_revision)
    values: dict[str, Any] = {}
    notes: dict[str, list[str]] = {p: [h] for p, h in total_hints(layout).items()}
    if submission is not None:
        for pointer in wmap.slots:
            value = resolve(submission, pointer)
            if value is not MISSING:
                values[pointer] = value
    elif previous:
        _from_previous(previous, layout, values, notes)
    given = {
        "/unit/name": unit,
        "/unit/kind": kind,
        "/unit/level": level,
        "/unit/region": region,
        "/unit/code": code,
        "/year": year,
        "/scope": scope,
    }
    values.update({pointer: value for pointer, value in given.items() if value is not None})
    if work_plan and not values.get("/text/other/work_plan"):  # template --plan: the unit's tasks
        values["/text/other/work_plan"] = work_plan
    if submission is None:
        if "/scope" not in values and values.get("/unit/kind"):
            values["/scope"] = "government" if values["/unit/kind"] == "government" else "agency"
        values.setdefault("/year", default_year())
        values["/format"] = format_revision
    return values, notes


def default_year() -> int:
    """A template is usually wanted for the report being prepared: last year's."""
    return dt.date.today().year - 1


def template_revision(
    submission: dict | None = None, *, year: int | None = None, previous: dict | None = None
) -> str:
    """The revision a workbook is drawn in: a full submission's own; otherwise the registry's
    revision for the template's year (``year``, last year's report + 1, or last year), or the
    current revision when that year's revision has no template (reports before the first
    template revision are entered in the current tables, as before)."""
    if submission is not None:
        return revision_of(submission)
    if year is None and previous is not None and is_year(resolve(previous, "/year")):
        year = resolve(previous, "/year") + 1
    due = formats.revision_for_year(year if year is not None else default_year())
    if due is not None and due.template:
        return due.id
    offered = formats.template_revisions()
    return formats.current().id if formats.current().template else offered[-1].id


def _from_previous(previous: dict, layout: Layout, values: dict, notes: dict[str, list[str]]) -> None:
    for pointer in ("/unit/name", "/unit/kind", "/unit/level", "/unit/region", "/unit/code", "/scope"):
        value = resolve(previous, pointer)
        if isinstance(value, str) and value:
            values[pointer] = value
    last_year = resolve(previous, "/year")
    if is_year(last_year):
        values["/year"] = last_year + 1
    for cells in relation_cells("H.carry_over", layout):
        value = resolve(previous, cells["last_year"])
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            target = cells["this_year"]
            values[target] = value
            notes.setdefault(target, []).insert(0, PREVIOUS_NOTE)
