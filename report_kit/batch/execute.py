"""Spreading files over worker processes so that no crash loses a file or stops the batch.

Round one uses a process pool with chunks of files. If a worker dies (segfault, ``os._exit``,
the OOM killer), the pool breaks: files whose results did not come back are re-run in a
fresh pool one file per task, and whatever breaks that pool too is run one file per
short-lived process, where a death can be attributed to exactly one file. Such a file gets an
``F.internal`` finding; so does a file that hangs (no result within ``FILE_TIMEOUT``). Where
``fork`` exists the orchestrating process never reads an untrusted file itself, not even
with ``--jobs 1``; with ``spawn`` only small batches (below ``POOL_THRESHOLD``) and
``--jobs 1`` run in-process, where ``validate_one`` still turns exceptions into findings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from report_kit.batch.worker import failed_entry, validate_chunk, validate_one

FORK = "fork" in multiprocessing.get_all_start_methods()
# With fork a pool costs milliseconds, so every batch — one file, or --jobs 1 — runs in worker
# processes, where a crash (segfault, os._exit) or a hang cannot take the batch down. With
# spawn (Windows, macOS) each worker re-imports report_kit (~1 s): small batches run here.
POOL_THRESHOLD = 1 if FORK else 20
# A file takes milliseconds; a pool in which no chunk has finished for this long is stuck on a
# file that hangs (rather than crashes). Its workers are killed and the files re-run, down to
# one file per process, where the file that hangs is stopped after this long and reported.
FILE_TIMEOUT = 120.0
TARGET_CHUNKS_PER_WORKER = 16
MAX_CHUNK = 32

Item = tuple[str, str]  # (absolute path, relative path)


def default_jobs() -> int:
    """The cores this process may use (a container or taskset may allow fewer than the host has)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _context():
    # fork keeps start-up cheap and lets tests monkeypatch the validator; spawn elsewhere.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _warm() -> None:
    """Compile the validator before forking, so that forked workers inherit it ready-made."""
    if _context().get_start_method() == "fork":
        from report_kit.validator import get_validator

        get_validator()


def _chunks(items: list[Item], size: int) -> Iterator[list[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _kill_workers(executor: ProcessPoolExecutor) -> None:
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, AttributeError):  # already gone
            process.kill()


def _pool_round(
    items: list[Item],
    jobs: int,
    size: int,
    today,
    deadline,
    on_result: Callable[[dict], None],
    timeout: float = FILE_TIMEOUT,
) -> tuple[list[Item], list[Item]]:
    """Run ``items`` in one pool. Returns ``(suspects, not_started)``: the items whose results
    were lost when the pool broke (a worker died) or got stuck (no chunk finished within
    ``timeout`` seconds), and the items never handed to a worker."""
    pending_chunks = list(_chunks(items, size))
    suspects: list[Item] = []
    in_flight: dict[Any, list[Item]] = {}
    limit = jobs * 3  # bounded queue: results are consumed as they come, memory stays flat
    try:
        executor = ProcessPoolExecutor(max_workers=jobs, mp_context=_context())
    except (OSError, ValueError):
        return list(items), []
    broken = False
    with executor:
        while (pending_chunks or in_flight) and not broken:
            while pending_chunks and len(in_flight) < limit:
                chunk = pending_chunks.pop(0)
                try:
                    in_flight[executor.submit(validate_chunk, chunk, today, deadline)] = chunk
                except (BrokenProcessPool, RuntimeError):
                    suspects.extend(chunk)
                    broken = True
                    break
            if broken or not in_flight:
                continue
            # no chunk at all finished for ``timeout`` seconds: stuck. A false alarm (a chunk of
            # slow but sound files) only costs a re-run of those files one per task
            done, _ = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
            if not done:  # stuck: a file hangs rather than crashes; stop the workers
                _kill_workers(executor)
                broken = True
                break
            for future in done:
                chunk = in_flight.pop(future)
                try:
                    results = future.result()
                except BrokenProcessPool:
                    suspects.extend(chunk)
                    broken = True
                    continue
                except KeyboardInterrupt:
                    raise
                except BaseException as exc:  # a result that cannot be pickled, SystemExit …
                    for _, rel in chunk:
                        on_result(failed_entry(rel, "F.internal", f"{type(exc).__name__}: {exc}"))
                    continue
                for entry in results:
                    on_result(entry)
        if broken:
            _kill_workers(executor)
            for future, chunk in in_flight.items():
                try:
                    results = future.result(timeout=timeout)
                except Exception:  # BrokenProcessPool, TimeoutError, CancelledError
                    suspects.extend(chunk)
                    continue
                for entry in results:
                    on_result(entry)
            executor.shutdown(wait=True, cancel_futures=True)
    not_started = [item for chunk in pending_chunks for item in chunk]
    suspects.sort(key=lambda item: item[1])
    return suspects, not_started


def _isolated_child(connection, path: str, rel: str, today, deadline) -> None:
    try:
        connection.send(validate_one(path, rel, today, deadline))
    finally:
        connection.close()


def run_isolated(item: Item, today, deadline, timeout: float = FILE_TIMEOUT) -> dict:
    """Validate one file in its own process; a death or a hang becomes that file's finding."""
    path, rel = item
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_isolated_child, args=(sender, path, rel, today, deadline))
    try:
        process.start()
    except OSError:  # no process can be started (resource limits): validate here instead
        sender.close()
        receiver.close()
        return validate_one(path, rel, today, deadline)
    sender.close()
    entry = None
    timed_out = False
    try:
        if receiver.poll(timeout):
            entry = receiver.recv()
        else:
            timed_out = True
    except (EOFError, OSError):
        entry = None
    if timed_out:
        process.kill()
    process.join()
    receiver.close()
    if entry is None:
        if timed_out:
            reason = f"校验超过{timeout:g}秒仍未完成，已中止（文件可能含有异常内容）"
        else:
            reason = f"校验进程意外退出（退出码 {process.exitcode}）"
        return failed_entry(rel, "F.internal", reason)
    return entry


def execute(
    items: list[Item],
    *,
    jobs: int,
    today: dt.date | None,
    deadline: dt.date | None,
    on_result: Callable[[dict], None],
    pool_threshold: int = POOL_THRESHOLD,
    timeout: float = FILE_TIMEOUT,
) -> None:
    """Validate every item exactly once, reporting each entry through ``on_result``."""
    if len(items) < pool_threshold or (jobs <= 1 and not FORK):
        for path, rel in items:
            on_result(validate_one(path, rel, today, deadline))
        return
    jobs = max(1, min(jobs, len(items)))
    _warm()
    size = max(1, min(MAX_CHUNK, len(items) // (jobs * TARGET_CHUNKS_PER_WORKER)))
    remaining = items
    while remaining:
        suspects, not_started = _pool_round(remaining, jobs, size, today, deadline, on_result, timeout)
        if size > 1:
            # a chunk was lost: re-run everything not done one file per task, so that the
            # next break can only be blamed on the files that were actually running
            remaining, size = sorted(suspects + not_started, key=lambda item: item[1]), 1
            continue
        for item in suspects:  # each alone, where a death or a hang is that file's own
            on_result(run_isolated(item, today, deadline, timeout))
        remaining = not_started
