"""Text out of a plan document: lines of text and, where the file has them, real tables.

A plan needs only its text: paragraphs in reading order, and a Word or HTML table kept as rows
of cells so that a vertically merged cell (牵头单位 over several tasks) is known to be merged.
This is a small extractor of the plan package's own; when a shared one for published reports
lands (report_kit/ingest), the two should be unified.
"""

from __future__ import annotations

import os
import shutil
import subprocess
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
        blocks = _html(decode(path.read_bytes(), path.name))
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


# --- Word -------------------------------------------------------------------------------


def _docx(path: Path) -> list:
    try:
        import docx
        from docx.oxml.ns import qn

        document = docx.Document(str(path))
    except Exception:
        raise PlanError(
            f"Word文件“{path.name}”无法打开：文件已损坏，或不是.docx格式（.doc请先另存为.docx）。"
        ) from None
    blocks: list = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            blocks.extend(_text_lines(_paragraph_text(child)))
        elif child.tag == qn("w:tbl"):
            blocks.append(_docx_table(child))
    return blocks


def _paragraph_text(p) -> str:
    from docx.oxml.ns import qn

    parts = []
    for node in p.iter(qn("w:t"), qn("w:tab"), qn("w:br")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab"):
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _docx_table(tbl) -> Table:
    """Rows of cells on the table grid; a horizontally merged cell is repeated over its span,
    a vertical continuation (w:vMerge without restart) repeats the text above, marked merged."""
    from docx.oxml.ns import qn

    table = Table()
    above: dict[int, str] = {}
    for tr in tbl.iter(qn("w:tr")):
        row: list[Cell] = []
        col = 0
        for tc in tr.iterchildren(qn("w:tc")):
            props = tc.find(qn("w:tcPr"))
            span, vmerge = 1, None
            if props is not None:
                grid = props.find(qn("w:gridSpan"))
                if grid is not None:
                    span = int(grid.get(qn("w:val")) or 1)
                vm = props.find(qn("w:vMerge"))
                if vm is not None:
                    vmerge = vm.get(qn("w:val")) or "continue"
            text = "\n".join(_paragraph_text(p) for p in tc.iter(qn("w:p"))).strip()
            merged = vmerge == "continue"
            if merged:
                text = above.get(col, "")
            for _ in range(span):
                row.append(Cell(text, merged))
                above[col] = text
                col += 1
        table.rows.append(row)
    return table


# --- PDF --------------------------------------------------------------------------------


def _pdf(path: Path) -> list:
    tool = shutil.which("pdftotext")
    if tool is None:
        raise PlanError(
            "读取PDF需要poppler的pdftotext程序，本机未安装：请安装poppler-utils，或把工作要点另存为.docx/.txt。"
        )
    try:
        done = subprocess.run(
            [tool, "-enc", "UTF-8", "-nopgbrk", str(path), "-"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        raise PlanError(f"PDF文件“{path.name}”无法读取。") from None
    if done.returncode != 0:
        raise PlanError(f"PDF文件“{path.name}”无法读取：文件已损坏或已加密。")
    text = done.stdout.decode("utf-8", "replace")
    if not text.strip():
        raise PlanError(
            f"PDF文件“{path.name}”中没有文字层（可能是扫描件或图片）：请提供可复制文字的PDF、Word或文本文件。"
        )
    return _text_lines(text)


# --- HTML -------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "section",
    "article",
    "td",
    "th",
}


def _html(text: str) -> list:
    import lxml.html

    try:
        root = lxml.html.document_fromstring(text)
    except Exception:
        raise PlanError("网页文件无法解析。") from None
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    blocks: list = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            blocks.extend(_text_lines("".join(buffer)))
            buffer.clear()

    def walk(node) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "table":
            flush()
            blocks.append(_html_table(node))
            if node.tail:
                buffer.append(node.tail)
            return
        if tag in _BLOCK_TAGS:
            flush()
        if node.text and tag:
            buffer.append(node.text)
        for child in node:
            walk(child)
        if tag in _BLOCK_TAGS:
            flush()
        if node.tail:
            buffer.append(node.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    return blocks


def _html_table(node) -> Table:
    table = Table()
    pending: dict[int, tuple[str, int]] = {}  # column → (text, rows still covered) of a rowspan
    for tr in node.iter("tr"):
        row: list[Cell] = []
        col = 0
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        queue = list(cells)
        while queue or col in pending:
            if col in pending:
                text, left = pending[col]
                row.append(Cell(text, True))
                if left <= 1:
                    del pending[col]
                else:
                    pending[col] = (text, left - 1)
                col += 1
                continue
            cell = queue.pop(0)
            text = "\n".join(t.strip() for t in cell.itertext() if t.strip())
            span = _int(cell.get("colspan"))
            down = _int(cell.get("rowspan"))
            for _ in range(span):
                row.append(Cell(text))
                if down > 1:
                    pending[col] = (text, down - 1)
                col += 1
        table.rows.append(row)
    return table


def _int(value) -> int:
    try:
        return max(1, min(int(value), 1000))
    except (TypeError, ValueError):
        return 1
