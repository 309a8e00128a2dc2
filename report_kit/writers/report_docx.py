"""The compiled report as a Word document laid out like a 公文 (GB/T 9704-2012).

All typography lives in the template (``templates/report-template.docx``, built by
``templates/build_docx_template.py``, documented in ``docs/typography.md``): this writer
only applies its styles by name, so an office can pass its own house-style template with
the same style names (``--template``). It renders the blocks of
:mod:`report_kit.report_content` — the same the HTML page renders.

The body is written as one WordprocessingML fragment and parsed once: python-docx's cell
API re-walks the table for every ``cell()`` and ``merge()`` call, which for 表三's 280
merged cells costs more than the whole rest of the build. Tables get explicit borders,
fixed column widths planned for the 156 mm text block, ``w:tblHeader`` on the grid's header
rows (repeated after a page break) and ``w:cantSplit`` on every row.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from report_kit.atomic import atomic_path
from report_kit.os_errors import os_reason
from report_kit.phrase_breaks import name_lines, text_width, title_lines
from report_kit.report_content import (
    MARK_INVOLVED,
    MARK_SUSPECT,
    UNIT_PLACEHOLDER,
    ReportContent,
    Table,
    TableCell,
)
from report_kit.settings import PACKAGE_DIR, TEMPLATE_DIR

TEMPLATE_NAME = "report-template.docx"

# Style names as python-docx shows them (Word's UI names for built-in styles).
PARAGRAPH_STYLES = (
    "Normal",
    "Title",
    "Heading 1",
    "Heading 2",
    "Preamble",
    "Signature",
    "Table Text",
    "Table Text Left",
    "Table Caption",
    "Annex Heading",
    "Draft Mark",
    "Header",
    "Footer",
)
TABLE_STYLE = "Report Grid"
REQUIRED_STYLES = (*PARAGRAPH_STYLES, TABLE_STYLE)

BLOCK_STYLES = {
    "draft_mark": "Draft Mark",
    "title": "Title",
    "preamble": "Preamble",
    "paragraph": "Normal",
    "signature": "Signature",
    "annex_heading": "Annex Heading",
}
HEADING_STYLES = {1: "Heading 1", 2: "Heading 2"}

DRAFT_COLOUR = "C00000"
HEADER_SIZE = 21  # half-points: 五号 10.5 pt for the running draft mark
TWIPS_PER_MM = 1440 / 25.4
BORDER = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
# Draft cell marks (see report_content.MARK_LEGEND): a pale red fill for a cell an error names,
# a stronger fill and a 1.5 pt dark red frame for the cell a repair suggests. Both stay
# distinguishable on a black-and-white office printer (light grey, darker grey with a frame).
MARK_CELL = {
    MARK_INVOLVED: '<w:shd w:val="clear" w:color="auto" w:fill="F8D0CC"/>',
    MARK_SUSPECT: (
        "<w:tcBorders>"
        + "".join(
            f'<w:{side} w:val="single" w:sz="12" w:space="0" w:color="{DRAFT_COLOUR}"/>'
            for side in ("top", "left", "bottom", "right")
        )
        + '</w:tcBorders><w:shd w:val="clear" w:color="auto" w:fill="EE9A92"/>'
    ),
}
WIDE_TABLE_COLUMNS = 10
NARROW_CELL_MARGIN = 57  # twips, 1 mm
TEMPLATE_CELL_MARGIN = 85  # twips (1.5 mm), the template's table cell margins
TABLE_CHAR = 210  # twips: one 五号 (10.5 pt) character of the Table Text style
NARROW_LABEL = 1200  # twips (≈ 21 mm): group label columns narrower than this break after 「）」
KEEP_GROUP_ROWS = 8  # rows of a merged group label (表三 （三）–（六）) kept on one page
KEEP_TOGETHER_ROWS = 16  # tables this short (表四 4 rows) move to the next page whole
BODY_SIZE = 32  # half-points: 3号, the document default when a style names no size
BLANK_LINES_BEFORE_SIGNATURE = 2  # room for the seal, see _signature
AUTOSPACE = 0.25  # characters Word adds between Han text and digits (「2025 年」)


class TemplateError(Exception):
    """The template cannot be used; the message is Chinese and names the file."""


def builtin_template() -> Path:
    """The shipped template: inside the package when installed, ``templates/`` in a checkout."""
    bundled = PACKAGE_DIR / "templates" / TEMPLATE_NAME
    return bundled if bundled.is_file() else Path(TEMPLATE_DIR) / TEMPLATE_NAME


@cache
def _template_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


_TEMPLATE_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_DOCUMENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _refuse_hostile(data: bytes, path: str | os.PathLike) -> None:
    """The workbook guard (zip bombs, DTDs, escaping paths) before python-docx unpacks a
    template: a 40 KB zip bomb named .docx took 3 GB before it was refused (issue 13)."""
    from report_kit.readers.zip_guard import check_xlsx_container

    if not data.startswith(b"PK"):
        return  # not a zip: python-docx refuses it below, with the usual message
    refused = [f for f in check_xlsx_container(io.BytesIO(data)) if f.rule in ("F.hostile", "F.too_large")]
    if refused:  # a merely broken zip is left to python-docx, whose refusal names the cure
        raise TemplateError(f"模板“{path}”无法使用：{refused[0].message}")


def _as_document(data: bytes) -> bytes:
    """A Word template (.dotx) is a .docx whose main part has the template content type:
    rewrite that one entry so python-docx opens it (the report is saved as a document)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        types = source.read("[Content_Types].xml")
        if _TEMPLATE_TYPE not in types:
            return data
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                content = source.read(item.filename)
                if item.filename == "[Content_Types].xml":
                    content = content.replace(_TEMPLATE_TYPE, _DOCUMENT_TYPE)
                target.writestr(item, content)
    return buffer.getvalue()


