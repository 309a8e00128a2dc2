"""Fill-in workbooks pre-filled from the archive: one unit (``template --archive --unit``) or
every unit of a roster (``template --archive --roster -o DIR``).

What last year's report gives (``writers.template_xlsx.template_values(previous=...)``): the
unit's data (name, kind, level, region, code, scope), the report year (last year + 1) and
表三 二、上年结转 from last year's 四、结转下年度继续办理. Without ``--year`` the template is for
the year after the unit's latest archived report; with ``--year`` last year's report must be
of ``year - 1``, or only the unit's data (from its latest older report) is filled.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from report_kit.archive.store import Archive, Stored
from report_kit.years import is_year


@dataclass(frozen=True)
class Baseline:
    """What the archive knows for one template: last year's report, or only an older one."""

    previous: dict | None  # the report of year - 1: fills unit data and 上年结转
    older: dict | None  # the latest report before year - 1: fills unit data only
    year: int | None  # the template's report year (None: the writer's default)
    # last year's report exists only in versions with errors: it is used (nothing better is
    # archived) and the user is told to check the pre-filled figures
    erroneous: Stored | None = None


def baseline(store: Archive, unit: str, code: str | None = None, year: int | None = None) -> Baseline:
    identity = {"name": unit, "code": code} if code else {"name": unit}
    if year is None:
        latest = store.latest_reference(identity)
        if latest is None or not is_year(latest.submission.get("year")):
            return Baseline(None, None, None)
        year = latest.submission["year"] + 1
    previous = store.reference_for(identity, year - 1)
    if previous is not None:
        return Baseline(previous.submission, None, year, erroneous=None if previous.clean else previous)
    return Baseline(None, store.latest_for(identity, before=year), year)


def unit_options(report: dict | None) -> dict[str, str]:
    """The unit data of an older report, as ``write_workbook`` options."""
    unit = (report or {}).get("unit")
    unit = unit if isinstance(unit, dict) else {}
    options = {
        key: unit[key] for key in ("kind", "level", "region", "code") if isinstance(unit.get(key), str)
    }
    if isinstance((report or {}).get("scope"), str):
        options["scope"] = report["scope"]
    return {key: value for key, value in options.items() if value}


def looks_like_code(text: str) -> bool:
    """18 ASCII letters and digits: a 统一社会信用代码 given where a unit name was expected."""
    text = text.strip()
    return len(text) == 18 and text.isascii() and text.isalnum()


def unit_identity(unit: str | None, options: dict) -> tuple[str | None, dict]:
    """(name, options) with ``--unit`` moved to ``code`` when it is the unit's credit code."""
    options = dict(options)
    if unit and looks_like_code(unit) and options.get("code", unit).strip().upper() == unit.strip().upper():
        return None, {**options, "code": unit.strip().upper()}
    return unit, options


def write_unit_template(output: str | os.PathLike, found: Baseline, unit: str | None, options: dict) -> None:
    """One unit's workbook from what the archive knows (``found``); explicit ``options`` win."""
    from report_kit.writers.template_xlsx import write_workbook

    given = {**unit_options(found.older), **options}
    if not unit and found.previous is None and found.older is not None:  # by code, only an older report
        older_unit = found.older.get("unit") if isinstance(found.older.get("unit"), dict) else {}
        unit = older_unit.get("name") if isinstance(older_unit.get("name"), str) else None
    write_workbook(output, None, unit=unit, year=found.year, previous=found.previous, **given)


def roster_kind(kind: str) -> str | None:
    """A roster's 单位类型 cell (key or Chinese label) as a kind key, or None."""
    from report_kit.layout import load_layout

    choices = load_layout().enums["kind"]
    text = (kind or "").strip()
    if text in choices:
        return text
    return next((key for key, label in choices.items() if label == text), None)


def template_name(unit: str, year: int | None) -> str:
    from report_kit.batch.names import sanitise

    return f"{sanitise(unit)}-{year}年度填报模板.xlsx" if year else f"{sanitise(unit)}-填报模板.xlsx"


class ExistingTemplates(Exception):
    """Workbooks of the roster that already exist in the folder (possibly filled in by now)."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__(", ".join(str(p) for p in paths))
        self.paths = paths


def write_roster_templates(
    store: Archive | None,
    roster,  # list[report_kit.batch.roster.RosterUnit]
    directory: str | os.PathLike,
    *,
    year: int | None = None,
    options: dict | None = None,
    force: bool = False,
    plan=None,
) -> list[tuple[str, Path, bool]]:
    """One personalised workbook per roster unit in ``directory``: (unit, path, pre-filled from
    last year). Without ``year``, the year is the one after the latest year archived for any
    roster unit (the round being prepared), so every workbook of a roster is for one year.

    Every path is planned before anything is written: when one of them exists (a workbook sent
    out last week may be back, filled in) nothing is written unless ``force``."""
    from report_kit.batch.names import UniqueNames
    from report_kit.writers.template_xlsx import write_workbook

    directory = Path(directory)
    if year is None and store is not None:
        years = [b.year for u in roster if (b := baseline(store, u.name, u.code or None)).year is not None]
        year = max(years) if years else None
    if year is None:  # as a single template: last year's report (the file name says which)
        import datetime as dt

        year = dt.date.today().year - 1
    names = UniqueNames()
    planned = []
    for unit in roster:
        if store is not None:
            found = baseline(store, unit.name, unit.code or None, year)
        else:
            found = Baseline(None, None, year)
        given = {**unit_options(found.older), **(options or {})}
        kind = roster_kind(unit.kind)
        if kind:
            given["kind"] = kind
        if unit.code:
            given["code"] = unit.code
        if plan is not None:  # template --plan: the unit's tasks of the work plan, to answer
            from report_kit.plan.prompt import work_plan_prompt

            given["work_plan"] = work_plan_prompt(plan, unit.name, kind)
        stem = names.take(template_name(unit.name, found.year or year).removesuffix(".xlsx"))
        planned.append((unit, directory / f"{stem}.xlsx", found, given))
    existing = [path for _, path, _, _ in planned if path.is_file() or path.is_symlink()]
    if existing and not force:
        raise ExistingTemplates(existing)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for unit, path, found, given in planned:
        write_workbook(path, None, unit=unit.name, year=found.year or year, previous=found.previous, **given)
        written.append((unit.name, path, found.previous is not None))
    return written
