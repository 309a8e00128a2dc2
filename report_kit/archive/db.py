"""The archive's SQLite file: finding it, inspecting it safely, creating and migrating it.

A file that is not ours is never written to. Before anything else the file is inspected
read-only (header bytes, then a ``mode=ro`` connection): it must be SQLite, carry our
``application_id`` and a schema version we know. Only then is it opened for writing.
Writers use WAL, a busy timeout and ``BEGIN IMMEDIATE``, so several processes (a batch on
one machine, two clerks on a shared drive) can add reports at once without corrupting it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from report_kit.os_errors import os_reason

ENV_VAR = "REPORT_KIT_ARCHIVE"
DEFAULT_NAME = "年报库.sqlite"
APPLICATION_ID = 0x524B4152  # "RKAR": report_kit archive
BUSY_TIMEOUT_S = 10.0
SQLITE_MAGIC = b"SQLite format 3\x00"

# Each entry migrates the schema from version i to i + 1; never edit a released entry.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            code TEXT UNIQUE,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL
        )""",
        "CREATE INDEX units_name_key ON units(name_key)",
        """CREATE TABLE aliases (
            name_key TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            added_at TEXT NOT NULL
        )""",
        """CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            year INTEGER NOT NULL,
            version INTEGER NOT NULL,
            current INTEGER NOT NULL DEFAULT 1,
            format TEXT,
            unit_name TEXT NOT NULL,
            submission TEXT NOT NULL,
            findings TEXT NOT NULL,
            errors INTEGER NOT NULL,
            warnings INTEGER NOT NULL,
            source_name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            added_at TEXT NOT NULL,
            UNIQUE (unit_id, year, version)
        )""",
        "CREATE INDEX reports_current ON reports(unit_id, year, current)",
    ],
    # 2: the current version (the reference of cross-year checks and templates) is the newest
    # one without errors; the newest erroneous one only when a unit-year has nothing better
    [
        """UPDATE reports SET current = (version = coalesce(
            (SELECT max(v.version) FROM reports v
              WHERE v.unit_id = reports.unit_id AND v.year = reports.year AND v.errors = 0),
            (SELECT max(v.version) FROM reports v
              WHERE v.unit_id = reports.unit_id AND v.year = reports.year)))""",
    ],
]

# Re-marks the current version of one unit-year after a version was added (same rule as
# migration 2): a draft stored with errors never displaces a clean report as the reference.
MARK_CURRENT = """UPDATE reports SET current = (version = coalesce(
    (SELECT max(v.version) FROM reports v WHERE v.unit_id = :unit AND v.year = :year AND v.errors = 0),
    (SELECT max(v.version) FROM reports v WHERE v.unit_id = :unit AND v.year = :year)))
  WHERE unit_id = :unit AND year = :year"""
SCHEMA_VERSION = len(MIGRATIONS)


def database_reason(exc: Exception) -> str:
    """SQLite's refusal in Chinese (its own text is English)."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "正被其他程序占用（请稍后重试）"
    if "readonly" in text or "read-only" in text:
        return "为只读文件，无法写入"
    if "disk is full" in text or "full" in text:
        return "所在磁盘空间不足"
    if "unable to open" in text:
        return "无法打开"
    return "已损坏或结构不完整"


class ArchiveError(Exception):
    """A problem with the archive file the user must fix; the message is Chinese."""


def default_path() -> Path:
    """``$REPORT_KIT_ARCHIVE``, else ``年报库.sqlite`` in the current directory."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_NAME)


def inspect(path: Path) -> int:
    """Schema version of an existing archive file; raises :class:`ArchiveError` for any other file.

    Reads only: the header bytes, then a read-only connection. Nothing is created or changed.
    """
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise ArchiveError(f"无法读取年报库文件“{path}”：{os_reason(exc)}。") from exc
    if not header.startswith(SQLITE_MAGIC) or len(header) < 100:
        raise ArchiveError(
            f"“{path}”不是年报库文件（不是SQLite数据库，或文件已损坏）。为防止误删数据，本程序不会改动它；"
            "请用 --archive 指定正确的年报库，或换一个文件名新建。"
        )
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise ArchiveError(
            f"“{path}”是其他程序的SQLite数据库，不是report_kit的年报库。为防止误删数据，本程序不会改动它；"
            "请用 --archive 指定正确的年报库，或换一个文件名新建。"
        )
    sidecars = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    existed = [side.exists() for side in sidecars]
    try:
        return _inspect_open(path)
    except ArchiveError:
        # A damaged archive in WAL mode: the read-only connection may have made -wal/-shm
        # files beside it; remove those we made, so the refused file is left as it was found.
        for side, was_there in zip(sidecars, existed):
            if not was_there:
                with contextlib.suppress(OSError):
                    side.unlink()
        raise


