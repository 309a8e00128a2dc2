#!/usr/bin/env python3
"""Build ``templates/report-template.docx``, the Word template of the compiled report.

Usage::

    python templates/build_docx_template.py [OUT]

The template is built from scratch on python-docx's default document: every style the report
writer uses is rewritten with raw WordprocessingML so that the East-Asian font (``w:eastAsia``)
is set explicitly, the page is A4 with the GB/T 9704-2012 margins and 22 lines × 28 characters
(line grid of 28.95 pt; 3号 styles condensed by 0.25 pt, see below), and the footers carry a
``PAGE`` field 「— N —」 (odd pages right, even pages left).

The body of the template is empty apart from the final ``w:sectPr``: the writer opens it with
``docx.Document(path)`` and appends paragraphs and tables from the first line.
Style names and their settings are documented in ``docs/typography.md``.

The output is reproducible: core-property dates and ZIP entry timestamps are fixed, so running
the script twice gives byte-identical files.
"""

from __future__ import annotations

import datetime as _dt
import io
import sys
import zipfile
from pathlib import Path

import docx
from docx.enum.section import WD_SECTION_START
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "report-template.docx"

# --------------------------------------------------------------------------------------------
# Official font names (written into the document exactly like this; see typography.md).
FANGSONG = "仿宋_GB2312"  # body, level 3/4 headings, tables
XIAOBIAOSONG = "方正小标宋简体"  # title
HEITI = "黑体"  # level 1 headings, captions, annex heading, draft mark
KAITI = "楷体_GB2312"  # level 2 headings
SONGTI = "宋体"  # page numbers

LANG = "zh-CN"
# Language of Latin text (w:lang/@w:val), as Chinese Word writes it: with zh-CN there too,
# LibreOffice breaks numbers and Latin words by its Chinese rules — 「本年新收(1」/「8)」 in the
# annex — while with en-US it keeps 「(18)」 and 「T3.applicant_total」 whole.
LATIN_LANG = "en-US"

# Sizes in half-points (w:sz): 2号 22 pt, 3号 16 pt, 4号 14 pt, 五号 10.5 pt.
SZ_2HAO = 44
SZ_3HAO = 32
SZ_4HAO = 28
SZ_TABLE = 21

# Page geometry (GB/T 9704-2012 §5.2): A4, 版心 156 × 225 mm.
PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM = Mm(37), Mm(35)
MARGIN_LEFT, MARGIN_RIGHT = Mm(28), Mm(26)
HEADER_DISTANCE = Mm(15)
# GB/T 9704 §7.5: the page number's 一字线 sits 7 mm below the text block, i.e. its top is
# 28 mm above the bottom edge. The footer distance is measured to the bottom of the footer
# line (14 pt line ≈ 6–7 mm), so ≈ 22 mm puts the number where the standard wants it.
FOOTER_DISTANCE = Mm(22)

# Document grid: 22 lines per page (w:docGrid w:type="lines", pitch 579 twips = 28.95 pt:
# 22 × 579 = 12738 twips ≤ 225 mm = 12756 twips) and 28 characters per line.
#
# 28 characters of 3号 (16 pt) need 448 pt but the text block is 156 mm = 442.25 pt wide.
# Word's character grid (w:type="linesAndChars" with a negative w:charSpace) squeezes each
# character into a 15.79 pt cell, but LibreOffice lays every 16 pt character over TWO
# cells of such a grid (14–16 characters per line, 15 pages instead of 9 in the test render).
# The template therefore uses a line grid only and condenses the 3号 styles by 0.25 pt
# (w:spacing w:val="-5"): 28 × 15.75 pt = 441 pt fits, 29 characters do not — 28 per line
# in Word, WPS and LibreOffice alike.
LINE_PITCH = 579  # twips
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
BODY_CHAR_SPACING = -5  # twentieths of a point (−0.25 pt) on every 16 pt style
BODY_LINE = 579  # exact line spacing of body text, twips (28.95 pt)
TITLE_LINE = 700  # exact line spacing of the title, twips (35 pt; 22 pt glyphs need > 28.95)

# Fixed dates so the output does not change between runs.
FIXED_DATE = _dt.datetime(2021, 9, 26, 0, 0, 0, tzinfo=_dt.timezone.utc)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------------------------
# Raw XML helpers


