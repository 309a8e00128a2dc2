"""The web page: read back with the standard library's HTML parser, like a browser would.

Cells are placed on the grid with the HTML table algorithm (rowspan slots carry over to the
rows below), so a wrong span shows up as a cell in the wrong column.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from report_kit.grid import table_grid
from report_kit.layout import load_layout
from report_kit.readers import read_submission
from report_kit.report_content import ANNEX_HEADING, BLANK_DATE, DRAFT_MARK, build_content
from report_kit.rules.context import resolve
from report_kit.writers.report_html import render_html

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.yaml"
LAYOUT = load_layout("2021")
TABLES = ("T2", "T3", "T4")


def shown(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Page(HTMLParser):
    """Collects the page's tags, headings, paragraphs and tables."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.texts: list[tuple[str, str, dict]] = []  # (tag, text, attrs) of h1-h3, p
        self.tables: list[dict] = []
        self._text: list[str] | None = None
        self._attrs: dict = {}
        self._cell: dict | None = None
        self._section = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag not in ("meta", "col", "br", "wbr"):  # void elements
            self.stack.append(tag)
        if tag in ("h1", "h2", "h3", "p", "caption"):
            self._text, self._attrs = [], attrs
        elif tag == "table":
            self.tables.append({"id": attrs.get("id"), "caption": "", "rows": [], "sections": []})
        elif tag in ("thead", "tbody"):
            self._section = tag
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
            self.tables[-1]["sections"].append(self._section)
        elif tag in ("th", "td"):
            self._cell = {"tag": tag, "attrs": attrs, "text": ""}

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        if tag in ("h1", "h2", "h3", "p") and self._text is not None:
            self.texts.append((tag, "".join(self._text), self._attrs))
            self._text = None
        elif tag == "caption" and self._text is not None:
            self.tables[-1]["caption"] = "".join(self._text)
            self._text = None
        elif tag in ("th", "td") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data
        elif self._text is not None:
            self._text.append(data)

    def of(self, tag: str, **attrs) -> list[str]:
        return [
            text for t, text, a in self.texts if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def placed(table: dict) -> dict[tuple[int, int], dict]:
    """(row, col) of every cell per the HTML table model."""
    taken: set[tuple[int, int]] = set()
    out = {}
    for r, row in enumerate(table["rows"]):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            rowspan = int(cell["attrs"].get("rowspan", 1))
            colspan = int(cell["attrs"].get("colspan", 1))
            out[(r, c)] = {**cell, "rowspan": rowspan, "colspan": colspan, "section": table["sections"][r]}
            for rr in range(r, r + rowspan):
                for cc in range(c, c + colspan):
                    taken.add((rr, cc))
            c += colspan
    return out


def assert_tables_match(page: Page, submission: dict, fmt: str = "2021") -> None:
    by_caption = {t["caption"]: t for t in page.tables}
    for table_id in TABLES:
        grid = table_grid(table_id, fmt)
        table = by_caption[grid.title]
        cells = placed(table)
        assert len(cells) == len(grid.cells), table_id
        first_data = min(c.row for c in grid.cells if c.kind == "data")
        assert table["sections"].count("thead") == (grid.header_rows or first_data), table_id
        assert table["sections"][0] == "thead", f"{table_id} names its columns in a <thead>"
        for cell in grid.cells:
            got = cells[(cell.row, cell.col)]
            assert (got["rowspan"], got["colspan"]) == (cell.rowspan, cell.colspan), (table_id, cell)
            if cell.kind == "data":
                assert got["tag"] == "td"
                assert got["text"] == shown(resolve(submission, cell.pointer)), (table_id, cell.pointer)
            else:
                assert got["text"] == cell.text, (table_id, cell)


@pytest.fixture(scope="module")
def page_and_submission():
    submission = read_submission(EXAMPLE).submission
    html = render_html(build_content(submission))
    return submission, html, parse(html)


def test_document_is_self_contained_and_chinese(page_and_submission):
    _, html, page = page_and_submission
    assert html.startswith("<!DOCTYPE html>")
    html_tag = next(attrs for tag, attrs in page.tags if tag == "html")
    assert html_tag["lang"] == "zh-CN"
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "link", "img", "iframe", "object"}
    assert not any(
        "src" in attrs or attrs.get("href", "").startswith(("http", "//")) for _, attrs in page.tags
    )
    assert "@media print" in html and "@page" in html
    assert any(t == "meta" and a.get("name") == "viewport" for t, a in page.tags)
    assert page.stack == [], "every element is closed"