def _open(path: str | os.PathLike) -> Document:
    try:
        if Path(path) == builtin_template():
            data = _template_bytes(os.fspath(path))
        else:
            raw = Path(path).read_bytes()
            _refuse_hostile(raw, path)
            data = _as_document(raw)
        return docx.Document(io.BytesIO(data))
    except TemplateError:
        raise
    except OSError as exc:
        raise TemplateError(f"无法读取模板“{path}”：{os_reason(exc)}。") from None
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile):
        raise TemplateError(
            f"模板“{path}”不是可用的Word文档（.docx或.dotx；.doc、.wps和启用宏的.docm不行）。"
            "请用Word或WPS另存为.docx后重试。"
        ) from None
    except Exception:  # lxml and zip errors of a damaged file: their English text helps no one
        raise TemplateError(
            f"模板“{path}”已损坏，无法打开。请在Word或WPS中打开该模板，另存为.docx后重试。"
        ) from None


# ------------------------------------------------------------------------------------------
# Styles


def _styles_by_name(document: Document) -> dict[str, object]:
    """Lower-cased style name → w:style element (Word stores 「heading 1」, shows 「Heading 1」)."""
    found = {}
    for style in document.styles.element.findall(qn("w:style")):
        name = style.find(qn("w:name"))
        if name is not None:
            found.setdefault(name.get(qn("w:val")).lower(), style)
    return found


def _style_ids(document: Document) -> dict[str, str]:
    return {name: el.get(qn("w:styleId")) for name, el in _styles_by_name(document).items()}


def complete_styles(document: Document) -> list[str]:
    """Copy every required style the document lacks from the built-in template.

    Returns the names copied, so the command can tell the user which definitions of their
    house template were not theirs. A copied style keeps its ``basedOn`` chain (also copied
    when missing); a style id already taken by another style is renamed.
    """
    have = _styles_by_name(document)
    missing = [name for name in REQUIRED_STYLES if name.lower() not in have]
    if not missing:
        return []
    builtin = _open(builtin_template())
    source = _styles_by_name(builtin)
    source_by_id = {el.get(qn("w:styleId")): el for el in source.values()}
    taken = {el.get(qn("w:styleId")) for el in have.values()}
    styles_el = document.styles.element
    renamed: dict[str, str] = {}
    copied: list[str] = []

    def bring(element) -> str:
        name = element.find(qn("w:name")).get(qn("w:val")).lower()
        if name in have:
            return have[name].get(qn("w:styleId"))
        old_id = element.get(qn("w:styleId"))
        if old_id in renamed:
            return renamed[old_id]
        new = copy.deepcopy(element)
        new_id = old_id
        while new_id in taken:
            new_id = "ReportKit" + new_id
        new.set(qn("w:styleId"), new_id)
        renamed[old_id] = new_id
        taken.add(new_id)
        for tag in ("w:link", "w:next"):
            child = new.find(qn(tag))
            if child is not None and child.get(qn("w:val")) not in taken:
                new.remove(child)
        based = new.find(qn("w:basedOn"))
        if based is not None:
            parent = source_by_id.get(based.get(qn("w:val")))
            if parent is not None:
                based.set(qn("w:val"), bring(parent))
        styles_el.append(new)
        have[name] = new
        copied.append(element.find(qn("w:name")).get(qn("w:val")))
        return new_id

    for name in missing:
        bring(source[name.lower()])
    return copied