def _rpr(
    font: str,
    size: int,
    *,
    bold: bool = False,
    black: bool = True,
    extra: str = "",
    char_spacing: int | None = 0,
) -> str:
    """Run properties in schema order: rFonts, b, bCs, i, iCs, (snapToGrid), color, spacing,
    sz, szCs, lang. ``char_spacing`` in twentieths of a point (w:spacing); None: inherit."""
    b = "" if bold else '<w:b w:val="0"/><w:bCs w:val="0"/>'
    color = '<w:color w:val="000000"/>' if black else ""
    spacing = "" if char_spacing is None else f'<w:spacing w:val="{char_spacing}"/>'
    return (
        "<w:rPr>"
        f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>'
        f'{b}<w:i w:val="0"/><w:iCs w:val="0"/>{extra}{color}{spacing}'
        f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
        f'<w:lang w:val="{LATIN_LANG}" w:eastAsia="{LANG}" w:bidi="ar-SA"/>'
        "</w:rPr>"
    )


def _ind_none() -> str:
    return (
        '<w:ind w:left="0" w:leftChars="0" w:right="0" w:rightChars="0" '
        'w:firstLine="0" w:firstLineChars="0"/>'
    )


def _ind_two_chars() -> str:
    # firstLineChars wins in Word/WPS; firstLine (2 × 16 pt = 640 twips) for LibreOffice & co.
    return '<w:ind w:firstLine="640" w:firstLineChars="200"/>'


def _exact(line: int, after: int = 0) -> str:
    return f'<w:spacing w:before="0" w:beforeLines="0" w:after="{after}" w:line="{line}" w:lineRule="exact"/>'


def _single() -> str:
    return '<w:spacing w:before="0" w:beforeLines="0" w:after="0" w:afterLines="0" w:line="240" w:lineRule="auto"/>'


def _ppr(
    *,
    keep_next: bool = False,
    widow_control: bool | None = None,
    overflow_punct: bool | None = None,
    snap_to_grid: bool | None = None,
    spacing: str = "",
    ind: str = "",
    jc: str | None = None,
    outline: int | None = None,
) -> str:
    """Paragraph properties in schema order."""
    parts = ["<w:pPr>"]
    if keep_next:
        parts.append("<w:keepNext/>")
    if widow_control is not None:
        parts.append(f'<w:widowControl w:val="{int(widow_control)}"/>')
    if overflow_punct is not None:
        parts.append(f'<w:overflowPunct w:val="{int(overflow_punct)}"/>')
    if snap_to_grid is not None:
        parts.append(f'<w:snapToGrid w:val="{int(snap_to_grid)}"/>')
    parts.append(spacing)
    parts.append(ind)
    if jc:
        parts.append(f'<w:jc w:val="{jc}"/>')
    if outline is not None:
        parts.append(f'<w:outlineLvl w:val="{outline}"/>')
    parts.append("</w:pPr>")
    return "".join(parts)


def _style_xml(
    style_type: str,
    style_id: str,
    name: str,
    *,
    based_on: str | None = None,
    next_style: str | None = None,
    link: str | None = None,
    ui_priority: int | None = None,
    qformat: bool = True,
    default: bool = False,
    custom: bool = False,
    body: str = "",
) -> str:
    attrs = f'w:type="{style_type}" w:styleId="{style_id}"'
    if default:
        attrs += ' w:default="1"'
    if custom:
        attrs += ' w:customStyle="1"'
    parts = [f"<w:style {nsdecls('w')} {attrs}>", f'<w:name w:val="{name}"/>']
    if based_on:
        parts.append(f'<w:basedOn w:val="{based_on}"/>')
    if next_style:
        parts.append(f'<w:next w:val="{next_style}"/>')
    if link:
        parts.append(f'<w:link w:val="{link}"/>')
    if ui_priority is not None:
        parts.append(f'<w:uiPriority w:val="{ui_priority}"/>')
    if qformat:
        parts.append("<w:qFormat/>")
    parts.append(body)
    parts.append("</w:style>")
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# Style definitions. Keys are style ids; built-in styles keep Word's ids and names so that
# Word/WPS recognise them (e.g. "Heading1" / "heading 1", shown as 「标题 1」 in Chinese Word).

