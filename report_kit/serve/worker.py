"""Untrusted uploads are read in worker processes with a time and a memory limit.

The service process never parses an uploaded file. Each job (check an upload, annotate it,
build its report) runs in a small pool of worker processes, each capped by ``RLIMIT_AS``. A job that takes longer than the time limit has its pool killed and replaced;
a job whose process dies (segfault, the memory cap) is retried once in a fresh pool — the
innocent neighbours of a hostile file succeed on the retry, the hostile file fails again and
gets the same ``F.internal`` finding ``batch`` gives it. Readers keep their own guards (zip
bombs, sizes, formats) exactly as ``check`` has them, because the job *is* ``check_file``.

Files are written for the reader under a random name in a private temporary folder; the name
the user gave is used only for display and, when it is a plain extension, as the suffix the
sniffer reads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing
import os
import re
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

JOB_TIMEOUT = 60.0
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space per worker
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}")


def safe_suffix(file_name: str) -> str:
    """The extension of the user's file name when it is a plain one (``.xlsx``), else ''."""
    suffix = Path(file_name or "").suffix
    return suffix.lower() if _SUFFIX.fullmatch(suffix) else ""


def display_name(file_name: str) -> str:
    """The user's file name for display only: no folders, no control characters, bounded."""
    name = re.split(r"[\\/]", file_name or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "上传文件"
    return name if len(name) <= 120 else name[:100] + "…" + name[-19:]


# ---------------------------------------------------------------- jobs (run in the workers)


def _limit_memory(limit: int) -> None:
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


@contextlib.contextmanager
def _as_file(content: bytes, file_name: str):
    folder = tempfile.mkdtemp(prefix="report-kit-upload-")
    path = Path(folder) / f"upload{safe_suffix(file_name)}"
    try:
        path.write_bytes(content)
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        with contextlib.suppress(OSError):
            os.rmdir(folder)


_LEDGERS: dict[str, object] = {}


def _ledger(plan: str | None):
    """The work-plan ledger of ``--plan``, loaded once per worker process."""
    if not plan:
        return None
    if plan not in _LEDGERS:
        from report_kit.plan.ledger import load_ledger

        _LEDGERS[plan] = load_ledger(plan)
    return _LEDGERS[plan]


def _check(path: Path, file_name: str, today, deadline, plan: str | None = None):
    from report_kit.check import check_file

    report = check_file(path, today=today, deadline=deadline, plan=_ledger(plan))
    report.file = file_name
    return report


def check_job(content: bytes, file_name: str, today, deadline, plan: str | None = None) -> dict[str, Any]:
    """``check`` of one upload (``--plan`` when the service has a ledger): the JSON text
    ``check --format json`` prints, the batch entry (with its table vector), the submission.
    Never raises for a bad file."""
    from report_kit.batch.worker import entry_of, failed_entry

    try:
        with _as_file(content, file_name) as path:
            report = _check(path, file_name, today, deadline, plan)
        submission = report.submission if isinstance(report.submission, dict) else None
        entry = entry_of(report, file_name)
        if entry.get("vector") is not None:
            entry["vector"] = list(entry["vector"])  # array('d') → JSON-storable
        return {
            "result": result_json(report.to_dict()),
            "entry": entry,
            "submission": submission,
            "valid": report.valid,
            "counts": report.counts,
        }
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return failed_result(failed_entry(file_name, "F.internal", f"{type(exc).__name__}: {exc}"))


def result_json(data: dict) -> str:
    """As ``check --format json`` prints one file (writers.findings_data.render_json)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def failed_result(entry: dict) -> dict[str, Any]:
    """The job result of a file whose check crashed, hung or killed its process."""
    findings = entry["findings"]
    counts = {
        level: sum(1 for f in findings if f["severity"] == level) for level in ("error", "warning", "info")
    }
    data = {
        "file": entry["file"],
        "unit": None,
        "year": None,
        "valid": False,
        "counts": counts,
        "not_evaluated": [],
        "findings": findings,
    }
    return {"result": result_json(data), "entry": entry, "submission": None, "valid": False, "counts": counts}


def annotate_job(content: bytes, file_name: str, today, deadline) -> bytes | str:
    """The annotated workbook (bytes), or the Chinese reason it cannot be made."""
    from report_kit.writers.annotate import annotate_workbook

    with _as_file(content, file_name) as path:
        report = _check(path, file_name, today, deadline)
        target = path.parent / "annotated.xlsx"
        message = annotate_workbook(path, report, target)
        if not target.exists():
            return message
        try:
            return target.read_bytes()
        finally:
            target.unlink()


def report_job(content: bytes, file_name: str, today, deadline, kind: str) -> bytes | str:
    """The report as .docx or .html (a draft with the annex of errors when it does not pass),
    built exactly as ``report-kit build`` builds it; or the Chinese reason it cannot be."""
    from report_kit.report_content import build_content

    with _as_file(content, file_name) as path:
        report = _check(path, file_name, today, deadline)
    if not isinstance(report.submission, dict):
        return "该文件无法读取为一份报告，不能生成Word或网页版。请先改正文件问题后重新上传。"
    content_ = build_content(report.submission, findings=report.findings, draft=not report.valid)
    if kind == "html":
        from report_kit.writers.report_html import render_html

        return render_html(content_).encode("utf-8")
    import io

    from report_kit.writers.report_docx import build_document

    buffer = io.BytesIO()
    build_document(content_).save(buffer)
    return buffer.getvalue()


def template_job(submission: dict | None, unit: str | None = None, year: int | None = None) -> bytes:
    """The fill-in workbook: pre-filled with a submission, or blank with the unit's name and
    the year already in (as ``report-kit template --unit … --year …``)."""
    import io

    from report_kit.writers.safe_cells import sanitise_workbook
    from report_kit.writers.template_xlsx import build_workbook

    options = {} if submission is not None else {"unit": unit, "year": year}
    buffer = io.BytesIO()
    book = build_workbook(submission, **options)
    sanitise_workbook(book)
    book.save(buffer)
    return buffer.getvalue()


def _warm() -> None:
    from report_kit.validator import get_validator

    get_validator()


def _exit_with_parent(parent: int) -> None:
    """A worker whose service is gone (killed, or ended by a re-raised SIGTERM before it could
    stop its pool) ends too, instead of waiting for jobs forever."""

    def watch() -> None:
        import time

        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _initialise(limit: int, parent: int) -> None:
    _exit_with_parent(parent)
    _limit_memory(limit)
    _warm()


def _ping() -> int:
    return os.getpid()


# ---------------------------------------------------------------- the pool (service side)


class JobFailed(Exception):
    """A job hung or killed its process twice; ``reason`` is Chinese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WorkerPool:
    """A replaceable process pool; ``run`` returns a job's value or raises :class:`JobFailed`."""

    def __init__(self, workers: int = 2, timeout: float = JOB_TIMEOUT, memory_limit: int = MEMORY_LIMIT):
        self.workers = max(1, workers)
        self.timeout = timeout
        self.memory_limit = memory_limit
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def _context(self):
        # fork, as the batch does: a worker costs milliseconds and inherits the compiled
        # validator. The pool is started before the server's threads (``start``), and a
        # replacement pool is forked only after a failure.
        methods = multiprocessing.get_all_start_methods()
        return multiprocessing.get_context("fork" if "fork" in methods else "spawn")

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=self._context(),
                    initializer=_initialise,
                    initargs=(self.memory_limit, os.getpid()),
                )
            return self._executor

    def start(self) -> None:
        """Start the workers now (the first upload should not wait for them)."""
        pool = self._pool()
        for future in [pool.submit(_ping) for _ in range(self.workers)]:
            with contextlib.suppress(Exception):
                future.result(timeout=120)

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                self._executor = None
            else:
                return
        for process in list((getattr(broken, "_processes", None) or {}).values()):
            with contextlib.suppress(OSError, AttributeError):
                process.kill()
        with contextlib.suppress(Exception):
            broken.shutdown(wait=False, cancel_futures=True)

    def run(self, function, *args):
        for attempt in (1, 2):
            pool = self._pool()
            try:
                future = pool.submit(function, *args)
                return future.result(timeout=self.timeout)
            except FutureTimeout:
                self._replace(pool)
                raise JobFailed(
                    f"处理超过{self.timeout:g}秒仍未完成，已中止（文件可能含有异常内容）"
                ) from None
            except BrokenProcessPool:
                self._replace(pool)
                if attempt == 2:
                    raise JobFailed("处理进程意外退出（文件可能过大或含有异常内容）") from None
            except RuntimeError:  # submit after shutdown: a concurrent replacement; try again
                self._replace(pool)
                if attempt == 2:
                    raise JobFailed("处理进程无法启动，请稍后重试") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def check(
        self, content: bytes, file_name: str, today: dt.date | None, deadline: dt.date | None, plan=None
    ) -> dict:
        """``check_job`` in a worker; a hang or a death becomes the file's F.internal finding."""
        try:
            return self.run(check_job, content, file_name, today, deadline, plan)
        except JobFailed as failed:
            from report_kit.batch.worker import failed_entry

            return failed_result(failed_entry(file_name, "F.internal", failed.reason))

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