def test_same_content_as_the_word_document(page_and_submission):
    submission, _, page = page_and_submission
    assert page.of("h1") == ["轮台县市场监督管理局2024年政府信息公开工作年度报告"]
    assert page.of("h2") == [f"{s['number']}、{s['title']}" for s in LAYOUT.sections]
    assert page.of("h3")[:2] == ["（一）主动公开", "（二）依申请公开"]
    preamble = page.of("p", **{"class": "preamble"})[0]
    assert "统计期限为2024年1月1日至12月31日" in preamble and LAYOUT.raw["notice"] in preamble
    content = build_content(submission)
    paragraphs = [b.text for b in content.blocks if b.kind == "paragraph"]
    assert [t for t, text, a in page.texts if t == "p" and not a.get("class")] == ["p"] * len(paragraphs)
    assert [text for t, text, a in page.texts if t == "p" and not a.get("class")] == paragraphs
    signature = [text for t, text, a in page.texts if "signature" in (a.get("class") or "")]
    assert signature == ["轮台县市场监督管理局", "2025年1月20日"]


def test_every_table_cell_equals_the_submission(page_and_submission):
    submission, _, page = page_and_submission
    assert_tables_match(page, submission)


def test_header_cells_carry_scope_and_tables_scroll_inside_a_labelled_region(page_and_submission):
    _, html, page = page_and_submission
    for table in page.tables:
        for cell in placed(table).values():
            if cell["tag"] == "th":
                scope = cell["attrs"].get("scope")
                assert scope in ("col", "colgroup", "row", "rowgroup"), cell
                if cell["section"] == "thead":
                    assert scope in ("col", "colgroup"), cell
    t3 = placed(next(t for t in page.tables if t["id"] == "T3"))
    assert t3[(3, 0)]["attrs"]["scope"] == "row"  # 一、本年新收… heads its row
    assert t3[(0, 3)]["attrs"]["scope"] == "col"  # 申请人情况
    wraps = [a for t, a in page.tags if t == "div" and "table-wrap" in a.get("class", "").split()]
    captions = [a["id"] for t, a in page.tags if t == "caption"]
    assert [w["aria-labelledby"] for w in wraps] == captions
    assert all(w["role"] == "region" and w["tabindex"] == "0" for w in wraps)
    assert ".table-wrap {" in html and "overflow-x: auto" in html


def test_blank_date_line_is_kept_visible():
    submission = read_submission(EXAMPLE).submission
    del submission["published_on"]
    page = parse(render_html(build_content(submission)))
    signature = [text for t, text, a in page.texts if "signature" in (a.get("class") or "")]
    assert signature[-1] == BLANK_DATE


def test_hostile_text_is_escaped():
    submission = read_submission(EXAMPLE).submission
    submission["unit"]["name"] = '某局"><script>alert(1)</script>'
    submission["text"]["problems"] = "<img src=x onerror=alert(1)>\n</p><script>alert(2)</script>&amp;"
    submission["applications"]["received"]["natural_person"] = "<b>12</b>"
    html = render_html(build_content(submission, draft=True))
    page = parse(html)
    tags = {tag for tag, _ in page.tags}
    assert "script" not in tags and "img" not in tags and "b" not in tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x onerror=alert(1)>" in page.of("p")
    assert "</p><script>alert(2)</script>&amp;" in page.of("p")
    assert page.of("h1")[0].startswith('某局"><script>')
    t3 = placed(next(t for t in page.tables if t["id"] == "T3"))
    assert "<b>12</b>" in {c["text"] for c in t3.values()}