KEEP_HEADINGS_WITH_NEXT = True  # a heading never ends a page alone


def _heading_style(level: int, font: str) -> dict:
    """「一、」 黑体, 「（一）」 楷体, 「1.」「（1）」 仿宋: all 3号 on the body's grid, kept with the next line."""
    return dict(
        style_id=f"Heading{level}",
        name=f"heading {level}",
        based_on="Normal",
        next_style="Normal",
        link=f"Heading{level}Char",
        ui_priority=9,
        body=_ppr(
            keep_next=KEEP_HEADINGS_WITH_NEXT,
            spacing=_exact(BODY_LINE),
            ind=_ind_two_chars(),
            jc="both",
            outline=level - 1,
        )
        + _rpr(font, SZ_3HAO, char_spacing=BODY_CHAR_SPACING),
        char_rpr=_rpr(font, SZ_3HAO, char_spacing=BODY_CHAR_SPACING),
    )


def _paragraph_styles() -> list[dict]:
    return [
        dict(
            style_id="Normal",
            name="Normal",
            default=True,
            ui_priority=None,
            body=_ppr(
                widow_control=False,  # exactly 22 lines on every full page
                # w:overflowPunct on (Word's default, written explicitly): Word may hang a
                # closing mark in the margin; LibreOffice then wraps the last character
                # instead. Absent or "0", LibreOffice drops a mark that falls at the end of
                # a full justified line from the page altogether (seen in the test render).
                overflow_punct=True,
                spacing=_exact(BODY_LINE),
                ind=_ind_two_chars(),
                jc="both",
            )
            + _rpr(FANGSONG, SZ_3HAO, black=False, char_spacing=BODY_CHAR_SPACING),
        ),
        dict(
            style_id="Title",
            name="Title",
            based_on="Normal",
            next_style="Normal",
            link="TitleChar",
            ui_priority=10,
            body=_ppr(
                keep_next=True,
                snap_to_grid=False,  # 35 pt lines must not be rounded up to two grid lines
                spacing=_exact(TITLE_LINE, after=BODY_LINE),  # one blank body line below
                ind=_ind_none(),
                jc="center",
            )
            + _rpr(XIAOBIAOSONG, SZ_2HAO),
            char_rpr=_rpr(XIAOBIAOSONG, SZ_2HAO),
        ),
        _heading_style(1, HEITI),
        _heading_style(2, KAITI),
        _heading_style(3, FANGSONG),
        _heading_style(4, FANGSONG),
        dict(
            style_id="Preamble",
            name="Preamble",
            based_on="Normal",
            next_style="Normal",
            custom=True,
            body=_ppr(spacing=_exact(BODY_LINE), ind=_ind_two_chars(), jc="both")
            + _rpr(FANGSONG, SZ_3HAO, black=False, char_spacing=BODY_CHAR_SPACING),
        ),
        dict(
            style_id="Signature",
            name="Signature",
            based_on="Normal",
            next_style="Signature",
            ui_priority=None,
            body=_ppr(
                keep_next=False,
                spacing=_exact(BODY_LINE),
                # 右空四字 (GB/T 9704 §7.3.5): 4 × 16 pt = 1280 twips
                ind='<w:ind w:left="0" w:leftChars="0" w:right="1280" w:rightChars="400" '
                'w:firstLine="0" w:firstLineChars="0"/>',
                jc="right",
            )
            + _rpr(FANGSONG, SZ_3HAO, black=False, char_spacing=BODY_CHAR_SPACING),
        ),
        dict(
            style_id="TableText",
            name="Table Text",
            based_on="Normal",
            next_style="TableText",
            custom=True,
            body=_ppr(
                widow_control=False,
                snap_to_grid=False,  # no 28.95 pt grid rows inside tables
                spacing=_single(),
                ind=_ind_none(),
                jc="center",
            )
            + _rpr(FANGSONG, SZ_TABLE, black=False, extra='<w:snapToGrid w:val="0"/>'),
        ),
        dict(
            style_id="TableTextLeft",
            name="Table Text Left",
            based_on="TableText",
            next_style="TableTextLeft",
            custom=True,
            body=_ppr(jc="left"),
        ),
        dict(
            style_id="TableCaption",
            name="Table Caption",
            based_on="Normal",
            next_style="Normal",
            custom=True,
            body=_ppr(keep_next=True, spacing=_exact(BODY_LINE), ind=_ind_none(), jc="center")
            + _rpr(HEITI, SZ_4HAO),
        ),
        dict(
            style_id="AnnexHeading",
            name="Annex Heading",
            based_on="Normal",
            next_style="Normal",
            custom=True,
            body=_ppr(
                keep_next=True,
                spacing=_exact(BODY_LINE),
                ind=_ind_none(),
                jc="left",
                outline=0,
            )
            + _rpr(HEITI, SZ_3HAO, char_spacing=BODY_CHAR_SPACING),
        ),
        dict(
            style_id="DraftMark",
            name="Draft Mark",
            based_on="Normal",
            next_style="Normal",
            custom=True,
            body=_ppr(keep_next=True, spacing=_exact(BODY_LINE), ind=_ind_none(), jc="center")
            + _rpr(HEITI, SZ_3HAO, char_spacing=BODY_CHAR_SPACING),
        ),
        dict(
            style_id="Header",
            name="header",
            based_on="Normal",
            link="HeaderChar",
            ui_priority=99,
            qformat=False,
            body=_ppr(snap_to_grid=False, spacing=_single(), ind=_ind_none(), jc="center")
            + _rpr(SONGTI, 18, black=False),
            char_rpr=_rpr(SONGTI, 18, black=False),
        ),
        dict(
            style_id="Footer",
            name="footer",
            based_on="Normal",
            link="FooterChar",
            ui_priority=99,
            qformat=False,
            body=_ppr(snap_to_grid=False, spacing=_single(), ind=_ind_none(), jc="left")
            + _rpr(SONGTI, SZ_4HAO, black=False),
            char_rpr=_rpr(SONGTI, SZ_4HAO, black=False),
        ),
    ]


