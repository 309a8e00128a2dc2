"""The compiled report as one self-contained, accessible HTML page for the unit's website.

It renders :class:`report_kit.report_content.ReportContent` — the same blocks the Word
writer renders — so the web page and the printed report say the same thing. One file, no
external assets and no script: government sites copy reports into their CMS, and a page
that needs a stylesheet or a font from elsewhere breaks there. The official tables keep
their merged cells (rowspan/colspan), header cells carry ``scope`` so screen readers can
name a cell by its row and column, and wide tables scroll sideways inside their own box on a
phone instead of widening the page. Every piece of submission text goes through
:func:`html.escape`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from html import escape

from report_kit.atomic import atomic_path
from report_kit.report_content import MARK_NAMES, ReportContent, Table, TableCell

# Font stacks: the official faces first (present on government PCs), then the faces of
# Windows, macOS and Android/Linux, so that 仿宋/黑体/楷体 roles survive everywhere.
_FANGSONG = '"仿宋_GB2312", "仿宋", FangSong, STFangsong, "Noto Serif CJK SC", "Source Han Serif SC", serif'
_HEITI = '"黑体", SimHei, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif'
_KAITI = '"楷体_GB2312", "楷体", KaiTi, STKaiti, "AR PL UKai CN", serif'
_SONGTI = '"宋体", SimSun, "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", serif'
_TITLE = '"方正小标宋简体", "华文中宋", STZhongsong, "Noto Serif CJK SC", "Source Han Serif SC", serif'

KEEP_TOGETHER_ROWS = 16  # as the Word writer: 表二 (14 rows) and 表四 are never split across pages

CSS = f"""
:root {{ color-scheme: light; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: #f4f4f4; color: #000; font-family: {_FANGSONG};
  font-size: 18px; line-height: 1.8; -webkit-text-size-adjust: 100%; }}
