"""The registry of national format revisions (``schemas/formats.json``): which ones exist,
from which report year each applies, and which one a submission is judged by.

The national format has changed twice (the 2019 trial format, then the 2021 one) and will
change again. Every "current revision" default, every "which layout for this submission" and
every "wrong revision for this year" decision asks this module, so that a new revision is a
data drop: ``layout-<id>.json`` and ``rules-<id>.json`` next to the others, one entry in the
registry, and ``python -m report_kit.schema_build``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from report_kit.settings import SCHEMA_DIR
from report_kit.years import as_year


@dataclass(frozen=True)
class Revision:
    id: str
    from_year: int
    notice: str  # the State Council office's notice that issued it, e.g. 国办公开办函〔…〕…号
    title: str
    label: str  # how the revision is named to users (drop-downs, messages)
    short: str
    template: bool  # report-kit template writes fill-in workbooks for it


@cache
def revisions() -> tuple[Revision, ...]:
    """Every known revision, oldest first."""
    with open(Path(SCHEMA_DIR) / "formats.json", encoding="utf-8") as handle:
        raw = json.load(handle)
    entries = [
        Revision(
            id=str(entry["id"]),
            from_year=int(entry["from_year"]),
            notice=entry["notice"],
            title=entry["title"],
            label=entry.get("label") or f"{entry['id']}（{entry['notice']}）",
            short=entry.get("short") or str(entry["id"]),
            template=bool(entry.get("template", True)),
        )
        for entry in raw["formats"]
    ]
    return tuple(sorted(entries, key=lambda r: r.from_year))


def ids() -> tuple[str, ...]:
    """Revision ids, newest first (the order users see them offered in)."""
    return tuple(r.id for r in reversed(revisions()))


def revision(revision_id: Any) -> Revision | None:
    """The revision named ``revision_id`` (``2021`` written as a number is accepted), or None."""
    if isinstance(revision_id, bool) or not isinstance(revision_id, (str, int)):
        return None
    wanted = str(revision_id).strip()
    return next((r for r in revisions() if r.id == wanted), None)


def current() -> Revision:
    """The revision in force now: the greatest ``from_year``."""
    return revisions()[-1]


def revision_for_year(year: Any) -> Revision | None:
    """The revision a report of ``year`` must use: greatest ``from_year`` ≤ year; None before the first."""
    year = as_year(year)
    if year is None:
        return None
    applicable = [r for r in revisions() if r.from_year <= year]
    return applicable[-1] if applicable else None


def revision_of(submission: Any) -> str:
    """The id of the layout a submission is judged by: the revision it declares when that is a
    known one, else the current revision (whose schema then reports the bad ``format``)."""
    declared = submission.get("format") if isinstance(submission, dict) else None
    found = revision(declared)
    return found.id if found else current().id


def successor(rev: Revision) -> Revision | None:
    """The revision that superseded ``rev``, if any."""
    later = [r for r in revisions() if r.from_year > rev.from_year]
    return later[0] if later else None


def template_revisions() -> tuple[Revision, ...]:
    return tuple(r for r in revisions() if r.template)


__all__ = [
    "Revision",
    "current",
    "ids",
    "revision",
    "revision_for_year",
    "revision_of",
    "revisions",
    "successor",
    "template_revisions",
]