CHAR_STYLE_NAMES = {
    "TitleChar": "Title Char",
    "Heading1Char": "Heading 1 Char",
    "Heading2Char": "Heading 2 Char",
    "Heading3Char": "Heading 3 Char",
    "Heading4Char": "Heading 4 Char",
    "HeaderChar": "Header Char",
    "FooterChar": "Footer Char",
}


def _table_style_xml() -> str:
    border = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'  # 0.5 pt
    borders = "".join(
        f"<w:{side} {border}/>" for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    body = (
        _ppr(snap_to_grid=False, spacing=_single(), ind=_ind_none(), jc="center")
        + _rpr(FANGSONG, SZ_TABLE, black=False)
        + "<w:tblPr>"
        '<w:jc w:val="center"/>'
        '<w:tblInd w:w="0" w:type="dxa"/>'
        f"<w:tblBorders>{borders}</w:tblBorders>"
        "<w:tblCellMar>"
        '<w:top w:w="28" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
        '<w:bottom w:w="28" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>'
        "</w:tblCellMar>"
        "</w:tblPr>"
        '<w:tcPr><w:vAlign w:val="center"/></w:tcPr>'
    )
    return _style_xml(
        "table",
        "ReportGrid",
        "Report Grid",
        based_on="TableGrid",
        custom=True,
        ui_priority=59,
        body=body,
    )


# --------------------------------------------------------------------------------------------
# Building


def _replace_style(styles_el, xml: str) -> None:
    new = parse_xml(xml)
    style_id = new.get(qn("w:styleId"))
    old = [s for s in styles_el.findall(qn("w:style")) if s.get(qn("w:styleId")) == style_id]
    if old:
        old[0].addprevious(new)
        for s in old:
            styles_el.remove(s)
    else:
        styles_el.append(new)


def _build_styles(document: docx.document.Document) -> None:
    styles_el = document.styles.element

    # docDefaults: 仿宋_GB2312 3号, zh-CN, no paragraph spacing.
    defaults = styles_el.find(qn("w:docDefaults"))
    defaults.getparent().replace(
        defaults,
        parse_xml(
            f"<w:docDefaults {nsdecls('w')}>"
            "<w:rPrDefault>"
            f'<w:rPr><w:rFonts w:ascii="{FANGSONG}" w:hAnsi="{FANGSONG}" w:eastAsia="{FANGSONG}" w:cs="{FANGSONG}"/>'
            f'<w:sz w:val="{SZ_3HAO}"/><w:szCs w:val="{SZ_3HAO}"/>'
            f'<w:lang w:val="{LATIN_LANG}" w:eastAsia="{LANG}" w:bidi="ar-SA"/></w:rPr>'
            "</w:rPrDefault>"
            "<w:pPrDefault><w:pPr>"
            '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
            "</w:pPr></w:pPrDefault>"
            "</w:docDefaults>"
        ),
    )

    for spec in _paragraph_styles():
        char_rpr = spec.pop("char_rpr", None)
        style_id = spec.pop("style_id")
        name = spec.pop("name")
        _replace_style(styles_el, _style_xml("paragraph", style_id, name, **spec))
        link = spec.get("link")
        if link:
            _replace_style(
                styles_el,
                _style_xml(
                    "character",
                    link,
                    CHAR_STYLE_NAMES[link],
                    based_on="DefaultParagraphFont",
                    link=style_id,
                    custom=True,
                    qformat=False,
                    ui_priority=spec.get("ui_priority"),
                    body=char_rpr or "",
                ),
            )

    _replace_style(styles_el, _table_style_xml())


FOOTER_FONT = SONGTI
FOOTER_SIZE = SZ_4HAO


def _page_number_paragraph(align: str) -> str:
    """「— N —」 with a PAGE field; odd pages: right, 右空一字; even pages: left, 左空一字."""
    if align == "right":
        ind = '<w:ind w:right="280" w:rightChars="100"/>'
    else:
        ind = '<w:ind w:left="280" w:leftChars="100"/>'
    # 「— N —」 as the issue and GB/T 9704 print it: ordinary spaces (a search for "— 1 —"
    # finds it; xml:space="preserve" keeps them)
    nbsp = " "
    # Every run names 宋体 and 4号 directly as well as through the Footer style: the page
    # number must stay 4号 宋体 even where a reader (or a house style) ignores the style, and
    # the em-dashes take the East-Asian (full-width) glyph.
    font = f'w:ascii="{FOOTER_FONT}" w:hAnsi="{FOOTER_FONT}" w:eastAsia="{FOOTER_FONT}" w:cs="{FOOTER_FONT}"'
    size = f'<w:sz w:val="{FOOTER_SIZE}"/><w:szCs w:val="{FOOTER_SIZE}"/>'
    rpr = f"<w:rPr><w:rFonts {font}/>{size}</w:rPr>"
    dash = f'<w:rPr><w:rFonts {font} w:hint="eastAsia"/>{size}</w:rPr>'
    return (
        f"<w:p {nsdecls('w')}>"
        f'<w:pPr><w:pStyle w:val="Footer"/>{ind}<w:jc w:val="{align}"/></w:pPr>'
        f'<w:r>{dash}<w:t xml:space="preserve">—{nbsp}</w:t></w:r>'
        f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r>{rpr}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r>{rpr}<w:t>1</w:t></w:r>"
        f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>'
        f'<w:r>{dash}<w:t xml:space="preserve">{nbsp}—</w:t></w:r>'
        "</w:p>"
    )


def _set_footer(footer, align: str) -> None:
    footer.is_linked_to_previous = False
    ftr = footer._element
    for child in list(ftr):
        ftr.remove(child)
    ftr.append(parse_xml(_page_number_paragraph(align)))


def _build_section(document: docx.document.Document) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance, section.footer_distance = HEADER_DISTANCE, FOOTER_DISTANCE
    section.gutter = 0

    document.settings.odd_and_even_pages_header_footer = True
    _set_footer(section.footer, "right")  # default footer = odd pages
    _set_footer(section.even_page_footer, "left")

    sect_pr = section._sectPr
    for attr in [a for a in sect_pr.attrib if "rsid" in a]:
        del sect_pr.attrib[attr]
    cols = sect_pr.find(qn("w:cols"))
    if cols is not None:
        cols.set(qn("w:space"), "425")

    # The text block holds 22 lines of 28.95 pt and 28 (not 29) condensed 3号 characters.
    pg_sz, pg_mar = sect_pr.find(qn("w:pgSz")), sect_pr.find(qn("w:pgMar"))
    width = int(pg_sz.get(qn("w:w"))) - int(pg_mar.get(qn("w:left"))) - int(pg_mar.get(qn("w:right")))
    height = int(pg_sz.get(qn("w:h"))) - int(pg_mar.get(qn("w:top"))) - int(pg_mar.get(qn("w:bottom")))
    advance = SZ_3HAO / 2 + BODY_CHAR_SPACING / 20  # pt per 3号 character
    assert CHARS_PER_LINE * advance <= width / 20 < (CHARS_PER_LINE + 1) * advance
    assert height >= LINES_PER_PAGE * LINE_PITCH

    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = parse_xml(f"<w:docGrid {nsdecls('w')}/>")
        sect_pr.append(grid)
    grid.attrib.clear()
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))


