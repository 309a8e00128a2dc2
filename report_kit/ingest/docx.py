"""A Word report (.docx) → paragraphs and grid rows, with merged cells in their places.

python-docx opens the package; the body is then walked in document order (paragraphs and
tables interleaved, as the reader sees them). A table is rebuilt as a grid from each cell's
``w:gridSpan`` (merged across) and ``w:vMerge`` (merged down): the continuation places are
``None``, so no number lands in a neighbour's column. Nested tables are read as their own
tables after the one that holds them. The zip container passes the same bomb and DTD checks
as a workbook before python-docx sees it.
"""

from __future__ import annotations

import io

from report_kit.ingest.model import Document, Paragraph, TableRow

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text(element) -> str:
    parts: list[str] = []
    for node in element.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}p"):
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}p":
            if parts and parts[-1] != "\n":
                parts.append("\n")
        else:
            parts.append(" ")
    return " ".join("".join(parts).split())


def _int(value, default: int = 1) -> int:
    try:
        return max(1, min(int(value), 200))
    except (TypeError, ValueError):
        return default


def grid(tbl) -> list[list[str | None]]:
    rows: list[list[str | None]] = []
    for tr in tbl.iterchildren(f"{W}tr"):
        row: list[str | None] = []
        for tc in tr.iterchildren(f"{W}tc"):
            props = tc.find(f"{W}tcPr")
            span, continued = 1, False
            if props is not None:
                grid_span = props.find(f"{W}gridSpan")
                if grid_span is not None:
                    span = _int(grid_span.get(f"{W}val"))
                v_merge = props.find(f"{W}vMerge")
                if v_merge is not None and v_merge.get(f"{W}val", "continue") != "restart":
                    continued = True
            text = " ".join(_text(p) for p in tc.iterchildren(f"{W}p")).strip()
            row.append(None if continued else text)
            row.extend([None] * (span - 1))
        rows.append(row)
    return rows


def read_docx(data: bytes, clean) -> Document:
    import docx

    document = Document("docx")
    word = docx.Document(io.BytesIO(data))
    title = word.core_properties.title
    if title:
        document.title_hint = clean(title)
    tables = 0
    paragraphs = 0
    body_children = list(word.element.body.iterchildren())
    for element in body_children:
        if element.tag == f"{W}p":
            text = _text(element)
            if text:
                paragraphs += 1
                style = element.find(f"{W}pPr/{W}pStyle")
                heading = style is not None and "heading" in str(style.get(f"{W}val", "")).lower()
                document.blocks.append(Paragraph(clean(text), f"第{paragraphs}段", heading))
        elif element.tag == f"{W}tbl":
            for table in [element, *(t for t in element.iter(f"{W}tbl") if t is not element)]:
                tables += 1
                for r, cells in enumerate(grid(table), start=1):
                    where = [f"第{tables}个表格第{r}行第{c}列" for c in range(1, len(cells) + 1)]
                    document.blocks.append(TableRow([None if x is None else clean(x) for x in cells], where))
        elif element.tag == f"{W}sdt":  # content controls wrap paragraphs and tables alike
            body_children.extend(element.iter(f"{W}p"))
    return document