def test_draft_banner_and_annex():
    from report_kit.check import check_file

    report = check_file(ROOT / "examples" / "invalid" / "01-balance.yaml")
    html = render_html(build_content(report.submission, findings=report.findings, draft=True))
    page = parse(html)
    assert page.of("p", **{"class": "draft", "role": "note"}) == [DRAFT_MARK]
    assert "<title>轮台县市场监督管理局2024年政府信息公开工作年度报告（草稿）</title>" in html
    assert page.of("h2")[-1] == ANNEX_HEADING
    annex = page.tables[-1]
    assert annex["caption"] == "校验错误清单"
    assert [c["text"] for c in annex["rows"][0]] == ["序号", "规则", "级别", "位置", "问题"]
    assert annex["sections"][0] == "thead"
    assert len(annex["rows"]) == len(report.findings) + 1
    assert [c["text"] for c in annex["rows"][1]][:3] == ["1", report.findings[0].rule, "错误"]


def test_valid_report_has_no_draft_mark(page_and_submission):
    _, html, page = page_and_submission
    assert DRAFT_MARK not in html
    assert ANNEX_HEADING not in page.of("h2")


def test_every_official_table_has_a_thead_and_table_two_keeps_its_blocks(page_and_submission):
    _, html, page = page_and_submission
    for table in page.tables:
        assert "thead" in table["sections"], table["caption"]
    t2 = placed(next(t for t in page.tables if t["id"] == "T2"))
    assert t2[(0, 0)]["text"] == "第二十条第（一）项" and t2[(0, 0)]["section"] == "thead"
    assert t2[(0, 0)]["attrs"]["scope"] == "colgroup"
    assert t2[(1, 0)]["text"] == "信息内容" and t2[(1, 0)]["section"] == "thead"
    assert t2[(2, 0)]["section"] == "tbody"
    later_blocks = [c for c in t2.values() if c["text"].startswith("第二十条") and c["section"] == "tbody"]
    assert [c["attrs"]["scope"] for c in later_blocks] == ["rowgroup"] * 3
    # 表二's first block header is not repeated above another block when printed
    assert "thead.no-repeat { display: table-row-group; }" in html


def test_print_layout_numbers_pages_and_keeps_short_tables_whole(page_and_submission):
    _, html, page = page_and_submission
    assert "size: A4; margin: 37mm 26mm 35mm 28mm" in html
    assert html.count('content: "— " counter(page) " —"') == 2  # odd pages right, even pages left
    wraps = [a["class"].split() for t, a in page.tags if t == "div" and "role" in a]
    kept = {table["caption"] for table, classes in zip(page.tables, wraps) if "keep" in classes}
    assert kept == {"表二 主动公开政府信息情况", "表四 政府信息公开行政复议、行政诉讼情况"}


def test_one_character_wide_group_label_is_vertical_text(page_and_submission):
    _, html, page = page_and_submission
    vertical = [
        cell["text"]
        for table in page.tables
        for cell in placed(table).values()
        if "vertical" in cell["attrs"].get("class", "").split()
    ]
    assert vertical == ["三、本年度办理结果"]
    assert "writing-mode: vertical-rl" in html


def test_draft_marks_bad_cells_with_a_class_and_a_title():
    from report_kit.check import check_file

    report = check_file(ROOT / "examples" / "invalid" / "01-balance.yaml")
    page = render_html(
        build_content(
            report.submission,
            findings=report.findings,
            draft=True,
            suspects=["/applications/carried_forward/natural_person"],
        )
    )
    assert page.count('class="mark-involved"') == 7
    assert page.count('class="mark-suspect"') == 1
    assert 'title="涉及校验错误"' in page and ".mark-suspect {" in page
    clean = render_html(build_content(report.submission, findings=report.findings))
    assert 'class="mark-' not in clean