def _build_settings(document: docx.document.Document) -> None:
    settings = document.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), LATIN_LANG)
        lang.set(qn("w:eastAsia"), LANG)
    # python-docx's default document says Word 2010 (compatibilityMode 14): Word 2013 and
    # later would open every report in 「兼容模式」. 15 is the mode of a document Word makes.
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")
    # rsids only record editing sessions; the preview picture was dropped with the thumbnail.
    for tag in ("w:rsids", "w:savePreviewPicture"):
        el = settings.find(qn(tag))
        if el is not None:
            settings.remove(el)


def _build_core_properties(document: docx.document.Document) -> None:
    cp = document.core_properties
    cp.title = "政府信息公开工作年度报告"
    cp.subject = "政府信息公开工作年度报告（国办公开办函〔2021〕30号格式）"
    cp.language = LANG
    cp.author = "report_kit"
    cp.last_modified_by = "report_kit"
    cp.comments = "report_kit template (GB/T 9704-2012 layout); built by templates/build_docx_template.py"
    cp.keywords = "政府信息公开;年度报告"
    cp.category = ""
    cp.revision = 1
    cp.created = FIXED_DATE.replace(tzinfo=None)
    cp.modified = FIXED_DATE.replace(tzinfo=None)


# Font table entries: w:altName is the face Word/WPS substitutes when the official font is
# missing (Windows 10/11 ship 仿宋 and 楷体 but not the *_GB2312 faces); charset 86 = GB2312.
FONT_TABLE = [
    (FANGSONG, "仿宋"),
    (KAITI, "楷体"),
    (XIAOBIAOSONG, "宋体"),
    (HEITI, "SimHei"),
    (SONGTI, "SimSun"),
    ("仿宋", "FangSong"),
    ("楷体", "KaiTi"),
]


