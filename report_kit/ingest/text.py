"""Text copied from a page or dumped by a crawler → paragraphs and table rows.

The same table arrives as pipe rows (``规章 | 0 | 0 | 0 |``, with stray ``|``/``||`` lines),
one cell per line (cells separated by blank lines, or each ending in `` |``), or with the
numbers after the label separated by spaces or by nothing at all (``…数量35200037``). Pipe
rows keep their positions, and so do cells written one per line each ending in 「 |」, where a
lone 「|」 line is a blank cell; every other rendering is a stream in which blank cells may
have vanished, and :mod:`tables` treats it so.
"""

from __future__ import annotations

import re

from report_kit.ingest.cells import DASH, NUMBER, read_cell
from report_kit.ingest.model import Document, Paragraph, TableRow

_PIPES = re.compile(r"[|｜]")
_RULE = re.compile(r"^[\s|｜:：\-—=+]*$")  # |---|---| and lone pipes
_GLUED = re.compile(r"^(?P<label>.*[\u4e00-\u9fff）)”\"」』])(?P<digits>[0-9]+)$")
_PROSE_END = re.compile(r"[。！？!?；;]$")
PROSE_LENGTH = 60


def is_prose(line: str) -> bool:
    return len(line) > PROSE_LENGTH or (len(line) > 24 and bool(_PROSE_END.search(line)))


def split_line(line: str) -> list[str]:
    """A short line → [label, value, value, …]: trailing numbers (and 「/」「无」) are values."""
    tokens = line.split()
    values: list[str] = []
    while tokens and read_cell(tokens[-1]).kind in (NUMBER, DASH):
        values.insert(0, tokens.pop())
    if tokens:
        glued = _GLUED.match(tokens[-1])
        if glued and not values:
            tokens[-1] = glued.group("label")
            values = [glued.group("digits")]
    label = " ".join(tokens)
    return ([label] if label else []) + values


def read_text(text: str, clean) -> Document:
    document = Document("txt")
    cells_end_in_pipe = False  # 「规章 |」「0 |」: then a lone 「|」 is a blank cell, not a separator
    for number, raw in enumerate(text.splitlines(), start=1):
        line = clean(raw).strip()
        where = f"第{number}行"
        if line in ("|", "｜") and cells_end_in_pipe:
            document.blocks.append(TableRow([""], [where], positional=True))
            continue
        if not line or _RULE.match(line):
            continue
        cells_end_in_pipe = line.endswith(("|", "｜")) and len(_PIPES.findall(line)) == 1
        if _PIPES.search(line):
            cells = [c.strip() for c in _PIPES.split(line)]
            if cells and not cells[0]:
                cells = cells[1:]
            if cells and not cells[-1]:
                cells = cells[:-1]
            if not any(cells):
                continue
            if len(cells) == 1:
                document.blocks.append(Paragraph(cells[0], where))
                # one cell per line ending in 「|」: a cell of its own, its place kept
                document.blocks.append(TableRow(cells, [where], positional=cells_end_in_pipe))
                continue
            document.blocks.append(TableRow(cells, [f"{where}第{i}格" for i in range(1, len(cells) + 1)]))
            document.blocks.append(Paragraph(" ".join(c for c in cells if c), where))
            continue
        document.blocks.append(Paragraph(line, where))
        if not is_prose(line):
            cells = split_line(line)
            document.blocks.append(TableRow(cells, [where] * len(cells), positional=False))
    return document
