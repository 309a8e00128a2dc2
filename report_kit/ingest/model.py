"""What every document reader hands on: paragraphs and table rows in reading order.

HTML, Word, PDF and text readers differ only in how they find paragraphs and cells; the
rest (revision, tables, metadata, sections) is the same code for all of them. A table row
knows whether its cells keep their positions (a grid: an empty cell is a blank cell) or
are a stream where blank cells may have vanished (text with one cell per line).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from report_kit.findings import Finding


@dataclass
class Paragraph:
    text: str
    where: str  # 「第12段」, 「第3页」, 「第40行」
    heading: bool = False  # h1–h6, a Word heading style: a hint, never required


@dataclass
class TableRow:
    cells: list[str | None]  # None: the place of a merged (spanned) cell
    where: list[str]  # one per cell: 「第2个表格 第3行 第4列」, 「第40行」
    positional: bool = True  # False: blank cells may have vanished (one cell per line)


@dataclass
class Document:
    kind: str  # html, docx, pdf, txt
    blocks: list[Paragraph | TableRow] = field(default_factory=list)
    title_hint: str | None = None  # <title> of a page, the core properties' title of a .docx
    findings: list[Finding] = field(default_factory=list)  # what the reader itself noticed
    traditional: set[str] = field(default_factory=set)
    pinyin: list[str] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def rows(self) -> list[TableRow]:
        return [b for b in self.blocks if isinstance(b, TableRow)]
