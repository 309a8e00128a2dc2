"""The alias table file of ``archive alias --file``: which old unit names are now called what.

A .csv (UTF-8 or GB18030) or .xlsx (first sheet) whose header row — one of the first ten
rows — names the old and the new name column (旧名称/原名称/曾用名 and 新名称/现名称).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

OLD_HEADERS = ("旧名称", "原名称", "曾用名", "原单位名称", "旧单位名称", "old")
NEW_HEADERS = ("新名称", "现名称", "新单位名称", "现单位名称", "new")


class AliasTableError(ValueError):
    """The alias table cannot be used; the message is Chinese."""


def _rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise AliasTableError(f"更名对照表“{path}”不存在。")
    if suffix == ".csv":
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return list(csv.reader(io.StringIO(data.decode(encoding))))
            except UnicodeDecodeError:
                continue
        raise AliasTableError(f"更名对照表“{path.name}”的编码无法识别，请另存为UTF-8编码的CSV。")
    if suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        try:
            return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        except Exception:
            raise AliasTableError(
                f"更名对照表“{path.name}”无法读取：文件已损坏，或不是Excel工作簿。"
            ) from None
    raise AliasTableError(f"更名对照表应为 .csv 或 .xlsx 文件：{path.name}")


def read_alias_table(path: str | os.PathLike) -> list[tuple[str, str]]:
    """(old name, new name) pairs, in file order; rows with an empty name are skipped."""
    from report_kit.archive.units import name_key

    rows = [[("" if v is None else str(v)).strip() for v in row] for row in _rows(Path(path))]
    header = _header(rows)
    if header is None:
        raise AliasTableError(
            f"更名对照表“{Path(path).name}”中找不到表头：请在前十行中加一行表头，写明“旧名称”和“新名称”两列。"
        )
    at, old, new = header
    pairs = []
    for row in rows[at + 1 :]:
        before = row[old] if old < len(row) else ""
        after = row[new] if new < len(row) else ""
        if name_key(before) and name_key(after):
            pairs.append((before, after))
    if not pairs:
        raise AliasTableError(f"更名对照表“{Path(path).name}”中没有更名记录。")
    return pairs


def _header(rows: list[list[str]]) -> tuple[int, int, int] | None:
    """(row index, old-name column, new-name column) of the first header row among the first ten."""
    from report_kit.archive.units import name_key

    for at, row in enumerate(rows[:10]):
        keys = [name_key(cell) for cell in row]
        old = next((keys.index(name_key(h)) for h in OLD_HEADERS if name_key(h) in keys), None)
        new = next((keys.index(name_key(h)) for h in NEW_HEADERS if name_key(h) in keys), None)
        if old is not None and new is not None:
            return at, old, new
    return None