def _build_font_table(document: docx.document.Document) -> None:
    from lxml import etree

    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob)
    present = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, alt in FONT_TABLE:
        if name in present:
            continue
        root.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/>'
                '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/>'
                "</w:font>"
            )
        )
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_extra_parts(document: docx.document.Document) -> None:
    """Drop the thumbnail of python-docx's default document (a picture of an empty US-letter
    page) and stylesWithEffects.xml (a stale second copy of the unmodified styles)."""
    for owner in (document.part.package, document.part):
        for r_id, rel in list(owner.rels.items()):
            if rel.reltype.endswith(("/thumbnail", "/stylesWithEffects")):
                del owner.rels[r_id]


def _strip_rsids(document: docx.document.Document) -> None:
    for el in list(document.styles.element.iter(qn("w:rsid"))):
        el.getparent().remove(el)


def build(out: Path) -> Path:
    document = docx.Document()
    body = document.element.body
    assert [c.tag for c in body] == [qn("w:sectPr")], "default body must hold only sectPr"

    _build_styles(document)
    _strip_rsids(document)
    _build_section(document)
    _build_settings(document)
    _build_core_properties(document)
    _build_font_table(document)
    _drop_extra_parts(document)

    buf = io.BytesIO()
    document.save(buf)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(_normalise_zip(buf.getvalue()))
    return out


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed timestamps (reproducible bytes, same member order)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) > 1 or (argv and argv[0] in ("-h", "--help")):
        print(__doc__.strip().splitlines()[0])
        print("usage: python templates/build_docx_template.py [OUT]")
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    out = Path(argv[0]) if argv else DEFAULT_OUT
    build(out)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
