"""Two processes adding to the same archive at once: no corruption, every version lands."""

from __future__ import annotations

import copy
import json
import multiprocessing
import sqlite3

from hypothesis import find

from report_kit.archive import Archive

from strategies import valid_submissions

PER_WRITER = 8


def _writer(archive_path: str, files: list[str], start) -> list[int]:
    from report_kit.check import check_file

    start.wait()
    versions = []
    for path in files:
        with Archive(archive_path) as archive:  # a fresh connection per file, like separate runs
            versions.append(archive.add(check_file(path), path).version)
    return versions


def test_two_writers_at_once_both_land(tmp_path):
    base = copy.deepcopy(find(valid_submissions(), lambda s: True))
    base.update(year=2023)
    files = {0: [], 1: []}
    for writer in (0, 1):
        for index in range(PER_WRITER):
            submission = copy.deepcopy(base)
            submission["text"]["problems"] += f"（第{writer}组第{index}稿）"
            path = tmp_path / f"w{writer}-{index}.json"
            path.write_text(json.dumps(submission, ensure_ascii=False), encoding="utf-8")
            files[writer].append(str(path))
    archive_path = str(tmp_path / "年报库.sqlite")  # not created yet: both race to create it too
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(2)
        with context.Pool(2) as pool:
            results = [pool.apply_async(_writer, (archive_path, files[w], start)) for w in (0, 1)]
            versions = [r.get(timeout=120) for r in results]
    landed = sorted(v for vs in versions for v in vs)
    assert landed == list(range(1, 2 * PER_WRITER + 1))
    connection = sqlite3.connect(archive_path)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert connection.execute("SELECT count(*) FROM reports WHERE current = 1").fetchone()[0] == 1
    assert connection.execute("SELECT count(*) FROM units").fetchone()[0] == 1
    connection.close()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".new")]
    assert leftovers == []
