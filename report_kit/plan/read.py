"""``read_plan``: a plan document → its ledger (tasks in order, units as printed, resolved names).

Which reader runs is decided from what the document holds: a real table with a task header
(Word/HTML), a table flattened into text (its header cells on lines of their own or tab-separated),
or else numbered paragraphs. Units are resolved afterwards (``resolve.resolve_ledger``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from report_kit.plan import prose, table
from report_kit.plan.document import read_document
from report_kit.plan.extract import Table, extract
from report_kit.plan.ledger import Ledger, PlanError, Task


def read_plan(path: str | os.PathLike, *, roster=None, archive=None) -> Ledger:
    """Read a plan; ``roster`` (a list of RosterUnit) and ``archive`` (an open Archive) resolve units."""
    path = Path(path)
    blocks = extract(path)
    ledger = parse_blocks(blocks, path.name)
    ledger.source = str(path)
    from report_kit.plan.resolve import resolve_ledger

    resolve_ledger(ledger, roster=roster, archive=archive)
    return ledger


def parse_blocks(blocks: list, name: str = "") -> Ledger:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            lines.append(block)
        else:
            lines.extend("\t".join(c.text.replace("\n", "") for c in row) for row in block.rows)
    document = read_document(lines)
    tasks = _tasks(blocks, lines, document)
    if not tasks:
        raise PlanError(
            f"“{name}”中没有识别出任务：工作要点的任务应编号（如“1.”“（一）”），"
            "并在括号或“责任单位：”行中写明责任单位；若为表格，表头应含“重点任务”“牵头单位”“责任单位”等列。"
        )
    ledger = Ledger(document, tasks)
    ledger.number_tasks()
    return ledger


def _tasks(blocks: list, lines: list[str], document: dict) -> list[Task]:
    tables = [b for b in blocks if isinstance(b, Table)]
    found: list[Task] = []
    for item in tables:
        found += table.parse_table(item) or []
    if found:
        return found
    text_lines = [b for b in blocks if isinstance(b, str)]
    header = table.find_flat_header(text_lines)
    if header:
        start, roles, style = header
        found = table.parse_flat(text_lines, start, roles, style)
        if found:
            return found
    return prose.parse_prose(text_lines, _start(text_lines, document.get("title")))


def _start(lines: list[str], title: str | None) -> int:
    """The line after the plan's own title (the notice above it assigns no tasks)."""
    if not title:
        return 0
    for at, line in enumerate(lines):
        if re.sub(r"[\s\u3000\xa0《》]+", "", line) == title:
            return at + 1
    return 0
