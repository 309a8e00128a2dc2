"""A saved web page (政府信息公开专栏) → paragraphs and table rows.

The page is decoded by its BOM, its declared charset, or by trying UTF-8 and then GB18030
(which covers GBK and GB2312). Tables are rebuilt as grids from ``rowspan``/``colspan``, so
a merged cell occupies its places (as ``None``) instead of shifting its neighbours — the
HTML text alone cannot tell which column a number is in. Scripts, styles and navigation are
dropped; everything else is kept in reading order and the common code finds the report in it.
"""

from __future__ import annotations

import re

from report_kit.ingest.model import Document, Paragraph, TableRow

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_DROP = {"script", "style", "noscript", "template", "iframe", "object", "svg", "select", "button", "head"}
_BLOCK = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "h1", "h2", "h3", "h4",
    "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "address", "center", "form",
    "fieldset", "figure", "figcaption", "caption", "hr", "body", "html",
}  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
MAX_SPAN = 200


def decode(data: bytes) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace")
    declared = _CHARSET.search(data[:4096])
    codecs = []
    if declared:
        name = declared.group(1).decode("ascii", "ignore").lower()
        codecs.append("gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk") else name)
    codecs += ["utf-8", "gb18030"]
    for codec in codecs:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", "replace")


def _span(element, name: str) -> int:
    try:
        return max(1, min(int(str(element.get(name, "1")).strip() or 1), MAX_SPAN))
    except ValueError:
        return 1


def _cell_text(element) -> str:
    parts = []
    for piece in element.itertext():
        parts.append(piece)
    return " ".join("".join(parts).split())


def grid(table) -> list[list[str | None]]:
    """The table as a rectangle: each cell's text at its first place, ``None`` where it spans."""
    rows: list[list[str | None]] = []
    pending: dict[tuple[int, int], bool] = {}  # (row, col) taken by a rowspan from above
    own_rows = [tr for tr in table.iter("tr") if _owner(tr) is table]
    for r, tr in enumerate(own_rows):
        row: list[str | None] = []
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                continue
            while pending.pop((r, c), False):
                row.append(None)
                c += 1
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            row.append(_cell_text(cell))
            row.extend([None] * (colspan - 1))
            for dr in range(1, rowspan):
                for dc in range(colspan):
                    pending[(r + dr, c + dc)] = True
            c += colspan
        while pending.pop((r, c), False):
            row.append(None)
            c += 1
        rows.append(row)
    return rows


def _owner(tr):
    node = tr.getparent()
    while node is not None and (not isinstance(node.tag, str) or node.tag.lower() != "table"):
        node = node.getparent()
    return node


def read_html(data: bytes, clean) -> Document:
    import lxml.html

    text = decode(data)
    document = Document("html")
    try:
        root = lxml.html.document_fromstring(text)
    except Exception:  # lxml refuses an empty or binary page
        return document
    title = root.find(".//title")
    if title is not None and title.text:
        document.title_hint = clean(title.text)
    tables = 0
    line: list[str] = []
    paragraphs = 0

    def flush(heading: bool = False) -> None:
        nonlocal paragraphs
        joined = " ".join("".join(line).split())
        line.clear()
        if joined:
            paragraphs += 1
            document.blocks.append(Paragraph(clean(joined), f"第{paragraphs}段", heading))

    def walk(element) -> None:
        nonlocal tables
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag in _DROP:
            if element.tail:
                line.append(element.tail)
            return
        if tag == "table":
            flush()
            tables += 1
            for r, cells in enumerate(grid(element), start=1):
                where = [f"第{tables}个表格第{r}行第{c}列" for c in range(1, len(cells) + 1)]
                document.blocks.append(TableRow([None if x is None else clean(x) for x in cells], where))
            if element.tail:
                line.append(element.tail)
            return
        if tag == "br" or tag in _BLOCK:
            flush()
        if element.text and tag:
            line.append(element.text)
        for child in element:
            walk(child)
        if tag in _BLOCK:
            flush(tag in _HEADINGS)
        if element.tail:
            line.append(element.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    return document