def _style_font(style, styles_by_id: dict[str, object]) -> str | None:
    """The East-Asian font a paragraph style resolves to, following ``basedOn``."""
    seen = set()
    while style is not None and id(style) not in seen:
        seen.add(id(style))
        fonts = style.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return fonts.get(qn("w:eastAsia"))
        based = style.find(qn("w:basedOn"))
        style = styles_by_id.get(based.get(qn("w:val"))) if based is not None else None
    return None


def _style_value(style, styles_by_id: dict[str, object], path: str, attr: str = "w:val") -> str | None:
    """A property of a paragraph style as Word resolves it: the style, then its ``basedOn``
    chain (``path`` like ``w:rPr/w:sz``)."""
    seen = set()
    tags = "/".join(qn(part) for part in path.split("/"))
    while style is not None and id(style) not in seen:
        seen.add(id(style))
        element = style.find(tags)
        if element is not None and element.get(qn(attr)) is not None:
            return element.get(qn(attr))
        based = style.find(qn("w:basedOn"))
        style = styles_by_id.get(based.get(qn("w:val"))) if based is not None else None
    return None


def _char_twips(style, styles_by_id: dict[str, object]) -> int:
    """The advance of one full-width character of a style: its size plus its character
    spacing (the 3号 styles are condensed by 0.25 pt so 28 characters fit a line)."""
    size = int(_style_value(style, styles_by_id, "w:rPr/w:sz") or BODY_SIZE)  # half-points
    spacing = int(_style_value(style, styles_by_id, "w:rPr/w:spacing") or 0)  # twips
    return size * 10 + spacing


# ------------------------------------------------------------------------------------------
# Body fragments


@dataclass
class _Context:
    ids: dict[str, str]
    text_width: int  # twips
    draft_font: str | None
    title_char: int = BODY_SIZE * 10  # twips of one title character (2号: 440)
    signature_em: int = BODY_SIZE * 10  # twips: the signature's font size (3号: 320)
    signature_spacing: int = 0  # twips added to every character (3号 styles: -5)
    signature_right: int = 4 * BODY_SIZE * 10  # the date's right indent, 右空四字

    def signature_width(self, text: str) -> int:
        """Twips a line of signature text takes (digits half as wide as Han characters)."""
        return round(text_width(text, AUTOSPACE) * self.signature_em) + len(text) * self.signature_spacing

    def style(self, name: str) -> str:
        return self.ids[name.lower()]


