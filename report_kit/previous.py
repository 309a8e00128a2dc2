"""Finding last year's report of a unit, for the cross-year checks of ``check``.

Sources, tried in order: ``--previous FILE`` (that file is last year's report), ``--previous
DIR`` (the folder is searched for the same unit's report of the year before: by 统一社会信用代码
when both reports carry one, else by normalised name), and ``--archive DB`` (the current
version archived for the unit, aliases of renamed units included). A folder is read once
per run, however many files are checked.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from report_kit.catalogue import load_catalogue
from report_kit.findings import Finding
from report_kit.layout import Layout
from report_kit.rules.history import cross_year_findings
from report_kit.years import is_year

REPORT_SUFFIXES = {".json", ".yaml", ".yml", ".xlsx"}


class PreviousSource:
    """Where ``check`` looks for last year's reports; built once per run."""

    def __init__(
        self,
        previous: str | os.PathLike | None = None,
        archive: str | os.PathLike | None = None,
        *,
        strict_file: bool = False,
        create: bool = False,
        store=None,
    ):
        """``store``: an already open :class:`report_kit.archive.Archive` to look in (not closed here)."""
        self.previous = Path(previous) if previous is not None else None
        self.archive_path = store.path if store is not None else archive
        self._own_archive = store is None
        # strict_file: a --previous FILE is used only for the same unit (a batch checks many
        # units; ``check`` of one file takes the file it was given as that unit's last year).
        self.strict_file = strict_file
        self.create = create
        self._file: dict | None | bool = False  # not read yet
        self._file_problem = ""
        self._year_problem = ""
        self._caveat = ""  # said with every cross-year finding of the last ``find``
        self._folder: list[tuple[int, dict, Path]] | None = None
        self._index: dict[tuple, list[Path]] | None = None
        self._archive = store

    def open(self) -> PreviousSource:
        """Open the archive now, so a missing or foreign archive is a usage error before any check."""
        if self.archive_path is not None and self._archive is None:
            from report_kit.archive import Archive

            self._archive = Archive(self.archive_path, create=self.create)
        return self

    def describe(self) -> str:
        parts = []
        if self._file_problem or self._year_problem:
            parts.append((self._file_problem or self._year_problem).rstrip("。"))
        elif self.previous is not None:
            parts.append(f"已查找{self.previous}")
        if self.archive_path is not None:
            parts.append(f"已查找年报库{self.archive_path}")
        return "，".join(parts)

    def _folder_reports(self) -> list[tuple[int, dict, Path]]:
        """(year, {"unit": …} identity, path) of every report in the folder, read once per run.

        Only the identities are kept (a batch's folder may hold thousands of reports); the
        matching report is read again when it is needed.
        """
        if self._folder is None:
            from report_kit.readers import read_submission

            self._folder = []
            for path in sorted(self.previous.rglob("*")):
                if (
                    path.is_file()
                    and path.suffix.lower() in REPORT_SUFFIXES
                    and not path.name.startswith((".", "~$"))
                ):
                    try:
                        submission = read_submission(path).submission
                    except Exception:  # one unreadable file does not hide the others
                        continue
                    year = submission.get("year") if isinstance(submission, dict) else None
                    if is_year(year):
                        unit = submission.get("unit")
                        identity = {"unit": dict(unit) if isinstance(unit, dict) else {}}
                        self._folder.append((year, identity, path))
        return self._folder

    def _folder_index(self) -> dict[tuple, list[Path]]:
        """(year, "code", code) and (year, "name", name key) → paths, in path order."""
        if self._index is None:
            from report_kit.archive.units import name_key, unit_identity

            self._index = {}
            for year, identity, path in self._folder_reports():
                code, name = unit_identity(identity)
                if code:
                    self._index.setdefault((year, "code", code), []).append(path)
                self._index.setdefault((year, "name", name_key(name)), []).append(path)
        return self._index

    def _from_folder(self, submission: dict, year: int) -> dict | None:
        """The same unit's report of ``year - 1`` in the folder (``archive.same_unit``'s rule:
        codes decide when both reports have one, else the normalised name)."""
        from report_kit.archive.units import name_key, same_unit, unit_identity
        from report_kit.readers import read_submission

        code, name = unit_identity(submission)
        index = self._folder_index()
        paths = index.get((year - 1, "code", code), []) if code else []
        paths = paths + index.get((year - 1, "name", name_key(name)), []) if name_key(name) else paths
        for path in paths:
            candidate = read_submission(path).submission
            if isinstance(candidate, dict) and same_unit(candidate, submission):
                return candidate
        return None

    def _from_archive(self, submission: dict) -> dict | None:
        from report_kit.archive import ArchiveError

        self.open()
        try:
            found = self._archive.reference_for(submission.get("unit") or {}, submission["year"] - 1)
        except ArchiveError:  # a damaged stored report: no baseline, said in H.no_previous
            self._year_problem = "年报库中保存的该单位上年报告已损坏，无法读取"
            return None
        except sqlite3.DatabaseError as exc:  # damage the opening checks could not see
            from report_kit.archive.db import database_reason

            self._year_problem = f"年报库读取失败（{database_reason(exc)}），请从备份恢复"
            return None
        if found is not None and not found.clean:
            # only versions with errors: compared all the same, but every cross-year finding says so
            self._caveat = (
                f"注意：年报库中该单位上年报告只有校验有错误的版本（第{found.version}版有{found.errors}个错误），"
                "本项按该版核对，上年数字本身可能有误；请先改正上年报告并重新入库。"
            )
        return found.submission if found else None

    def find(self, submission: dict) -> dict | None:
        """Last year's submission of the same unit, or None."""
        year = submission.get("year")
        self._year_problem = ""
        self._caveat = ""
        if not is_year(year):
            return None
        if self.previous is not None:
            if self.previous.is_dir():
                found = self._from_folder(submission, year)
                if found is not None:
                    return found
            else:
                candidate = self._previous_file()
                if candidate is not None and candidate.get("year") != year - 1:
                    self._year_problem = f"“{self.previous}”是{candidate.get('year')}年度的报告，不是上年的"
                elif candidate is not None:
                    from report_kit.archive.units import same_unit, unit_identity

                    if same_unit(candidate, submission):
                        return candidate
                    code, _ = unit_identity(candidate)
                    own_code, _ = unit_identity(submission)
                    if code and own_code and code != own_code:  # two credit codes: two units
                        self._year_problem = f"“{self.previous}”是另一单位（统一社会信用代码{code}）的报告"
                    elif not self.strict_file:
                        return candidate  # a name that changed: the user named the file, take it
        if self.archive_path is not None:
            return self._from_archive(submission)
        return None

    def _previous_file(self) -> dict | None:
        if self._file is False:
            from report_kit.readers import read_submission

            result = read_submission(self.previous)
            candidate = result.submission
            self._file = candidate if isinstance(candidate, dict) else None
            if self._file is None:
                reasons = "；".join(f.message for f in result.findings if f.severity == "error")
                self._file_problem = f"上年报告“{self.previous}”无法读取：{reasons or '不是一份报告'}"
        return self._file

    @property
    def archive(self):
        """The open archive (``--archive``), or None."""
        if self.archive_path is None:
            return None
        self.open()
        return self._archive

    def findings_for(self, submission: dict, layout: Layout) -> list[Finding]:
        """Cross-year findings of ``submission``, or an 提示 that no baseline was found."""
        return self.compare(submission, self.find(submission), layout)

    def compare(self, submission: dict, previous: dict | None, layout: Layout) -> list[Finding]:
        """Cross-year findings of ``submission`` against ``previous`` (what :meth:`find` gave)."""
        year = submission.get("year")
        if not is_year(year):
            return []
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
        findings = cross_year_findings(submission, previous, layout)
        if self._caveat:
            from dataclasses import replace

            findings = [replace(f, suggestion=f"{f.suggestion}{self._caveat}") for f in findings]
        return findings

    def close(self) -> None:
        if self._archive is not None and self._own_archive:
            self._archive.close()
            self._archive = None


def open_previous(
    previous: str | None, archive: str | None, *, create: bool = False, strict_file: bool = False
) -> PreviousSource | None:
    """The previous-year source of the ``--previous``/``--archive`` options, or None when
    neither was given.

    A missing ``--previous``, or a missing (unless ``create``), foreign or corrupt archive is
    a usage error (exit status 2), raised before any file is checked.
    """
    if previous is None and archive is None:
        return None
    import sqlite3

    import click

    from report_kit.archive import ArchiveError

    if previous is not None and not Path(previous).exists():
        raise click.BadParameter(f"“{previous}”不存在。", param_hint="--previous")
    try:
        return PreviousSource(previous, archive, create=create, strict_file=strict_file).open()
    except ArchiveError as exc:
        raise click.BadParameter(str(exc), param_hint="--archive") from None
    except (OSError, sqlite3.Error) as exc:
        from report_kit.archive.db import database_reason
        from report_kit.os_errors import os_reason

        reason = os_reason(exc) if isinstance(exc, OSError) else database_reason(exc)
        raise click.BadParameter(f"无法打开年报库“{archive}”：{reason}。", param_hint="--archive") from None
