"""A PDF with a text layer → paragraphs and table rows.

PDFium (the ``pypdfium2`` package) extracts each page's text in reading order, line by line,
in a few milliseconds per page; pdfplumber's table finder (pdfminer, pure Python) took over
a second for an eight-page report, beyond the 300 ms budget, and its ruling-line tables
add nothing the table identities do not already check. A table row therefore arrives as a
line such as ``规章 0 0 0`` — a stream whose blank cells may have vanished, read by
:mod:`tables` with that caution — and a label wrapped over several lines is completed by
the lines after it. Prose lines are joined into paragraphs (a line that ends a sentence,
or a heading, ends one), and the spaces PDFium puts between Chinese and digits are removed.
A PDF without a text layer (a scan) is ``R.no_text_layer``; one with a password is refused.

:func:`page_lines` is the one PDF text extractor of the project: work plans
(:mod:`report_kit.plan.extract`) read their lines through it too.
"""

from __future__ import annotations

import re

from report_kit.catalogue import emit
from report_kit.ingest.model import Document, Paragraph, TableRow
from report_kit.ingest.text import is_prose, split_line

MAX_PAGES = 200
MIN_TEXT = 20  # characters: fewer in the whole document means no text layer
_PAGE_NUMBER = re.compile(r"^[—\-－–]?\s*[0-9]{1,3}\s*[—\-－–]?$|^第\s*[0-9]+\s*页(?:\s*共\s*[0-9]+\s*页)?$")
_WIDE = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’、]"
_SPACE_NEAR_WIDE = re.compile(rf"(?<={_WIDE})\s+|\s+(?={_WIDE})")
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）])")
_ENDS = ("。", "！", "？", "；", "：", "!", "?", ";", ":")


class PdfLocked(Exception):
    """The PDF asks for a password before it shows its text."""


def prose(line: str) -> str:
    return _SPACE_NEAR_WIDE.sub("", line)


def page_lines(data: bytes, clean) -> tuple[int, list[tuple[str, str]]]:
    """The page count and the non-empty, cleaned lines of a PDF's text layer with their page
    (「第2页」), running page numbers left out. ``PdfLocked`` for a password; a damaged file
    raises ``pypdfium2.PdfiumError``. A scan gives (almost) no lines: see ``has_text``."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise PdfLocked from None
        raise
    try:
        pages = len(pdf)
        lines: list[tuple[str, str]] = []
        for index in range(min(pages, MAX_PAGES)):
            page = pdf[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
            for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
                line = clean(raw).strip()
                if line and not _PAGE_NUMBER.match(line):
                    lines.append((line, f"第{index + 1}页"))
    finally:
        pdf.close()
    return pages, lines


def has_text(lines: list[tuple[str, str]]) -> bool:
    """Enough text for a text layer (a scanner's stray marks are not one)."""
    return sum(len(line) for line, _ in lines) >= MIN_TEXT


def read_pdf(data: bytes, clean) -> Document:
    from report_kit.ingest import _Refused

    try:
        pages, lines = page_lines(data, clean)
    except PdfLocked:
        fix = "请提供未加密的PDF，或提供网页版、Word版报告。"
        raise _Refused([emit("F.unsupported", {"reason": "PDF设置了打开密码", "how_to_fix": fix})]) from None
    if not has_text(lines):
        raise _Refused([emit("R.no_text_layer", {"reason": f"共{pages}页，没有文字"})])
    document = Document("pdf")
    widest = max(len(prose(line)) for line, _ in lines)
    paragraph: list[str] = []
    where = ""

    def flush() -> None:
        if paragraph:
            document.blocks.append(Paragraph("".join(paragraph), where))
            paragraph.clear()

    for line, page in lines:
        text = prose(line)
        if _HEADING.match(text) or not paragraph:
            flush()
            where = page
        paragraph.append(text)
        if text.endswith(_ENDS) or len(text) < 0.7 * widest or _HEADING.match(text) and len(text) < 30:
            flush()
        if not is_prose(text):
            cells = split_line(line)
            document.blocks.append(TableRow(cells, [page] * len(cells), positional=False))
    flush()
    return document
