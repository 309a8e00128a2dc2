"""``archive import``: an archive rebuilt from its JSON export (``archive export -o 库.json``).

The export is the archive's portable backup, so it must go back in: every record keeps its
unit, year, version number, findings, source name, hash and time of adding. A record whose
unit-year already holds the same bytes (sha256) is skipped, so importing twice changes
nothing; a version number already taken gets the next free one. The current version of each
unit-year is then chosen by the archive's own rule (newest without errors). Everything is
checked before anything is written, and written in one transaction: a bad file imports nothing.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from report_kit.archive.db import MARK_CURRENT, ArchiveError, write_transaction
from report_kit.archive.store import Archive, _storable, insert_version
from report_kit.archive.units import name_key

_REQUIRED = {
    "unit": str,
    "year": int,
    "version": int,
    "submission": dict,
    "findings": list,
    "source_name": str,
    "sha256": str,
    "added_at": str,
}


@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped: int


def read_export(path: str | os.PathLike) -> list[dict]:
    """The records of an export file, or :class:`ArchiveError` saying in Chinese what is wrong."""
    try:
        with open(path, "rb") as handle:
            records = json.loads(handle.read().decode("utf-8-sig"))
    except OSError as exc:
        from report_kit.os_errors import os_reason

        raise ArchiveError(f"无法读取“{path}”：{os_reason(exc)}。") from None
    except (UnicodeDecodeError, ValueError):
        raise ArchiveError(
            f"“{path}”不是年报库的JSON导出文件（无法按JSON读取）；请用“report-kit archive export -o 文件.json”导出的文件。"
        ) from None
    if not isinstance(records, list):
        raise ArchiveError(f"“{path}”不是年报库的JSON导出文件（应为报告记录的列表）。")
    for number, record in enumerate(records, 1):
        problem = _problem(record)
        if problem:
            raise ArchiveError(f"“{path}”第{number}条记录{problem}，未导入任何报告。")
    return records


def _problem(record) -> str:
    if not isinstance(record, dict):
        return "不是报告记录"
    for key, kind in _REQUIRED.items():
        value = record.get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return f"缺少或无效的“{key}”"
    if record["version"] < 1 or not name_key(record["unit"]):
        return "的单位名称或版本号无效"
    return ""


def import_records(archive: Archive, records: list[dict]) -> ImportResult:
    db = archive.connection
    added = skipped = 0
    with write_transaction(db):
        touched = set()
        for record in sorted(records, key=lambda r: (r["unit"], r["year"], r["version"])):
            code = record.get("code") if isinstance(record.get("code"), str) and record["code"] else None
            now = record.get("unit_now") if isinstance(record.get("unit_now"), str) else record["unit"]
            unit_id = archive._unit_for_add(now or record["unit"], code)
            if name_key(record["unit"]) != name_key(now or record["unit"]):
                db.execute(  # the name the report was filed under still finds the unit
                    "INSERT OR IGNORE INTO aliases (name_key, name, unit_id, added_at) VALUES (?, ?, ?, ?)",
                    (name_key(record["unit"]), record["unit"], unit_id, record["added_at"]),
                )
            year = record["year"]
            if db.execute(
                "SELECT 1 FROM reports WHERE unit_id = ? AND year = ? AND sha256 = ?",
                (unit_id, year, record["sha256"]),
            ).fetchone():
                skipped += 1
                continue
            version = record["version"]
            if db.execute(
                "SELECT 1 FROM reports WHERE unit_id = ? AND year = ? AND version = ?",
                (unit_id, year, version),
            ).fetchone():
                version = db.execute(
                    "SELECT max(version) + 1 FROM reports WHERE unit_id = ? AND year = ?", (unit_id, year)
                ).fetchone()[0]
            submission = _storable(record["submission"])
            insert_version(
                db,
                unit_id=unit_id,
                year=year,
                version=version,
                report_format=record.get("format", submission.get("format")),
                unit_name=record["unit"],
                submission=submission,
                findings=_storable(record["findings"]),
                source_name=record["source_name"],
                sha256=record["sha256"],
                added_at=record["added_at"],
            )
            touched.add((unit_id, year))
            added += 1
        for unit_id, year in touched:
            db.execute(MARK_CURRENT, {"unit": unit_id, "year": year})
    return ImportResult(added, skipped)
