"""The batch's year-over-year step: cross-year checks, last year's figures, and archiving.

``report-kit batch --previous DIR|FILE --archive DB`` hands a :class:`YearOverYear` to
``run_batch`` (its ``after_validation`` hook). For every readable submission it

1. finds last year's report of the same unit (``--previous``, then the archive) and adds the
   cross-year findings (``H.*``, rules.md §6) to the entry, with sheet and cell for workbooks;
2. records last year's key figures and the change beside this year's (``entry["previous"]``,
   shown as extra columns in 审核结果.xlsx and index.html), and adds an ``H.change`` 提示
   when 本年新收 or 办理结果总计 changed by more than ``change_factor`` either way;
3. with ``--archive``, stores the submission with all its findings as a new version.

The batch kept no submissions (memory stays flat), so each readable file is read once more
here. Entries are processed oldest year first, so a batch holding two consecutive years of
a unit compares the later with the earlier one just archived.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from report_kit.batch.clean import clean
from report_kit.catalogue import load_catalogue
from report_kit.rules.context import resolve
from report_kit.years import as_year, is_year

CHANGE_FACTOR = 2.0
# (key, Chinese label, pointer): the figures compared for H.change and shown as columns.


def change_figures() -> list[tuple[str, str, str]]:
    """(key, Chinese title, pointer) of the layout's key figures marked ``compare``."""
    from report_kit.layout import load_layout

    return [(f.key, f.title, f.cells[0]) for f in load_layout().key_figures if f.compare]


def _count(submission: dict | None, pointer: str) -> int | float | None:
    value = resolve(submission, pointer) if isinstance(submission, dict) else None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else None


def changed_by_more_than(current: float, previous: float, factor: float) -> bool:
    """Whether one figure is more than ``factor`` times the other (0 counts as 1, so 0 → 3
    with factor 2 is a change and 0 → 1 is not)."""
    low, high = sorted((current, previous))
    return high > factor * max(low, 1)


def format_factor(factor: float) -> str:
    return str(int(factor)) if float(factor).is_integer() else f"{factor:g}"


def year_over_year(current: dict, previous: dict | None, factor: float = CHANGE_FACTOR) -> dict[str, Any]:
    """Last year's figures beside this year's: ``{"previous_year", "<key>", "previous_<key>",
    "<key>_change"}`` (None where a side is missing), plus ``flags`` (keys that changed a lot)."""
    data: dict[str, Any] = {"previous_year": previous.get("year") if isinstance(previous, dict) else None}
    flags = []
    for key, _label, pointer in change_figures():
        now, before = _count(current, pointer), _count(previous, pointer)
        data[key] = now
        data[f"previous_{key}"] = before
        data[f"{key}_change"] = now - before if now is not None and before is not None else None
        if now is not None and before is not None and changed_by_more_than(now, before, factor):
            flags.append(key)
    data["flags"] = flags
    return data


def change_findings(current: dict, yoy: dict[str, Any], factor: float) -> list:
    rule = load_catalogue()["H.change"]
    findings = []
    for key, label, pointer in change_figures():
        if key not in yoy["flags"]:
            continue
        from report_kit.layout import load_layout
        from report_kit.rules.base import location

        findings.append(
            rule.finding(
                {
                    "figure": label,
                    "year": current.get("year"),
                    "previous_year": yoy["previous_year"],
                    "actual": yoy[key],
                    "expected": yoy[f"previous_{key}"],
                    "factor": format_factor(factor),
                },
                (location(load_layout(), pointer),),
                expected=yoy[f"previous_{key}"],
                actual=yoy[key],
                difference=yoy[f"{key}_change"],
                involved=(pointer,),
            )
        )
    return findings


class YearOverYear:
    """The ``after_validation`` hook of ``run_batch`` for ``--previous``/``--archive``."""

    def __init__(
        self,
        directory: str | os.PathLike,
        source,  # report_kit.previous.PreviousSource (archive opened with create=True to add)
        *,
        add: bool = False,
        change_factor: float = CHANGE_FACTOR,
    ) -> None:
        self.root = Path(directory).resolve()
        self.source = source
        self.add = add
        self.change_factor = change_factor
        self.messages: list[str] = []
        self.archived = 0
        self.unchanged = 0
        self.failed = 0

    def __call__(self, entries: list[dict], paths: dict[str, str] | None = None) -> None:
        def order(i: int):
            year = entries[i].get("year")
            return (as_year(year) or 0, i)

        for i in sorted(range(len(entries)), key=order):
            entry = entries[i]
            if entry.get("readable"):
                path = (paths or {}).get(entry["file"]) or self.root / entry["file"]
                self._one(entry, Path(path))

    def _one(self, entry: dict, path: Path) -> None:
        from report_kit.findings import Finding
        from report_kit.formats import revision_of
        from report_kit.layout import load_layout
        from report_kit.readers import read_submission
        from report_kit.validator import attach_cells

        try:
            result = read_submission(path)
        except Exception:  # the worker read it once; a file changed meanwhile is not fatal
            return
        submission = result.submission
        if not isinstance(submission, dict):
            return
        year = submission.get("year")
        if not is_year(year):
            if self.add:  # not comparable, but still archived (add_submission refuses it clearly)
                self._archive(entry, submission, path)
            return
        try:
            previous = self.source.find(submission)
            findings: list[Finding] = list(
                self.source.compare(submission, previous, load_layout(revision_of(submission)))
            )
            if previous is not None and previous.get("year") == year - 1:
                yoy = year_over_year(submission, previous, self.change_factor)
                findings.extend(change_findings(submission, yoy, self.change_factor))
            else:
                yoy = year_over_year(submission, None, self.change_factor)
        except Exception as exc:  # a crash here must not stop the batch
            findings = [load_catalogue()["F.internal"].finding({"rule": "跨年度核对", "reason": str(exc)})]
            yoy = year_over_year(submission, None, self.change_factor)
        if result.source_map:
            findings = [attach_cells(f, result.source_map) for f in findings]
        # added after the worker cleaned the entry: names quoted from the report are cleaned here
        entry["findings"].extend(clean([f.to_dict() for f in findings]))
        entry["previous"] = clean(yoy)
        if self.add:
            self._archive(entry, submission, path)

    def _archive(self, entry: dict, submission: dict, path: Path) -> None:
        from report_kit.archive import ArchiveError

        try:
            added = self.source.archive.add_submission(submission, entry["findings"], path)
        except (ArchiveError, sqlite3.Error, OSError) as exc:
            self.failed += 1
            if isinstance(exc, ArchiveError):
                reason = str(exc)
            else:
                from report_kit.archive.db import database_reason
                from report_kit.os_errors import os_reason

                why = os_reason(exc) if isinstance(exc, OSError) else f"年报库{database_reason(exc)}"
                reason = f"“{entry['file']}”未能入库（{why}）。"
            self.messages.append(reason)
            return
        if added.added:
            self.archived += 1
        else:
            self.unchanged += 1
        entry["archived_version"] = added.version

    def summary(self) -> str:
        parts = [f"新入库 {self.archived} 份"]
        if self.unchanged:
            parts.append(f"与已入库版本相同 {self.unchanged} 份")
        if self.failed:
            parts.append(f"未能入库 {self.failed} 份")
        return f"年报库：{'，'.join(parts)}。"
