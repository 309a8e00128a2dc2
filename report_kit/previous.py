"""Finding last year's report of a unit, for the cross-year checks of ``check``.

Sources, tried in order: ``--previous FILE`` (that file is last year's report), ``--previous
DIR`` (the folder is searched for the same unit's report of the year before: by 统一社会信用代码
when both reports carry one, else by normalised name), and ``--archive DB`` (the current
version archived for the unit, aliases of renamed units included). A folder is read once
per run, however many files are checked.
"""

from __future__ import annotations

import os
from pathlib import Path

from report_kit.catalogue import load_catalogue
from report_kit.findings import Finding
from report_kit.layout import Layout
from report_kit.rules.history import cross_year_findings

REPORT_SUFFIXES = {".json", ".yaml", ".yml", ".xlsx"}


class PreviousSource:
    """Where ``check`` looks for last year's reports; built once per run."""

    def __init__(self, previous: str | os.PathLike | None = None, archive: str | os.PathLike | None = None):
        self.previous = Path(previous) if previous is not None else None
        self.archive_path = archive
        self._folder: list[dict] | None = None
        self._archive = None

    def open(self) -> PreviousSource:
        """Open the archive now, so a missing or foreign archive is a usage error before any check."""
        if self.archive_path is not None and self._archive is None:
            from report_kit.archive import Archive

            self._archive = Archive(self.archive_path, create=False)
        return self

    def describe(self) -> str:
        parts = []
        if self.previous is not None:
            parts.append(f"已查找{self.previous}")
        if self.archive_path is not None:
            parts.append(f"已查找年报库{self.archive_path}")
        return "，".join(parts)

    def _folder_reports(self) -> list[dict]:
        if self._folder is None:
            from report_kit.readers import read_submission

            self._folder = []
            for path in sorted(self.previous.rglob("*")):
                if (
                    path.is_file()
                    and path.suffix.lower() in REPORT_SUFFIXES
                    and not path.name.startswith((".", "~$"))
                ):
                    submission = read_submission(path).submission
                    if isinstance(submission, dict):
                        self._folder.append(submission)
        return self._folder

    def _from_archive(self, submission: dict) -> dict | None:
        self.open()
        return self._archive.previous_for(submission.get("unit") or {}, submission["year"])

    def find(self, submission: dict) -> dict | None:
        """Last year's submission of the same unit, or None."""
        year = submission.get("year")
        if not isinstance(year, int) or isinstance(year, bool):
            return None
        if self.previous is not None:
            if self.previous.is_dir():
                from report_kit.archive.units import same_unit

                for candidate in self._folder_reports():
                    if candidate.get("year") == year - 1 and same_unit(candidate, submission):
                        return candidate
            else:
                from report_kit.readers import read_submission

                candidate = read_submission(self.previous).submission
                if isinstance(candidate, dict):
                    return candidate
        if self.archive_path is not None:
            return self._from_archive(submission)
        return None

    def findings_for(self, submission: dict, layout: Layout) -> list[Finding]:
        """Cross-year findings of ``submission``, or an 提示 that no baseline was found."""
        year = submission.get("year")
        if not isinstance(year, int) or isinstance(year, bool):
            return []
        previous = self.find(submission)
        if previous is None or previous.get("year") != year - 1:
            unit = submission.get("unit") if isinstance(submission.get("unit"), dict) else {}
            return [
                load_catalogue()["H.no_previous"].finding(
                    {
                        "unit": unit.get("name") or "本单位",
                        "previous_year": year - 1,
                        "source": self.describe(),
                    }
                )
            ]
        return cross_year_findings(submission, previous, layout)

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive = None


def open_previous(previous: str | None, archive: str | None) -> PreviousSource | None:
    """The previous-year source of ``check``'s options, or None when neither was given.

    A missing, foreign or corrupt archive is a usage error (exit status 2), raised before any
    file is checked.
    """
    if previous is None and archive is None:
        return None
    import click

    from report_kit.archive import ArchiveError

    try:
        return PreviousSource(previous, archive).open()
    except ArchiveError as exc:
        raise click.BadParameter(str(exc), param_hint="--archive") from None
