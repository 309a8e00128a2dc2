"""Writing the review folder so that an interrupted run leaves the old outputs or the new.

Everything is first written into a staging folder beside the review folder (same file system),
then moved in with ``os.replace``: the per-unit pages as one folder swap, the overview page
last, so it never links to pages that are not there yet.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from pathlib import Path

from report_kit.batch.names import UniqueNames
from report_kit.batch.outputs_html import render_index, render_unit
from report_kit.batch.outputs_xlsx import write_review_workbook
from report_kit.batch.run import BatchResult
from report_kit.batch.tables import to_data

WORKBOOK_NAME = "审核结果.xlsx"
JSON_NAME = "审核结果.json"
INDEX_NAME = "index.html"
UNITS_DIR = "units"


def unit_page_names(result: BatchResult) -> dict[str, str]:
    """file → page name under units/, sanitised and unique, in file order (hence stable)."""
    names = UniqueNames()
    return {e["file"]: names.take(e["unit"] or Path(e["file"]).stem) + ".html" for e in result.entries}


def render_json(data: dict) -> str:
    """Compact JSON (one line): the C encoder is ~10× faster than an indented dump at 10,000 files."""
    return json.dumps(data, ensure_ascii=False) + "\n"


def write_json(data: dict, target: Path) -> None:
    """Compact JSON streamed to the file: the whole text of 10,000 files (~50 MB) is never held
    in memory at once (peak ~170 MB lower than ``render_json``, for ~0.4 s more)."""
    with open(target, "w", encoding="utf-8", buffering=1024 * 1024) as handle:
        json.dump(data, handle, ensure_ascii=False)
        handle.write("\n")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's live process, or no way to tell: keep its folder
    return True


def staging_folder(review_dir: Path, kind: str) -> Path:
    """A fresh staging folder beside ``review_dir``, named after it and this process, after
    removing the staging folders that runs killed midway (dead process id) left behind."""
    review_dir = review_dir.resolve()  # a symlinked -o: stage beside the real folder
    name = review_dir.name or "review"
    stem = f".{name}.{kind}-"
    parent = review_dir.parent
    leftovers = [*parent.glob(f".{glob.escape(name)}.*-*-*"), *review_dir.glob(".staging.*-*-*")]
    for stale in leftovers:
        pid = stale.name.split(".")[-1].split("-")
        if len(pid) >= 3 and pid[1].isdigit() and stale.is_dir() and not _alive(int(pid[1])):
            shutil.rmtree(stale, ignore_errors=True)
    try:
        same_disk = parent != review_dir and parent.stat().st_dev == review_dir.stat().st_dev
    except OSError:
        same_disk = False
    if same_disk:
        try:
            return Path(tempfile.mkdtemp(prefix=f"{stem}{os.getpid()}-", dir=parent))
        except PermissionError:
            pass
    # the review folder is a mount point (a network share), or was prepared for us in a folder
    # we may not write to: stage inside it — the same file system, so the renames stay atomic;
    # hidden, so never reviewed
    return Path(tempfile.mkdtemp(prefix=f".staging.{kind}-{os.getpid()}-", dir=review_dir))


def write_outputs(result: BatchResult, review_dir: str | os.PathLike) -> list[Path]:
    review_dir = Path(review_dir)
    review_dir.mkdir(parents=True, exist_ok=True)
    staging = staging_folder(review_dir, "review")
    try:
        data = to_data(result)
        write_json(data, staging / JSON_NAME)
        write_review_workbook(result, staging / WORKBOOK_NAME)
        pages = unit_page_names(result)
        by_file: dict[str, list[dict]] = {}
        for finding in data["findings"]:
            by_file.setdefault(finding["file"], []).append(finding)
        (staging / UNITS_DIR).mkdir()
        for row in data["summary"]:
            page = render_unit(row, by_file.get(row["file"], []))
            (staging / UNITS_DIR / pages[row["file"]]).write_text(page, encoding="utf-8")
        (staging / INDEX_NAME).write_text(render_index(result, pages), encoding="utf-8")

        written = []
        for name in (JSON_NAME, WORKBOOK_NAME):
            os.replace(staging / name, review_dir / name)
            written.append(review_dir / name)
        old_units = review_dir / UNITS_DIR
        if old_units.exists():
            os.replace(old_units, staging / "old-units")
        os.replace(staging / UNITS_DIR, review_dir / UNITS_DIR)
        os.replace(staging / INDEX_NAME, review_dir / INDEX_NAME)
        written.extend([review_dir / UNITS_DIR, review_dir / INDEX_NAME])
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
