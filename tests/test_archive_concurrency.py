"""Two processes adding to the same archive at once: no corruption, every version lands."""

from __future__ import annotations

import copy
import json
import multiprocessing
import sqlite3

from report_kit.archive import Archive

from strategies import first_example, valid_submissions

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
    base = copy.deepcopy(first_example(valid_submissions(), lambda s: True))
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


def test_two_cli_processes_at_once_never_corrupt_the_archive(tmp_path):
    """``report-kit archive add`` and ``report-kit batch --archive`` started together."""
    import subprocess
    import sys
    from pathlib import Path

    example = Path(__file__).resolve().parent.parent / "examples" / "轮台县市场监督管理局-2024.json"
    base = json.loads(example.read_text(encoding="utf-8"))
    base["unit"].pop("code")
    folders = []
    for writer in (0, 1):
        folder = tmp_path / f"w{writer}"
        folder.mkdir()
        for index in range(6):
            submission = copy.deepcopy(base)
            submission["unit"]["name"] = f"测试县第{index}局"
            submission["text"]["problems"] += f"（第{writer}稿）"
            (folder / f"{index}.json").write_text(
                json.dumps(submission, ensure_ascii=False), encoding="utf-8"
            )
        folders.append(folder)
    db = tmp_path / "年报库.sqlite"
    commands = [
        [sys.executable, "-m", "report_kit", "archive", "add", str(folders[0]), "--archive", str(db)],
        [sys.executable, "-m", "report_kit", "batch", str(folders[1]), "-o", str(tmp_path / "审核")]
        + ["--archive", str(db), "--today", "2025-06-01"],
    ]
    processes = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in commands]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert processes[0].returncode == 0, outputs[0][1].decode()
    assert processes[1].returncode == 0, outputs[1][1].decode()
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = connection.execute(
        "SELECT unit_name, count(*), sum(current) FROM reports GROUP BY unit_id"
    ).fetchall()
    connection.close()
    assert len(rows) == 6 and all(count == 2 and current == 1 for _, count, current in rows), rows
