"""Text out of a plan document: lines of text and, where the file has them, real tables.

A plan needs only its text: paragraphs in reading order, and a Word or HTML table kept as rows
of cells so that a vertically merged cell (牵头单位 over several tasks) is known to be merged.
Word, HTML and PDF go through the report importer's readers (``report_kit.ingest``: zip guard,
gridSpan/vMerge and rowspan/colspan grids, charset, traditional → simplified, PDFium's text
layer without running page numbers); plain text keeps its raw lines here, because a table
copied into text is told apart by its tabs and blank lines.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from report_kit.plan.ledger import PlanError
from report_kit.settings import MAX_INPUT_BYTES

SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm")


@dataclass
class Cell:
    text: str
    merged: bool = False  # continuation of a vertical merge: the text is the one of the cell above


@dataclass
class Table:
    rows: list[list[Cell]] = field(default_factory=list)


Block = "str | Table"


def extract(path: str | os.PathLike) -> list:
    """The blocks (str lines and Tables) of a plan, in reading order; PlanError when unusable."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise PlanError(
            f"不支持的工作要点文件类型“{path.suffix or path.name}”：请提供 .txt、.docx、.pdf 或 .html 文件。"
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        from report_kit.os_errors import os_reason

        raise PlanError(f"无法读取工作要点文件“{path.name}”（{os_reason(exc)}）。") from None
    if not path.is_file():
        raise PlanError(f"“{path}”不是文件。")
    if size == 0:
        raise PlanError(f"工作要点文件“{path.name}”是空文件（0字节）。")
    if size > MAX_INPUT_BYTES:
        raise PlanError(f"工作要点文件“{path.name}”过大（超过{MAX_INPUT_BYTES // 1024 // 1024}MB）。")
    if suffix == ".txt":
        blocks = _text_lines(decode(path.read_bytes(), path.name))
    elif suffix == ".docx":
        blocks = _docx(path)
    elif suffix == ".pdf":
        blocks = _pdf(path)
    else:
        blocks = _html(path.read_bytes())
    if not any((b.strip() if isinstance(b, str) else b.rows) for b in blocks):
        raise PlanError(f"工作要点文件“{path.name}”中没有文字。")
    return blocks


def decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PlanError(f"工作要点文件“{name}”的编码无法识别，请另存为UTF-8编码。")


def _text_lines(text: str) -> list:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# --- Word and HTML: the report importer's readers (report_kit.ingest) ---------------------


def _cleaned(text: str) -> str:
    from report_kit.ingest.clean import clean

    return clean(text).text


def _docx(path: Path) -> list:
    import io

    from report_kit.ingest.docx import read_docx
    from report_kit.readers.zip_guard import check_xlsx_container

    data = path.read_bytes()
    refused = check_xlsx_container(io.BytesIO(data))
    if refused:
        raise PlanError(f"Word文件“{path.name}”无法打开：{refused[0].message}")
    try:
        document = read_docx(data, _cleaned)
    except Exception:
        raise PlanError(
            f"Word文件“{path.name}”无法打开：文件已损坏，或不是.docx格式（.doc请先另存为.docx）。"
        ) from None
    return _from_document(document)


def _html(data: bytes) -> list:
    from report_kit.ingest.html import read_html

    return _from_document(read_html(data, _cleaned))


def _from_document(document) -> list:
    """The importer's paragraphs and grid rows as lines and Tables (consecutive rows: one table)."""
    from report_kit.ingest.model import TableRow

    blocks: list = []
    grid: list[list[str | None]] = []
    for block in document.blocks:
        if isinstance(block, TableRow):
            grid.append(block.cells)
            continue
        if grid:
            blocks.append(_grid_table(grid))
            grid = []
        blocks.extend(_text_lines(block.text))
    if grid:
        blocks.append(_grid_table(grid))
    return blocks


def _grid_table(grid: list[list[str | None]]) -> Table:
    """A grid (``None`` where a cell spans) as rows of Cells: in a task row a spanned place takes
    the text above it, marked merged (牵头单位 merged down); a heading row spans across."""
    table = Table()
    above: dict[int, str] = {}
    for cells in grid:
        filled = {c for c in cells if c}
        heading = len(filled) <= 1
        row = []
        for col, text in enumerate(cells):
            if text is None and not heading and above.get(col):
                row.append(Cell(above[col], merged=True))
            else:
                row.append(Cell(text or ""))
        if not heading:
            above = {col: cell.text for col, cell in enumerate(row)}
        table.rows.append(row)
    return table


# --- PDF: the report importer's text layer (report_kit.ingest.pdf) -----------------------


def _pdf(path: Path) -> list:
    """The lines of a PDF's text layer, read like a published report's (``ingest.pdf``)."""
    import pypdfium2 as pdfium

    from report_kit.ingest.pdf import PdfLocked, has_text, page_lines

    try:
        _, lines = page_lines(path.read_bytes(), _cleaned)
    except PdfLocked:
        raise PlanError(
            f"PDF文件“{path.name}”设置了打开密码：请提供未加密的PDF，或Word、文本格式的工作要点。"
        ) from None
    except (OSError, pdfium.PdfiumError):
        raise PlanError(f"PDF文件“{path.name}”无法读取：文件已损坏，或不是PDF格式。") from None
    if not has_text(lines):
        raise PlanError(
            f"PDF文件“{path.name}”中没有文字层（可能是扫描件或图片）：请提供可复制文字的PDF、Word或文本文件。"
        )
    return [line for line, _ in lines]