def escape(text: str, quote: bool = False) -> str:
    """XML text escaping (xml.sax.saxutils would import urllib: 18 ms of start-up)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def _t(text: str) -> str:
    return f'<w:t xml:space="preserve">{escape(text)}</w:t>'


def _run_props(font: str | None, *, colour: str | None = None, size: int | None = None) -> str:
    """Direct run formatting always names the East-Asian font too: python-docx (and Word on a
    machine without the Latin face) would otherwise fall back to a font of its own choice."""
    parts = []
    if font:
        f = escape(font, quote=True)
        parts.append(f'<w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:eastAsia="{f}" w:cs="{f}"/>')
    if colour:
        parts.append(f'<w:color w:val="{colour}"/>')
    if size:
        parts.append(f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>')
    return f"<w:rPr>{''.join(parts)}</w:rPr>" if parts else ""


def _paragraph(style_id: str, text: str, *, ppr_extra: str = "", rpr: str = "") -> str:
    run = f"<w:r>{rpr}{_t(text)}</w:r>" if text else ""
    return f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/>{ppr_extra}</w:pPr>{run}</w:p>'


def _lines_paragraph(style_id: str, lines: list[str], *, ppr_extra: str = "") -> str:
    """One paragraph whose lines break where we chose (``w:br``), not where the line is full."""
    runs = "<w:r><w:br/></w:r>".join(f"<w:r>{_t(line)}</w:r>" for line in lines if line)
    return f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/>{ppr_extra}</w:pPr>{runs}</w:p>'


def _signature(name: str, date: str, ctx: _Context) -> list[str]:
    """The signature of a sealed document (GB/T 9704-2012 §7.3.5.1): the date 右空四字, the
    unit name on the line above, centred over the date.

    Both lines are set on one centre tab stop, so the name is centred over the date however
    wide the renderer's digits are; the stop sits where the date's centre is when its right
    end is four characters in (width estimated with half-width digits and Word's space
    between Han and digits). A name wider than twice the room right of the stop wraps
    between whole phrases, every line on the same stop. Two blank lines above leave the seal
    room: its top within one line of the text, the name and date a little below its centre
    (a 42 mm seal spans four lines)."""
    blank = _paragraph(ctx.style("Normal"), "", ppr_extra="<w:keepNext/>")
    out = [blank] * BLANK_LINES_BEFORE_SIGNATURE
    date_width = ctx.signature_width(date)
    centre = max(date_width // 2, ctx.text_width - ctx.signature_right - date_width // 2)
    per_line = 2 * (ctx.text_width - centre) / max(1, ctx.signature_em + ctx.signature_spacing)
    ppr = (
        f'<w:tabs><w:tab w:val="center" w:pos="{centre}"/></w:tabs>'
        '<w:ind w:left="0" w:leftChars="0" w:right="0" w:rightChars="0" w:firstLine="0" w:firstLineChars="0"/>'
        '<w:jc w:val="left"/>'
    )

    def on_stop(lines: list[str], keep: bool) -> str:
        runs = "<w:r><w:br/></w:r>".join(f"<w:r><w:tab/>{_t(line)}</w:r>" for line in lines)
        keep_next = "<w:keepNext/>" if keep else ""
        return f'<w:p><w:pPr><w:pStyle w:val="{ctx.style("Signature")}"/>{keep_next}{ppr}</w:pPr>{runs}</w:p>'

    out.append(on_stop(name_lines(name, per_line), keep=True))
    out.append(on_stop([date], keep=False))
    return out


def _widths(table: Table, text_width: int) -> list[int]:
    total = sum(table.widths_mm)
    widths = [int(round(w / total * text_width)) for w in table.widths_mm]
    widths[-1] += text_width - sum(widths)  # rounding must not push the table past the margin
    return widths


def _cell_margins(table: Table) -> str:
    """表三 and 表四 have 11 mm and 10.4 mm columns: with the template's 1.5 mm cell margins
    two 五号 characters (7.4 mm) would only just fit, and LibreOffice then breaks 「结果维持」
    into four lines. 1 mm margins leave room for two characters per line."""
    if table.width < WIDE_TABLE_COLUMNS:
        return ""
    return (
        f'<w:tblCellMar><w:left w:w="{NARROW_CELL_MARGIN}" w:type="dxa"/>'
        f'<w:right w:w="{NARROW_CELL_MARGIN}" w:type="dxa"/></w:tblCellMar>'
    )


def _cell_text(cell: TableCell, style_id: str, keep: bool, width: int, table_margin: int = 0) -> str:
    """A cell paragraph. A group label in a narrow column (「（三）不予公开」 over eight rows of
    表三) breaks after its enumerator, so the enumerator stays whole on the first line."""
    ppr = f'<w:pStyle w:val="{style_id}"/>' + ("<w:keepNext/>" if keep else "")
    text = cell.text
    if cell.kind == "label" and cell.rowspan > 1 and width < NARROW_LABEL and "）" in text[:-1]:
        # No line break character: the cell's text stays the official label (a reader, a
        # search or a test finds 「（三）不予公开」). The enumerator's letters are spaced out
        # to fill all but half a character of the line, so the label wraps right after it.
        head, _, tail = text.partition("）")
        head += "）"
        room = width - 2 * (table_margin or TEMPLATE_CELL_MARGIN) - TABLE_CHAR // 2
        spacing = room // len(head) - TABLE_CHAR
        if spacing > 0:
            runs = f'<w:r><w:rPr><w:spacing w:val="{spacing}"/></w:rPr>{_t(head)}</w:r><w:r>{_t(tail)}</w:r>'
        else:
            runs = f"<w:r>{_t(text)}</w:r>"
    elif cell.kind in ("data", "text") and text:
        room = width - 2 * (table_margin or TEMPLATE_CELL_MARGIN)
        runs = "<w:r><w:br/></w:r>".join(
            _annex_runs(line, cell.kind) for line in _identifier_lines(text, room)
        )
    else:
        runs = f"<w:r>{_t(text)}</w:r>" if text else ""
    return f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>"


_MINUS = re.compile(r"(?<![0-9A-Za-z])-(?=[0-9])")  # 「为-6」, not the dashes of 「2025-03-15」
_SLASH = re.compile(r"/(?=[A-Za-z])")
_LONG_WORD = re.compile(r"[A-Za-z0-9_.]{21,}")  # longer than a line of the narrow columns
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)+")


def _annex_runs(text: str, kind: str) -> str:
    """Runs of one line of cell text, set so that no renderer breaks a number or word apart.

    In the annex's 位置/问题 text (cells of kind ``text``) a minus before a number becomes
    the minus sign U+2212: a hyphen-minus after Han text
    takes LibreOffice's Chinese line-break rules, which end a line on it (「为数字-」/「6。」);
    Word, too, may break after a hyphen. There a JSON pointer
    (「/applications/received/natural_person」) gets a zero-width space after each 「/」, so
    a line breaks between its steps instead of inside 「natural_person」, and a step too long
    for a line (「litigation_after_reconsideration」) after its 「_」."""
    if kind == "text":
        text = _SLASH.sub("/\u200b", _MINUS.sub("\u2212", text))
        text = _LONG_WORD.sub(lambda m: re.sub(r"(?<=[._])(?=\w)", "\u200b", m.group()), text)
    return f"<w:r>{_t(text)}</w:r>"


def _identifier_lines(text: str, room: int) -> list[str]:
    """A cell holding one identifier too long for its column (a rule id such as
    「FEE.collected_exceeds_notified」 in the annex's 38 mm 规则 column) breaks after a 「.」
    or 「_」, never inside a word; anything else is one line, wrapped by the word processor."""
    if not _IDENTIFIER.fullmatch(text) or len(text) * TABLE_CHAR // 2 <= room:
        return [text]
    per_line = max(1, room // (TABLE_CHAR // 2))
    pieces = re.findall(r"[^._]+[._]?", text)
    lines: list[str] = []
    for piece in pieces:
        if lines and len(lines[-1]) + len(piece) <= per_line:
            lines[-1] += piece
        else:
            lines.append(piece)
    return lines


def _kept_rows(table: Table) -> set[int]:
    """Rows kept on the page of the row below them (``keepNext`` in every paragraph of the row).

    - A short table without blocks (表四, 4 rows) moves to the next page whole.
    - 表二 breaks only between its 第二十条 blocks: a block's band, column headers and rows
      stay together, so a page never ends on 「第二十条第（五）项」 alone, and 表二 no longer
      leaves most of a page empty by moving whole (its 14 rows need half a page).
    - A long table (表三) keeps its header with the rows before its first group label and
      with that group, and then never splits a small group (「（三）不予公开」, ≤ 8 rows): it may
      break between groups only, so it never starts at a page foot with its header and two
      rows. Its one-character-wide vertical label (「三、本年度办理结果」) keeps one row per
      character with it, so a page break leaves its single line whole.
    """
    blocks = sorted(cell.row for cell in table.cells if cell.kind == "block")
    if blocks:
        ends = {row - 1 for row in blocks[1:]} | {table.height - 1}
        return set(range(table.height)) - ends
    if table.height <= KEEP_TOGETHER_ROWS:
        return set(range(table.height))
    kept = set(range(table.head_rows))
    groups = [cell for cell in table.cells if cell.kind == "label" and cell.rowspan > 1]
    if groups:
        kept.update(range(table.head_rows, min(cell.row for cell in groups)))
    for cell in groups:
        if cell.rowspan <= KEEP_GROUP_ROWS:
            kept.update(range(cell.row, cell.row + cell.rowspan - 1))
        elif table.vertical(cell):
            kept.update(range(cell.row, cell.row + min(len(cell.text), cell.rowspan) - 1))
    return kept


def _table(table: Table, ctx: _Context) -> str:
    widths = _widths(table, ctx.text_width)
    borders = "".join(
        f"<w:{side} {BORDER}/>" for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    out = [
        "<w:tbl><w:tblPr>",
        f'<w:tblStyle w:val="{ctx.style("Report Grid")}"/>',
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/>',
        '<w:jc w:val="center"/>',
        f"<w:tblBorders>{borders}</w:tblBorders>",
        '<w:tblLayout w:type="fixed"/>',
        _cell_margins(table),
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="1"/>',
        "</w:tblPr><w:tblGrid>",
        *(f'<w:gridCol w:w="{w}"/>' for w in widths),
        "</w:tblGrid>",
    ]
    # Which cell covers each grid position: Word needs a w:tc in every row a vertically
    # merged cell spans (vMerge continue), with the same gridSpan.
    owner: dict[tuple[int, int], TableCell] = {}
    for cell in table.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            owner[(r, cell.col)] = cell
    kept = _kept_rows(table)
    # 表二 has no header that fits its later blocks (each brings its own band and column
    # headers): nothing repeats, a page break falls between blocks.
    repeat = table.head_rows if table.header_rows else 0
    centre, left = ctx.style("Table Text"), ctx.style("Table Text Left")
    for r in range(table.height):
        header = r < repeat
        keep = r in kept
        tr_pr = "<w:cantSplit/>" + ("<w:tblHeader/>" if header else "")
        out.append(f"<w:tr><w:trPr>{tr_pr}</w:trPr>")
        c = 0
        while c < table.width:
            cell = owner.get((r, c))
            if cell is None:  # a hole in a drawing would shift every later column: keep the grid
                out.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[c]}" w:type="dxa"/></w:tcPr><w:p/></w:tc>')
                c += 1
                continue
            span = cell.colspan
            tc_pr = [f'<w:tcW w:w="{sum(widths[c : c + span])}" w:type="dxa"/>']
            if span > 1:
                tc_pr.append(f'<w:gridSpan w:val="{span}"/>')
            if cell.rowspan > 1:
                tc_pr.append('<w:vMerge w:val="restart"/>' if cell.row == r else "<w:vMerge/>")
            if cell.mark:
                tc_pr.append(MARK_CELL[cell.mark])  # after vMerge, before textDirection (schema order)
            if table.vertical(cell):
                # one line of vertical text (upright characters, top to bottom): a line is never
                # cut by a page break, nine one-character lines would be split between pages
                tc_pr.append('<w:textDirection w:val="tbRl"/>')
            tc_pr.append('<w:vAlign w:val="center"/>')
            if cell.row == r:
                style = left if cell.align == "left" else centre
                margin = NARROW_CELL_MARGIN if table.width >= WIDE_TABLE_COLUMNS else 0
                body = _cell_text(cell, style, keep, sum(widths[c : c + span]), margin)
            else:
                # a covered slot: empty, but it keeps the row with the next like its neighbours
                body = (
                    f'<w:p><w:pPr><w:pStyle w:val="{centre}"/>{"<w:keepNext/>" if keep else ""}</w:pPr></w:p>'
                )
            out.append(f"<w:tc><w:tcPr>{''.join(tc_pr)}</w:tcPr>{body}</w:tc>")
            c += span
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _kept_with_next(content: ReportContent) -> set[int]:
    """Blocks that must stay on the page of the block after them: the last paragraph of the
    text with the signature, so that the unit name and date never stand alone at the top of
    a page (the signature lines keep with each other in :func:`_signature`)."""
    signatures = [i for i, block in enumerate(content.blocks) if block.kind == "signature"]
    return {signatures[0] - 1} if signatures else set()


def _body(content: ReportContent, ctx: _Context) -> str:
    out = []
    keep = _kept_with_next(content)
    blocks = content.blocks
    index = 0
    while index < len(blocks):
        block = blocks[index]
        kind = block.kind
        ppr = "<w:keepNext/>" if index in keep else ""
        if kind == "heading":
            out.append(
                _paragraph(ctx.style(HEADING_STYLES.get(block.level, "Heading 2")), block.text, ppr_extra=ppr)
            )
        elif kind == "table" and block.table is not None:
            out.append(_paragraph(ctx.style("Table Caption"), block.table.caption))
            out.append(_table(block.table, ctx))
            following = blocks[index + 1].kind if index + 1 < len(blocks) else ""
            if following == "heading":  # 空一行 between a table and the next heading
                out.append(_paragraph(ctx.style("Normal"), ""))
        elif kind == "draft_mark":
            rpr = _run_props(ctx.draft_font, colour=DRAFT_COLOUR)
            out.append(_paragraph(ctx.style("Draft Mark"), block.text, rpr=rpr))
        elif kind == "title":
            limit = ctx.text_width / max(1, ctx.title_char)
            unit = content.unit or UNIT_PLACEHOLDER  # 「（单位名称）」 in a title without a unit
            out.append(_lines_paragraph(ctx.style("Title"), title_lines(block.text, unit, limit)))
        elif kind == "signature":
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if following is not None and following.kind == "signature":
                out.extend(_signature(block.text, following.text, ctx))
                index += 1
            else:  # a lone signature line (a content model without a date)
                out.append(_paragraph(ctx.style("Signature"), block.text, ppr_extra=ppr))
        elif kind == "annex_heading":
            out.append(_paragraph(ctx.style("Annex Heading"), block.text, ppr_extra="<w:pageBreakBefore/>"))
        elif kind in BLOCK_STYLES:
            out.append(_paragraph(ctx.style(BLOCK_STYLES[kind]), block.text, ppr_extra=ppr))
        else:  # pragma: no cover - a new block kind must be taught to this writer
            raise ValueError(f"unknown block kind {kind!r}")
        index += 1
    return "".join(out)


# ------------------------------------------------------------------------------------------
# Header, footer, properties


def _header_paragraph(ctx: _Context, text: str) -> str:
    rpr = _run_props(ctx.draft_font, colour=DRAFT_COLOUR, size=HEADER_SIZE)
    return f"<w:p {nsdecls('w')}>" + _paragraph(ctx.style("Header"), text, rpr=rpr)[len("<w:p>") :]


def _mark_headers(document: Document, ctx: _Context, text: str) -> None:
    """Put the draft mark in every page header of every section (odd, even, first page)."""
    for section in document.sections:
        headers = [section.header, section.even_page_header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        for header in headers:
            header.is_linked_to_previous = False
            element = header._element
            # a house template's letterhead stays; only empty paragraphs make room for the mark
            for child in list(element):
                if child.tag == qn("w:p") and not _has_content(child):
                    element.remove(child)
            element.insert(0, parse_xml(_header_paragraph(ctx, text)))


def _has_content(paragraph) -> bool:
    if any((t.text or "").strip() for t in paragraph.iter(qn("w:t"))):
        return True
    tags = (qn("w:drawing"), qn("w:pict"), qn("w:fldChar"), qn("w:fldSimple"), qn("w:object"))
    return any(el.tag in tags for el in paragraph.iter())


def _page_number_xml(style_id: str) -> str:
    nbsp = " "  # 「— N —」 with ordinary spaces, as in the built-in template
    return (
        f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{style_id}"/><w:jc w:val="center"/></w:pPr>'
        f"<w:r>{_t('—' + nbsp)}</w:r>"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        f"<w:r>{_t(nbsp + '—')}</w:r></w:p>"
    )


def ensure_page_numbers(document: Document, ctx: _Context) -> bool:
    """A house template without page numbers gets the centred 「— N —」 (GB/T 9704 allows
    centred numbers); returns True when it had to add them."""
    section = document.sections[0]
    footers = [section.footer, section.even_page_footer, section.first_page_footer]
    for footer in footers:
        if not footer.is_linked_to_previous and any(
            "PAGE" in (t.text or "") for t in footer._element.iter(qn("w:instrText"))
        ):
            return False
    footer = section.footer
    footer.is_linked_to_previous = False
    element = footer._element
    for child in list(element):
        element.remove(child)
    element.append(parse_xml(_page_number_xml(ctx.style("Footer"))))
    return True


def _properties(document: Document, content: ReportContent) -> None:
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    props = document.core_properties
    # python-docx refuses core properties over 255 characters (a pasted-in unit name)
    props.title = content.title[:255]
    props.subject = "政府信息公开工作年度报告"
    props.author = (content.unit or "report_kit")[:255]
    props.last_modified_by = "report_kit"
    props.keywords = "政府信息公开;年度报告" + (";草稿" if content.draft else "")
    props.comments = "由 report_kit 生成" + ("（草稿，未通过校验）" if content.draft else "")
    props.created = now
    props.modified = now
    props.revision = 1


# GB/T 9704 page for a house template without any page setup: A4, margins 37/35/28/26 mm.
_DEFAULT_SECT_PR = (
    f"<w:sectPr {nsdecls('w')}>"
    '<w:pgSz w:w="11906" w:h="16838"/>'
    '<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" '
    'w:footer="1247" w:gutter="0"/>'
    "</w:sectPr>"
)
DEFAULT_TEXT_WIDTH = 8844  # twips: the 156 mm text block


def _ensure_section(document: Document) -> None:
    """A house template whose body has no final w:sectPr, or a w:sectPr without page size or
    margins, gets the A4 page of GB/T 9704 for what it lacks (Word would pick US Letter)."""
    body = document.element.body
    sect_pr = body.find(qn("w:sectPr"))
    if sect_pr is None:
        body.append(parse_xml(_DEFAULT_SECT_PR))
        return
    defaults = parse_xml(_DEFAULT_SECT_PR)
    leading = {
        qn(t) for t in ("w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type")
    }
    anchor = None  # the element after which pgSz / pgMar belong
    for child in sect_pr:
        if child.tag in leading:
            anchor = child
    for tag in ("w:pgSz", "w:pgMar"):
        present = sect_pr.find(qn(tag))
        if present is None:
            present = defaults.find(qn(tag))
            if anchor is None:
                sect_pr.insert(0, present)
            else:
                anchor.addnext(present)
        anchor = present


def _text_width(document: Document) -> int:
    section = document.sections[0]
    parts = (section.page_width, section.left_margin, section.right_margin)
    if any(part is None for part in parts):  # a sectPr without w:pgSz / w:pgMar
        return DEFAULT_TEXT_WIDTH
    width = int((parts[0] - parts[1] - parts[2]) / 635)  # EMU → twips
    return width if width > 1000 else DEFAULT_TEXT_WIDTH


# ------------------------------------------------------------------------------------------
# Entry points


def open_template(template: str | os.PathLike | None = None) -> tuple[Document, list[str]]:
    """The template document with every style the writer needs, and the names of the
    styles that had to be taken from the built-in template."""
    document = _open(template or builtin_template())
    copied = complete_styles(document) if template else []
    return document, copied


def build_document(content: ReportContent, template: str | os.PathLike | None = None) -> Document:
    document, _ = open_template(template)
    fill_document(document, content)
    return document


def fill_document(document: Document, content: ReportContent) -> None:
    """Replace the template's body with the report (the page setup, headers and footers of
    the template's last section stay)."""
    _ensure_section(document)
    ids = _style_ids(document)
    styles_by_id = {el.get(qn("w:styleId")): el for el in _styles_by_name(document).values()}
    signature = styles_by_id.get(ids["signature"])
    ctx = _Context(
        ids=ids,
        text_width=_text_width(document),
        draft_font=_style_font(styles_by_id.get(ids["draft mark"]), styles_by_id),
        title_char=_char_twips(styles_by_id.get(ids["title"]), styles_by_id),
        signature_em=int(_style_value(signature, styles_by_id, "w:rPr/w:sz") or BODY_SIZE) * 10,
        signature_spacing=int(_style_value(signature, styles_by_id, "w:rPr/w:spacing") or 0),
        signature_right=int(
            _style_value(signature, styles_by_id, "w:pPr/w:ind", "w:right") or 4 * BODY_SIZE * 10
        ),
    )
    body = document.element.body
    sect_pr = body.find(qn("w:sectPr"))
    for child in list(body):
        if child is not sect_pr:
            body.remove(child)
    fragment = parse_xml(f"<w:body {nsdecls('w')}>{_body(content, ctx)}</w:body>")
    for child in list(fragment):
        if sect_pr is not None:
            sect_pr.addprevious(child)
        else:
            body.append(child)
    if content.header_text:
        _mark_headers(document, ctx, content.header_text)
    ensure_page_numbers(document, ctx)
    _properties(document, content)


def write_docx(
    content: ReportContent, path: str | os.PathLike, template: str | os.PathLike | None = None
) -> None:
    """Build and write atomically: an interrupted run never leaves a truncated .docx behind."""
    document = build_document(content, template)
    save_docx(document, path)


def save_docx(document: Document, path: str | os.PathLike) -> None:
    """Save atomically (an interrupted run never leaves a truncated .docx) and readable by
    the colleagues who print and seal it."""
    with atomic_path(path) as temp:
        document.save(os.fspath(temp))
