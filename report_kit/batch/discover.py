"""Finding the submissions in a folder tree, in one deterministic order."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from report_kit.batch.clean import display_path
from report_kit.ingest import DOCUMENT_SUFFIXES, TEXT_SUFFIXES

# Workbooks in every spreadsheet format a unit may send (.xlsm, old .xls, WPS .et, .ods): the
# reader either reads them or says exactly why not — better than silently skipping the file.
SUBMISSION_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".json", ".yaml", ".yml")
# Published reports (ingest.md): pages, Word, PDF. Plain text and Markdown are left out: in a
# review folder a .txt/.md file is the office's or the sender's note (「说明.txt」) far more
# often than a report; import and check read them when named.
PUBLISHED_SUFFIXES = tuple(s for s in DOCUMENT_SUFFIXES if s not in TEXT_SUFFIXES)


@dataclass
class Discovery:
    submissions: list[Path] = field(default_factory=list)  # absolute paths, sorted by relative path
    skipped: list[str] = field(default_factory=list)  # relative paths of other visible files
    # why a skipped path was not even looked at (pipes, devices, broken links), in Chinese
    skip_reasons: dict[str, str] = field(default_factory=dict)
    root: Path = Path(".")

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def not_regular(path: Path) -> str:
    """Why ``path`` is no file to read (Chinese), or '' for a regular file. Opening a FIFO would
    block the batch forever and a device may never end, so neither is ever opened."""
    import stat

    try:
        mode = path.lstat().st_mode
    except OSError:
        return "无法访问，已跳过"
    if stat.S_ISLNK(mode):
        try:
            mode = path.stat().st_mode
        except OSError:
            return "是指向不存在文件的快捷方式（符号链接），已跳过"
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISFIFO(mode):
        return "是命名管道，不是普通文件，未读取"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "是设备文件，不是普通文件，未读取"
    if stat.S_ISSOCK(mode):
        return "是套接字，不是普通文件，未读取"
    return "不是普通文件，未读取"


def _ignored(name: str) -> bool:
    # Hidden files (editors, VCS, our own temp files) and Office lock files 「~$文件名.xlsx」.
    return name.startswith((".", "~$"))


def _inside(path: Path, root: Path) -> bool:
    """False for a symlink that leads out of the tree (e.g. ``x.json -> /etc/passwd``)."""
    if not path.is_symlink():
        return True
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


# The review's own files, when an earlier review folder was left inside the folder reviewed.
REVIEW_FILES = ("审核结果.json", "审核结果.xlsx")


def _own_output(path: Path) -> bool:
    return path.name in REVIEW_FILES and (path.parent / "index.html").is_file()


def _review_folder(directory: Path) -> bool:
    """An earlier review (审核结果.json and index.html side by side): its pages are not reports."""
    return (directory / REVIEW_FILES[0]).is_file() and (directory / "index.html").is_file()


def discover(
    root: str | os.PathLike,
    exclude: str | os.PathLike | None = None,
    exclude_files: tuple[str | os.PathLike, ...] = (),
) -> Discovery:
    """Every submission file under ``root``; ``exclude`` (the review folder) is never entered,
    ``exclude_files`` (the roster, when it lies in the folder) and earlier review results are
    listed as skipped.

    Symlinked directories are not followed, so a link cannot make the walk loop or leave the tree.
    """
    root = Path(root).resolve()
    excluded = Path(exclude).resolve() if exclude is not None else None
    not_submissions = {Path(f).resolve() for f in exclude_files}
    found = Discovery(root=root)
    reviews: list[Path] = []
    for directory, subdirs, files in os.walk(root):
        here = Path(directory)
        if _review_folder(here):
            reviews.append(here)
        in_review = any(here == r or r in here.parents for r in reviews)
        subdirs[:] = sorted(d for d in subdirs if not _ignored(d) and (here / d).resolve() != excluded)
        for name in files:
            if _ignored(name):
                continue
            path = here / name
            reason = not_regular(path)
            if reason:
                shown = display_path(path.relative_to(root).as_posix())
                found.skipped.append(shown)
                found.skip_reasons[shown] = reason
                continue
            if (
                name.lower().endswith(SUBMISSION_SUFFIXES + PUBLISHED_SUFFIXES)
                and _inside(path, root)
                and path.resolve() not in not_submissions
                and not _own_output(path)
                and not (in_review and name.lower().endswith(PUBLISHED_SUFFIXES))
            ):
                found.submissions.append(path)
            else:
                found.skipped.append(display_path(path.relative_to(root).as_posix()))
    found.submissions.sort(key=lambda p: p.relative_to(root).as_posix())
    found.skipped.sort()
    return found