main {{ max-width: 52em; margin: 0 auto; padding: 2.5em 3em 3em; background: #fff; }}
.draft {{ margin: 0 0 1em; padding: .4em .8em; border: 2px solid #b00000; color: #b00000;
  font-family: {_HEITI}; text-align: center; letter-spacing: .1em; }}
h1 {{ margin: .5em 0 1.2em; font-family: {_TITLE}; font-size: 1.55em; font-weight: normal;
  line-height: 1.5; text-align: center; }}
h2 {{ margin: 1em 0 0; font-family: {_HEITI}; font-size: 1em; font-weight: normal; text-indent: 2em; }}
h3 {{ margin: 0; font-family: {_KAITI}; font-size: 1em; font-weight: normal; text-indent: 2em; }}
p {{ margin: 0; text-align: justify; text-indent: 2em; overflow-wrap: anywhere; }}
h1, h2, h3 {{ break-after: avoid; page-break-after: avoid; overflow-wrap: anywhere; }}
.table-wrap {{ margin: .6em 0 1em; overflow-x: auto; -webkit-overflow-scrolling: touch; }}
.table-wrap:focus {{ outline: 2px solid #1a5fb4; outline-offset: 2px; }}
table {{ width: 100%; border-collapse: collapse; font-size: 14px; line-height: 1.4; }}
caption {{ padding: .3em 0; font-family: {_HEITI}; font-size: 15px; text-align: center; }}
th, td {{ padding: .3em .35em; border: 1px solid #000; vertical-align: middle; text-align: center;
  font-weight: normal; overflow-wrap: anywhere; }}
th {{ background: #f2f2f2; }}
td {{ font-variant-numeric: tabular-nums; }}
.left {{ text-align: left; }}
.note {{ font-size: 13px; }}
.mark-involved {{ background: #f8d0cc; }}
.mark-suspect {{ background: #ee9a92; outline: 2px solid #c00000; outline-offset: -2px; }}
.mark-involved, .mark-suspect {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
.vertical {{ writing-mode: vertical-rl; text-orientation: upright; letter-spacing: .15em; }}
.pair {{ word-break: keep-all; }}
.signature {{ text-align: right; text-indent: 0; padding-right: 4em; white-space: pre-wrap; }}
.signature-first {{ margin-top: 2em; }}
.annex {{ margin-top: 3em; }}
.annex h2 {{ text-indent: 0; }}
@media (max-width: 640px) {{
  body {{ font-size: 17px; background: #fff; }}
  main {{ padding: 1em .9em 2em; }}
  .signature {{ padding-right: 1em; }}
  caption {{ text-align: left; }}
  .stick {{ position: sticky; z-index: 1; background: #f2f2f2; box-shadow: inset -1px 0 #000; }}
}}
@media print {{
  @page {{ size: A4; margin: 37mm 26mm 35mm 28mm; }}
  @page :right {{ @bottom-right {{ content: "— " counter(page) " —"; font: 14pt {_SONGTI};
    padding-right: 1em; vertical-align: top; padding-top: 7mm; }} }}
  @page :left {{ @bottom-left {{ content: "— " counter(page) " —"; font: 14pt {_SONGTI};
    padding-left: 1em; vertical-align: top; padding-top: 7mm; }} }}
  body {{ background: #fff; font-size: 16pt; line-height: 28.95pt; }}
  main {{ max-width: none; margin: 0; padding: 0; }}
  .table-wrap {{ overflow: visible; }}
  .table-wrap.keep {{ break-inside: avoid; page-break-inside: avoid; }}
  caption {{ break-after: avoid; page-break-after: avoid; }}
  table {{ min-width: 0 !important; font-size: 10.5pt; line-height: 1.3; }}
  caption {{ font-size: 14pt; }}
  th {{ background: none; }}
  thead {{ display: table-header-group; }}
  thead.no-repeat {{ display: table-row-group; }}
  tr {{ break-inside: avoid; page-break-inside: avoid; }}
  tr.with-next {{ break-after: avoid; page-break-after: avoid; }}
  tr.with-prev {{ break-before: avoid; page-break-before: avoid; }}
  .draft {{ border-width: 1pt; }}
  .annex {{ break-before: page; page-break-before: always; margin-top: 0; }}
}}
""".strip()


def _text(value: str) -> str:
    return escape(value, quote=True)


def _scope(cell: TableCell, in_head: bool) -> str:
    if cell.kind == "block":
        # in <thead> the block row heads the column headers beneath it; in a <tbody> its rows
        return "colgroup" if in_head else "rowgroup"
    if cell.kind == "label" and not in_head:
        return "row"
    return "col"


# A mark on a data cell, for pages that show findings on the drawing (``report-kit serve``):
# (css class, tooltip, note shown under the value), or None for an unmarked cell.
CellMark = Callable[[TableCell], "tuple[str, str, str] | None"]


def _cell(
    cell: TableCell,
    in_head: bool,
    vertical: bool = False,
    mark: CellMark | None = None,
    stick: dict[int, float] | None = None,
) -> str:
    attrs = []
    if cell.rowspan > 1:
        attrs.append(f' rowspan="{cell.rowspan}"')
    if cell.colspan > 1:
        attrs.append(f' colspan="{cell.colspan}"')
    classes = []
    if cell.align == "left":
        classes.append("left")
    if cell.kind == "note":
        classes.append("note")
    if vertical:
        classes.append("vertical")
    if stick is not None and cell.col in stick and cell.header:
        # a row label stays in view while the numbers scroll under it on a phone
        classes.append("stick")
        attrs.append(f' style="left: {stick[cell.col]:.2f}em"')
    marked = mark(cell) if mark is not None and not cell.header else None
    if cell.mark:
        classes.append(f"mark-{cell.mark}")
        if not marked:
            # colour alone says nothing to a screen reader: the legend's words go in the title
            attrs.append(f' title="{_text(MARK_NAMES[cell.mark])}"')
    if marked:
        classes.append(marked[0])
        attrs.append(f' title="{_text(marked[1])}" data-pointer="{_text(cell.pointer or "")}"')
    if classes:
        attrs.append(f' class="{" ".join(classes)}"')
    if cell.kind == "note" or not cell.header:
        # the note of 表三 explains the columns; it heads nothing
        note = f'<span class="fix">{_text(marked[2])}</span>' if marked and marked[2] else ""
        return f"<td{''.join(attrs)}>{_text(cell.text)}{note}</td>"
    return f'<th scope="{_scope(cell, in_head)}"{"".join(attrs)}>{_header_text(cell.text)}</th>'


def _header_text(text: str) -> str:
    """A four-character header (结果维持, 商业企业) breaks 2+2 or not at all, never 3+1."""
    if len(text) == 4 and all("\u4e00" <= ch <= "\u9fff" for ch in text):
        return f'<span class="pair">{_text(text[:2])}<wbr>{_text(text[2:])}</span>'
    return _text(text)


def _sticky_columns(table: Table) -> dict[int, float] | None:
    """Left offsets (em, at the table's phone width) of its row-label columns: 表三's labels stay
    in view while its numbers scroll. None for a table without row labels in its body."""
    rows = table.rows()[table.head_rows :]
    labels = {c.col + c.colspan for row in rows for c in row if c.kind == "label"}
    if not labels:
        return None
    width = table.min_width_em
    total = sum(table.widths_mm)
    offsets, left = {}, 0.0
    for col in range(max(labels)):
        offsets[col] = left
        left += table.widths_mm[col] / total * width
    return offsets


def _print_classes(table: Table) -> dict[int, str]:
    """Row (body index) → print class: the rows of a labelled group (表三's （三）不予公开 …) stay
    on one page, and the last row never stands alone under a repeated header."""
    rows = table.rows()[table.head_rows :]
    first = table.head_rows
    classes: dict[int, str] = {}
    for row in rows:
        for cell in row:
            if cell.kind == "label" and cell.rowspan > 1 and cell.col > 0:
                for r in range(cell.row, cell.row + cell.rowspan - 1):
                    classes[r - first] = "with-next"
    if len(rows) > 2:
        classes[len(rows) - 1] = "with-prev"
    return classes


def render_table(table: Table, number: int, mark: CellMark | None = None) -> str:
    """One official (or annex) table; ``number`` makes the caption id unique on the page.
    ``mark`` flags data cells (the service's unit page marks the cells findings point at)."""
    caption_id = f"table-{number}"
    # Short tables (表二, 表四) move to the next printed page whole, as in the Word document.
    wrap_class = "table-wrap keep" if table.height <= KEEP_TOGETHER_ROWS else "table-wrap"
    out = [
        f'<div class="{wrap_class}" role="region" aria-labelledby="{caption_id}" tabindex="0">',
        f'<table id="{_text(table.id)}" style="min-width: {table.min_width_em:g}em">',
        f'<caption id="{caption_id}">{_text(table.caption)}</caption>',
        "<colgroup>",
    ]
    total = sum(table.widths_mm)
    out.extend(f'<col style="width: {width / total * 100:.2f}%">' for width in table.widths_mm)
    out.append("</colgroup>")
    rows = table.rows()
    head_rows = table.head_rows
    stick = _sticky_columns(table)
    if head_rows:
        # 表二 repeats no header on a new page (each block has its own column headers), so
        # its first block's header rows form a <thead> that is not repeated in print.
        repeat = "" if table.header_rows else ' class="no-repeat"'
        out.append(f"<thead{repeat}>")
        for row in rows[:head_rows]:
            out.append("<tr>" + "".join(_cell(c, True, mark=mark, stick=stick) for c in row) + "</tr>")
        out.append("</thead>")
    # A full-width block row (表二's 「第二十条第（五）项」) opens its own row group, which is
    # what its scope="rowgroup" header refers to.
    body_open = False
    stick = _sticky_columns(table)
    keep = _print_classes(table)
    for index, row in enumerate(rows[head_rows:]):
        if not body_open or (row and row[0].kind == "block"):
            if body_open:
                out.append("</tbody>")
            out.append("<tbody>")
            body_open = True
        tr = f'<tr class="{keep[index]}">' if index in keep else "<tr>"
        out.append(tr + "".join(_cell(c, False, table.vertical(c), mark, stick) for c in row) + "</tr>")
    if body_open:
        out.append("</tbody>")
    out.append("</table>")
    out.append("</div>")
    return "\n".join(out)


def render_html(content: ReportContent) -> str:
    """The whole page as a string (UTF-8 when written)."""
    title = content.title + ("（草稿）" if content.draft else "")
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="report_kit">',
        f"<title>{_text(title)}</title>",
        f"<style>\n{CSS}\n</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    section_open = False
    tables = 0
    first_signature = True

    def close_section() -> None:
        nonlocal section_open
        if section_open:
            out.append("</section>")
            section_open = False

    for block in content.blocks:
        kind = block.kind
        if kind == "draft_mark":
            out.append(f'<p class="draft" role="note">{_text(block.text)}</p>')
        elif kind == "title":
            out.append(f"<h1>{_text(block.text)}</h1>")
        elif kind == "preamble":
            out.append(f'<p class="preamble">{_text(block.text)}</p>')
        elif kind == "heading" and block.level == 1:
            close_section()
            out.append("<section>")
            section_open = True
            out.append(f"<h2>{_text(block.text)}</h2>")
        elif kind == "heading":
            out.append(f"<h3>{_text(block.text)}</h3>")
        elif kind == "paragraph":
            out.append(f"<p>{_text(block.text)}</p>")
        elif kind == "table" and block.table is not None:
            tables += 1
            out.append(render_table(block.table, tables))
        elif kind == "signature":
            close_section()
            css = "signature signature-first" if first_signature else "signature"
            first_signature = False
            out.append(f'<p class="{css}">{_text(block.text)}</p>')
        elif kind == "annex_heading":
            close_section()
            out.append('<section class="annex">')
            section_open = True
            out.append(f"<h2>{_text(block.text)}</h2>")
        else:  # pragma: no cover - a new block kind must be taught to this writer
            raise ValueError(f"unknown block kind {kind!r}")
    close_section()
    out.extend(["</main>", "</body>", "</html>", ""])
    return "\n".join(out)


def write_html(content: ReportContent, path: str | os.PathLike) -> None:
    """Write the page atomically (a crash never leaves half a page on the website's disk),
    readable by the web server like any file the user makes."""
    data = render_html(content).encode("utf-8")
    with atomic_path(path) as temp:
        temp.write_bytes(data)