def _inspect_open(path: Path) -> int:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            # quick_check reads every page (milliseconds for a few MB): a damaged archive is
            # refused here, before any connection that could write to it.
            verdict = connection.execute("PRAGMA quick_check(1)").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(
            f"年报库“{path}”{database_reason(exc)}，无法读取。为防止进一步损坏，本程序不会改动它；请从备份恢复。"
        ) from exc
    if verdict != "ok":
        raise ArchiveError(
            f"年报库“{path}”已损坏（完整性检查未通过）。为防止进一步损坏，本程序不会改动它；请从备份恢复。"
        )
    if version > SCHEMA_VERSION:
        raise ArchiveError(
            f"年报库“{path}”由更新版本的report_kit创建（结构版本{version}），请升级report_kit后再使用。"
        )
    missing = _missing_structure(path, version)
    if missing:
        raise ArchiveError(
            f"年报库“{path}”结构不完整（{missing}），可能已损坏或不是report_kit的年报库。"
            "为防止进一步损坏，本程序不会改动它；请从备份恢复。"
        )
    return version


def expected_structure(version: int) -> dict[str, set[str]]:
    """Table → columns of an archive at schema ``version``: the migrations run in memory."""
    connection = sqlite3.connect(":memory:")
    try:
        for statements in MIGRATIONS[:version]:
            for statement in statements:
                connection.execute(statement)
        return _structure(connection)
    finally:
        connection.close()


def _structure(connection: sqlite3.Connection) -> dict[str, set[str]]:
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {
        table: {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')} for table in tables
    }


def _missing_structure(path: Path, version: int) -> str:
    """What the file lacks of the tables and columns of its schema version ('' when complete).

    A file carrying our application id but no schema version, or one whose tables were
    dropped, would otherwise be written to (migrated) or fail later with an SQLite traceback.
    """
    if version == 0:  # a real archive is created and migrated before it appears (``_create``)
        return "没有结构版本"
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            found = _structure(connection)
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        return database_reason(exc)
    for table, columns in expected_structure(version).items():
        if table not in found:
            return f"缺少数据表{table}"
        lacking = sorted(columns - found[table])
        if lacking:
            return f"数据表{table}缺少列{'、'.join(lacking)}"
    return ""


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.row_factory = sqlite3.Row
    return connection


@contextlib.contextmanager
def write_transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``: takes the write lock up front, so two writers queue
    (for up to the busy timeout) instead of failing halfway through."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _migrate(connection: sqlite3.Connection) -> None:
    with write_transaction(connection):
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                connection.execute(statement)
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _create(path: Path) -> None:
    """Build a new archive beside ``path`` and link it into place, so that a second process
    creating the same archive at the same moment never sees a half-made file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        from report_kit.atomic import usual_permissions

        usual_permissions(temp)  # mkstemp made it 0600; the archive is shared like other outputs
        connection = _connect(temp)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            _migrate(connection)
        finally:
            connection.close()
        try:
            os.link(temp, path)
        except FileExistsError:
            pass  # another process won the race; its archive is as good as ours
        except OSError:  # file systems without hard links
            if not path.exists():
                os.replace(temp, path)
    finally:
        for leftover in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def connect(path: str | os.PathLike | None = None, *, create: bool = True) -> sqlite3.Connection:
    """A connection to the archive at ``path`` (default :func:`default_path`), migrated to the
    current schema. Raises :class:`ArchiveError` for a missing (when not ``create``), foreign
    or corrupt file."""
    path = Path(path) if path is not None else default_path()
    if not path.exists():
        if not create:
            raise ArchiveError(f"年报库“{path}”不存在。请先用“report-kit archive add”把报告入库。")
        _create(path)
    if path.is_dir():
        raise ArchiveError(f"“{path}”是文件夹，不是年报库文件。")
    version = inspect(path)
    connection = _connect(path)
    try:
        if version < SCHEMA_VERSION:  # first: a failed migration rolls back to the same bytes
            _migrate(connection)
        if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            connection.execute("PRAGMA journal_mode = WAL")
    except BaseException:
        connection.close()
        raise
    return connection
