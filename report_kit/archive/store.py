"""The archive of validated reports: versions per unit and year, unit aliases, look-ups.

A report is never overwritten: adding a changed file for the same unit and year stores a
new version and marks it current, the old ones stay as history. Re-adding a file whose
bytes were stored before changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from report_kit.archive.db import MARK_CURRENT, ArchiveError, connect, default_path, write_transaction
from report_kit.archive.units import name_key, unit_identity
from report_kit.findings import FileReport
from report_kit.os_errors import os_reason
from report_kit.years import is_year


def stored_json(text, expected: type = dict):
    """A JSON column of the archive; a damaged value is an :class:`ArchiveError`, not a traceback."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        value = None
    if not isinstance(value, expected):
        raise ArchiveError(
            "年报库中保存的报告内容已损坏，无法读取。为防止进一步损坏，本程序不会改动它；请从备份恢复。"
        )
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(value):
    """``value`` with lone surrogates (a JSON ``"\\ud800"`` escape) replaced: SQLite stores UTF-8."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def _source_name(source) -> str:
    """The file name as text; bytes that are not UTF-8 shown as ``\\xff``."""
    name = Path(source).name
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class AddResult:
    unit: str
    year: int
    version: int
    added: bool  # False: the same bytes were already stored as ``version``
    current: int = 0  # the version now used as the reference (0: ``version``)

    @property
    def message(self) -> str:
        if not self.added:
            return f"{self.unit} {self.year}年度：与已入库的第{self.version}版内容相同，未重复入库。"
        kept = (
            f"；该版校验有错误，跨年度核对和填报模板仍以校验无错误的第{self.current}版为准"
            if self.current and self.current != self.version
            else ""
        )
        if self.version == 1:
            return f"{self.unit} {self.year}年度：已入库（第1版）。"
        return f"{self.unit} {self.year}年度：已存为第{self.version}版（保留历史版本{kept}）。"


@dataclass(frozen=True)
class Stored:
    """One archived report as a reference: its submission, version and whether it has errors.

    The reference of a unit-year (``current``) is its newest version without errors; a
    version with errors is the reference only when no clean one exists, and callers say so."""

    submission: dict
    version: int
    errors: int

    @property
    def clean(self) -> bool:
        return self.errors == 0


def canonical_json(document) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def insert_version(
    db: sqlite3.Connection,
    *,
    unit_id: int,
    year: int,
    version: int,
    report_format,
    unit_name: str,
    submission: dict,
    findings: list,
    source_name: str,
    sha256: str,
    added_at: str,
) -> None:
    """Insert one stored version (not yet current: ``MARK_CURRENT`` decides that afterwards).

    ``archive add`` and ``archive import`` both come here, so a restored report is stored, and
    its errors and warnings counted, exactly like a freshly added one.
    """
    counts = {
        level: sum(1 for f in findings if isinstance(f, dict) and f.get("severity") == level)
        for level in ("error", "warning")
    }
    db.execute(
        """INSERT INTO reports (unit_id, year, version, current, format, unit_name, submission,
               findings, errors, warnings, source_name, sha256, added_at)
           VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            unit_id,
            year,
            version,
            str(report_format),
            unit_name,
            canonical_json(submission),
            canonical_json(findings),
            counts["error"],
            counts["warning"],
            source_name,
            sha256,
            added_at,
        ),
    )


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Archive:
    """One open archive file. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | os.PathLike | None = None, *, create: bool = True) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.connection = connect(self.path, create=create)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    # --- units -------------------------------------------------------------------------

    def find_unit(self, name: str, code: str | None = None) -> int | None:
        """The unit id for a code (when given) or name: code, then normalised name, then alias."""
        db = self.connection
        if code:
            row = db.execute("SELECT id FROM units WHERE code = ?", (code,)).fetchone()
            if row:
                return row["id"]
        key = name_key(name)
        if not key:
            return None
        rows = db.execute("SELECT id, code FROM units WHERE name_key = ? ORDER BY id", (key,)).fetchall()
        # A name never matches a unit that has a *different* code: two units may share a name.
        for row in rows:
            if not code or not row["code"]:
                return row["id"]
        row = db.execute("SELECT unit_id FROM aliases WHERE name_key = ?", (key,)).fetchone()
        return row["unit_id"] if row else None

    def _unit_for_add(self, name: str, code: str | None) -> int:
        db = self.connection
        unit_id = self.find_unit(name, code)
        if unit_id is None:
            cursor = db.execute(
                "INSERT INTO units (code, name, name_key) VALUES (?, ?, ?)", (code, name, name_key(name))
            )
            return cursor.lastrowid
        row = db.execute("SELECT code, name FROM units WHERE id = ?", (unit_id,)).fetchone()
        if code and not row["code"]:
            db.execute("UPDATE units SET code = ? WHERE id = ?", (code, unit_id))
        return unit_id

    def alias(self, old: str, new: str) -> str:
        """Record that the unit once called ``old`` is now called ``new`` (机构改革, renaming).

        When both names already hold reports, they are merged into one unit, unless both
        hold a report of the same year (then it is not a renaming and nothing changes).
        """
        db = self.connection
        if not name_key(old) or not name_key(new):
            raise ArchiveError("旧名称和新名称都不能为空。")
        if name_key(old) == name_key(new):
            raise ArchiveError(f"旧名称“{old}”与新名称“{new}”相同，无需登记更名。")
        with write_transaction(db):
            old_id, new_id = self.find_unit(old), self.find_unit(new)
            known = old_id is not None or new_id is not None
            if not known:  # registered ahead of the reports (an alias table prepared first)
                new_id = db.execute(
                    "INSERT INTO units (code, name, name_key) VALUES (NULL, ?, ?)", (new, name_key(new))
                ).lastrowid
            if old_id is not None and new_id is not None and old_id != new_id:
                clash = db.execute(
                    "SELECT year FROM reports WHERE unit_id = ? AND year IN "
                    "(SELECT year FROM reports WHERE unit_id = ?) ORDER BY year LIMIT 1",
                    (old_id, new_id),
                ).fetchone()
                if clash:
                    raise ArchiveError(
                        f"“{old}”和“{new}”在{clash['year']}年度都有报告，不像是同一单位更名，未作合并。"
                    )
                db.execute("UPDATE reports SET unit_id = ? WHERE unit_id = ?", (old_id, new_id))
                db.execute("UPDATE aliases SET unit_id = ? WHERE unit_id = ?", (old_id, new_id))
                gone = db.execute("SELECT code FROM units WHERE id = ?", (new_id,)).fetchone()
                db.execute("DELETE FROM units WHERE id = ?", (new_id,))
                if gone["code"]:
                    db.execute(
                        "UPDATE units SET code = coalesce(code, ?) WHERE id = ?", (gone["code"], old_id)
                    )
                target = old_id
            else:
                target = old_id if old_id is not None else new_id
            for name in (old, new):  # both names, so that the table lists every renaming
                db.execute(
                    "INSERT OR REPLACE INTO aliases (name_key, name, unit_id, added_at) VALUES (?, ?, ?, ?)",
                    (name_key(name), name, target, _now()),
                )
            db.execute("UPDATE units SET name = ? WHERE id = ?", (new, target))
        note = "" if known else "（年报库中暂无这两个名称的报告，入库后即按此对照）"
        return f"已登记：“{old}”更名为“{new}”，两个名称的报告按同一单位跨年度核对。{note}"

    def aliases(self) -> list[list[str]]:
        """The alias table: [name, the unit's current name, added at], by unit then name."""
        rows = self.connection.execute(
            "SELECT a.name, u.name AS unit_name, a.added_at FROM aliases a JOIN units u ON u.id = a.unit_id "
            "ORDER BY u.name, a.added_at, a.name"
        ).fetchall()
        return [
            [row["name"], row["unit_name"], row["added_at"]]
            for row in rows
            if row["name"] != row["unit_name"]
        ]

    # --- reports -----------------------------------------------------------------------

    def add(self, report: FileReport, source: str | os.PathLike) -> AddResult:
        """Store a validated report (its canonical submission and findings) as a new version."""
        return self.add_submission(report.submission, [f.to_dict() for f in report.findings], source)

    def add_submission(
        self, submission, findings: list[dict], source: str | os.PathLike, *, source_name: str | None = None
    ) -> AddResult:
        """Store a submission with its findings (dicts, as ``Finding.to_dict`` gives them) as a
        new version; the batch uses this with the findings it has collected for the file.
        ``source_name`` is the name recorded when ``source`` is a temporary copy (an upload)."""
        if not isinstance(submission, dict):
            raise ArchiveError(f"“{_source_name(source)}”无法读取为一份报告，未入库。")
        submission, findings = _storable(submission), _storable(findings)
        code, name = unit_identity(submission)
        year = submission.get("year")
        if not name or not is_year(year):
            raise ArchiveError(f"“{source}”缺少有效的单位名称或报告年度，无法入库。")
        try:
            sha = file_sha256(source)
        except OSError as exc:
            raise ArchiveError(f"无法读取“{source}”：{os_reason(exc)}，未入库。") from exc
        db = self.connection
        with write_transaction(db):
            unit_id = self._unit_for_add(name, code)
            same = db.execute(
                "SELECT version FROM reports WHERE unit_id = ? AND year = ? AND sha256 = ?",
                (unit_id, year, sha),
            ).fetchone()
            if same:
                return AddResult(name, year, same["version"], added=False)
            version = db.execute(
                "SELECT coalesce(max(version), 0) + 1 FROM reports WHERE unit_id = ? AND year = ?",
                (unit_id, year),
            ).fetchone()[0]
            insert_version(
                db,
                unit_id=unit_id,
                year=year,
                version=version,
                report_format=submission.get("format"),
                unit_name=name,
                submission=submission,
                findings=findings,
                source_name=source_name or _source_name(source),
                sha256=sha,
                added_at=_now(),
            )
            current = self._mark_current(unit_id, year)
        return AddResult(name, year, version, added=True, current=current)

    def _mark_current(self, unit_id: int, year: int) -> int:
        """Make the newest clean version of a unit-year current (else the newest); its number."""
        db = self.connection
        db.execute(MARK_CURRENT, {"unit": unit_id, "year": year})
        row = db.execute(
            "SELECT version FROM reports WHERE unit_id = ? AND year = ? AND current = 1", (unit_id, year)
        ).fetchone()
        return row["version"] if row else 0

    def _unit_id_of(self, unit: dict | str) -> int | None:
        """A unit given as its ``unit`` block (code first, then name) or as a name or alias."""
        if isinstance(unit, dict):
            code, name = unit_identity({"unit": unit})
        else:
            code, name = None, unit
        return self.find_unit(name, code)

    def reference_for(self, unit: dict | str, year: int) -> Stored | None:
        """The current version of a unit's report of ``year``, if archived (see :class:`Stored`)."""
        unit_id = self._unit_id_of(unit)
        if unit_id is None:
            return None
        row = self.connection.execute(
            "SELECT submission, version, errors FROM reports WHERE unit_id = ? AND year = ? AND current = 1",
            (unit_id, year),
        ).fetchone()
        return Stored(stored_json(row["submission"]), row["version"], row["errors"]) if row else None

    def report_for(self, unit: dict | str, year: int) -> dict | None:
        """The current version of a unit's report of ``year`` (submission dict), if archived."""
        found = self.reference_for(unit, year)
        return found.submission if found else None

    def latest_reference(self, unit: dict | str, *, before: int | None = None) -> Stored | None:
        """The unit's most recent archived report (current version), optionally of a year < ``before``."""
        unit_id = self._unit_id_of(unit)
        if unit_id is None:
            return None
        row = self.connection.execute(
            "SELECT submission, version, errors FROM reports WHERE unit_id = ? AND current = 1 AND year < ? "
            "ORDER BY year DESC LIMIT 1",
            (unit_id, before if before is not None else 1 << 31),
        ).fetchone()
        return Stored(stored_json(row["submission"]), row["version"], row["errors"]) if row else None

    def latest_for(self, unit: dict | str, *, before: int | None = None) -> dict | None:
        found = self.latest_reference(unit, before=before)
        return found.submission if found else None

    def previous_for(self, unit: dict | str, year: int) -> dict | None:
        """Last year's report (``year - 1``) of the unit: what the cross-year checks compare with.

        ``unit`` is a submission's ``unit`` object (code used when present) or a name.
        """
        return self.report_for(unit, year - 1)

    def rows(
        self, *, year: int | None = None, unit: str | None = None, all_versions: bool = False
    ) -> list[sqlite3.Row]:
        """Archived reports, current versions only unless ``all_versions``, by unit and year."""
        where, params = [], []
        if not all_versions:
            where.append("r.current = 1")
        if year is not None:
            where.append("r.year = ?")
            params.append(year)
        if unit is not None:  # an empty name matches no unit (not every unit)
            unit_id = self.find_unit(unit, unit.strip().upper() if len(unit.strip()) == 18 else None)
            where.append("r.unit_id = ?")
            params.append(unit_id if unit_id is not None else -1)
        sql = (
            "SELECT r.*, u.name AS unit_current_name, u.code AS unit_code, "
            "(SELECT count(*) FROM reports v WHERE v.unit_id = r.unit_id AND v.year = r.year) AS versions "
            "FROM reports r JOIN units u ON u.id = r.unit_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY u.name, r.year, r.version"
        )
        return self.connection.execute(sql, params).fetchall()

    def history(self, unit: str) -> list[dict]:
        """The current report of every archived year of a unit, oldest first."""
        return [stored.submission for stored in self.history_references(unit)]

    def history_references(self, unit: str) -> list[Stored]:
        """:meth:`history` with each year's version and error count (a year whose only versions
        have errors is shown marked)."""
        return [
            Stored(stored_json(row["submission"]), row["version"], row["errors"])
            for row in self.rows(unit=unit)
        ]
