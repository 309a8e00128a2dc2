"""Every readable upload also goes into the archive (年报库.sqlite in ROOT), as ``batch
--archive`` puts a batch's reports there: next year's cross-year checks and ``history`` find
it. The upload itself is already kept (the service's store) before this runs; an upload the
archive refuses (no unit name or year) stays kept and is marked so, and uploads a crash left
unarchived are archived when the service starts again (:func:`catch_up`).

With ``--db postgresql://…`` the service's upload table is the archive of the deployment (the
SQLite archive is a single-machine file); nothing is copied.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
from pathlib import Path

from report_kit.archive import Archive, ArchiveError

ARCHIVE_NAME = "年报库.sqlite"
ARCHIVED, REFUSED = 1, 2

log = logging.getLogger("report_kit.serve")
_local = threading.local()


def _archive(root: Path) -> Archive:
    """One open archive per thread (sqlite connections stay in their thread)."""
    archive = getattr(_local, "archive", None)
    path = root / ARCHIVE_NAME
    if archive is None or archive.path != path:
        archive = Archive(path)
        _local.archive = archive
    return archive


def archive_upload(service, upload_id: int, file_name: str, content: bytes, submission, entry) -> None:
    if service.store.backend != "sqlite" or not isinstance(submission, dict):
        return
    folder = tempfile.mkdtemp(prefix="report-kit-archive-")
    path = Path(folder) / "upload"
    try:
        path.write_bytes(content)
        _archive(service.config.root).add_submission(
            submission, entry.get("findings") or [], path, source_name=file_name
        )
        state = ARCHIVED
    except ArchiveError as exc:
        log.info("上传 %s 未入年报库：%s", upload_id, exc)
        state = REFUSED
    except Exception as exc:  # a full disk, a locked archive: retried at the next start
        log.warning("上传 %s 暂未入年报库：%s", upload_id, type(exc).__name__)
        return
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        with contextlib.suppress(OSError):
            os.rmdir(folder)
    service.store.mark_archived(upload_id, state)


def catch_up(service) -> int:
    """Archive the uploads a crash left unarchived; returns how many were tried."""
    if service.store.backend != "sqlite":
        return 0
    rows = service.store.unarchived()
    for row in rows:
        archive_upload(
            service,
            row["id"],
            row["file_name"],
            bytes(row["content"]),
            json.loads(row["submission"]),
            json.loads(row["entry"]),
        )
    return len(rows)
