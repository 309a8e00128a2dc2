"""The Word report on the printed page: LibreOffice renders it, pdftotext tells where each
word landed (mm). These tests check what the XML cannot show: the signature block of a
sealed document, the title's line breaks, and that no page before the last is mostly empty.

Rendering takes a few seconds, so every document is built and rendered once per module.
Without LibreOffice or poppler the tests skip, saying so.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from rendered import TEXT_BOTTOM, TEXT_LEFT, TEXT_RIGHT, TEXT_TOP, Page, needs_renderer, render

from report_kit.check import check_file
from report_kit.layout import load_layout
from report_kit.readers import read_submission
from report_kit.report_content import build_content, chinese_date
from report_kit.writers.report_docx import _kept_rows, write_docx

pytestmark = needs_renderer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.yaml"
LINE = 28.95 * 25.4 / 72  # mm: the body's line pitch (22 lines on the 225 mm text block)
CHAR = (16 - 0.25) * 25.4 / 72  # mm: one 3号 character, condensed by 0.25 pt
LONG_UNIT = "新疆维吾尔自治区巴音郭楞蒙古自治州轮台县市场监督管理局"
SECTIONS = [f"{s['number']}、{s['title']}" for s in load_layout("2021").sections]


def _long_prose(submission: dict) -> dict:
    """Every text of the example three times over, and a unit name too long for one line."""
    long = copy.deepcopy(submission)
    long["unit"]["name"] = LONG_UNIT

    def triple(value):
        if isinstance(value, str):
            return "\n".join([value] * 3)
        if isinstance(value, dict):
            return {k: triple(v) for k, v in value.items()}
        return value

    long["text"] = triple(long["text"])
    return long


def _short_overview(submission: dict) -> dict:
    """Only the first two items of 「一、总体情况」: 表二 then starts low on page 2 and does
    not fit below the text (kept whole, it would leave page 2 half empty)."""
    short = copy.deepcopy(submission)
    overview = short["text"]["overview"]
    for key in list(overview)[2:]:
        overview[key] = ""
    return short


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """name → (content, rendered pages) for the example, a long report, a short one and a
    --force draft."""
    folder = tmp_path_factory.mktemp("rendered")
    example = read_submission(EXAMPLE).submission
    draft = check_file(ROOT / "examples" / "invalid" / "03-applicant-total.yaml")
    contents = {
        "example": build_content(example),
        "long": build_content(_long_prose(example)),
        "short": build_content(_short_overview(example)),
        "draft": build_content(draft.submission, findings=draft.findings, draft=True),
    }
    for name in ("04-shape", "07-fees"):  # negative numbers, JSON pointers, long rule ids
        report = check_file(ROOT / "examples" / "invalid" / f"{name}.yaml")
        contents[name] = build_content(report.submission, findings=report.findings, draft=True)
    paths = []
    for name, content in contents.items():
        write_docx(content, folder / f"{name}.docx")
        paths.append(folder / f"{name}.docx")
    pages = render(paths, folder / "pdf")
    return {name: (content, pages[name]) for name, content in contents.items()}


def line_text(line) -> str:
    return "".join(word.text for word in line)


def span(line) -> tuple[float, float]:
    return min(w.x0 for w in line), max(w.x1 for w in line)


def centre(line) -> float:
    left, right = span(line)
    return (left + right) / 2


# ------------------------------------------------------------------------------------------
# Signature (GB/T 9704-2012 §7.3.5.1)


@pytest.mark.parametrize(("name", "unit_lines"), [("example", 1), ("long", 3)])
def test_signature_date_four_characters_in_and_the_unit_centred_above_it(documents, name, unit_lines):
    content, pages = documents[name]
    lines = pages[-1].lines()
    date, names, text_end = lines[-1], lines[-1 - unit_lines : -1], lines[-2 - unit_lines]
    assert line_text(date) == chinese_date("2025-01-20")
    assert "".join(line_text(line) for line in names) == content.unit
    # the date: its last character four characters in from the right margin
    assert TEXT_RIGHT - span(date)[1] == pytest.approx(4 * CHAR, abs=1.0)
    # the unit name: every line centred over the date, inside the right margin
    for line in names:
        assert centre(line) == pytest.approx(centre(date), abs=0.5), line_text(line)
        assert span(line)[1] <= TEXT_RIGHT + 0.2
    # on the lines right above the date, two blank lines below the text (room for the seal)
    baselines = [line[0].y1 for line in (text_end, *names, date)]
    assert baselines[1] - baselines[0] == pytest.approx(3 * LINE, abs=0.6)
    for upper, lower in zip(baselines[1:], baselines[2:]):
        assert lower - upper == pytest.approx(LINE, abs=0.6)


def test_long_unit_name_wraps_between_whole_phrases(documents):
    _, pages = documents["long"]
    lines = [line_text(line) for line in pages[-1].lines()[-4:-1]]
    assert lines == ["新疆维吾尔自治区", "巴音郭楞蒙古自治州", "轮台县市场监督管理局"]


# ------------------------------------------------------------------------------------------
# Title (GB/T 9704-2012 §7.3.1)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("example", ["轮台县市场监督管理局", "2024年政府信息公开工作年度报告"]),  # 梯形
        (
            "long",
            ["新疆维吾尔自治区", "巴音郭楞蒙古自治州轮台县市场监督管理局", "2024年政府信息公开工作年度报告"],
        ),
    ],
)
def test_title_breaks_after_the_unit_name_in_a_trapezoid_or_diamond(documents, name, expected):
    _, pages = documents[name]
    title = pages[0].lines()[: len(expected)]
    assert [line_text(line) for line in title] == expected
    widths = [span(line)[1] - span(line)[0] for line in title]
    peak = widths.index(max(widths))
    assert widths[: peak + 1] == sorted(widths[: peak + 1])  # growing to the longest line …
    assert widths[peak:] == sorted(widths[peak:], reverse=True)  # … then shrinking
    for line in title:
        assert centre(line) == pytest.approx((TEXT_LEFT + TEXT_RIGHT) / 2, abs=1.0)


# ------------------------------------------------------------------------------------------
# Page breaks


def _first_group_end(content, table_id: str) -> str:
    """The row label that ends a table's indivisible start (header, first rows, first group)."""
    table = next(t for t in content.tables() if t.id == table_id)
    kept = _kept_rows(table)
    end = next(r for r in range(table.height) if r not in kept)
    labels = [c for c in table.cells if c.row == end and c.kind == "label" and c.rowspan == 1]
    return labels[-1].text


def _bottom(page: Page) -> float:
    return max(w.y1 for w in page.body)


def _forced_break(content, page: Page, following: Page) -> bool:
    """The page ends early because the next page starts with a heading and a table whose
    indivisible start is taller than the room left (a table that truly cannot fit)."""
    lines = [line_text(line) for line in following.lines()]
    if not (lines[0] in SECTIONS and lines[1].startswith("表")):
        return False
    table_id = {"表二": "T2", "表三": "T3", "表四": "T4"}[lines[1][:2]]
    end = _first_group_end(content, table_id)
    (end_line,) = [line for line in following.lines() if line_text(line).startswith(end)]
    needed = end_line[0].y1 - TEXT_TOP
    room = TEXT_BOTTOM - _bottom(page) - LINE  # less the blank line after a table
    return needed > room


@pytest.mark.parametrize("name", ["example", "long", "short", "draft"])
def test_no_page_before_the_last_is_mostly_empty(documents, name):
    content, pages = documents[name]
    if content.draft:  # the annex starts on a page of its own: the report ends before it
        pages = [p for p in pages if "附件：校验错误清单" not in p.text()]
    fills = [round(page.fill, 2) for page in pages]
    for index, page in enumerate(pages[:-1]):
        if page.fill < 0.5:
            assert _forced_break(content, page, pages[index + 1]), (index + 1, fills)


@pytest.mark.parametrize("name", ["example", "long", "short"])
def test_table_three_starts_with_its_first_group(documents, name):
    """Never 表三's header and two rows at a page foot: its first group (through the last row
    of 「（三）不予公开」) is on the page its caption is on."""
    content, pages = documents[name]
    table = next(t for t in content.tables() if t.id == "T3")
    first_group = min(
        (c for c in table.cells if c.kind == "label" and 1 < c.rowspan <= 8), key=lambda c: c.row
    )
    last_row = first_group.row + first_group.rowspan - 1
    (end,) = [c.text for c in table.cells if c.row == last_row and c.kind == "label" and c.rowspan == 1]
    (page,) = [
        p for p in pages if any(line_text(line) == table.caption.replace(" ", "") for line in p.lines())
    ]
    assert any(line_text(line).startswith(end) for line in page.lines()), (page.number, end)


def test_table_two_breaks_between_its_blocks_when_it_does_not_fit(documents):
    """表二 below two items of text: its first blocks stay on page 2 (not half empty), the
    page breaks before a 「第二十条第（…）项」 band, which heads the rest on page 3."""
    content, pages = documents["short"]
    table = next(t for t in content.tables() if t.id == "T2")
    bands = [c.text for c in table.cells if c.kind == "block"]
    starts = [
        p for p in pages if any(line_text(line) == table.caption.replace(" ", "") for line in p.lines())
    ]
    (page,) = starts
    following = pages[page.number]  # the next page (numbers count from 1)
    first = line_text(following.lines()[0])
    assert first in bands[1:], first
    assert bands[0] in page.text()
    assert page.fill >= 0.5


def test_no_page_ends_on_a_band_or_column_headers_of_table_two(documents):
    for name in ("example", "long", "short"):
        content, pages = documents[name]
        table = next(t for t in content.tables() if t.id == "T2")
        bands = {c.text for c in table.cells if c.kind == "block"}
        for page in pages:
            last = line_text(page.lines()[-1])
            assert last not in bands and not last.startswith("信息内容"), (name, page.number)


@pytest.mark.parametrize("name", ["example", "long"])
def test_one_blank_line_between_a_table_and_the_next_heading(documents, name):
    _, pages = documents[name]
    seen = 0
    for page in pages:
        lines = page.lines()
        for upper, lower in zip(lines, lines[1:]):
            if line_text(lower) in SECTIONS and re.search(r"\d$", line_text(upper)):
                # the table's last row (its numbers) above a heading: one empty line between
                assert lower[0].y0 - upper[0].y1 >= LINE - 1.0, (page.number, line_text(lower))
                seen += 1
    assert seen >= 2  # after 表三 and after 表四 at least


# ------------------------------------------------------------------------------------------
# The --force annex


LATIN = re.compile(r"[A-Za-z0-9_./]+")


@pytest.mark.parametrize("name", ["04-shape", "07-fees"])
def test_annex_never_breaks_a_rule_id_or_word_mid_word_nor_a_minus_from_its_number(documents, name):
    content, pages = documents[name]
    annex = [p for p in pages if "附件：校验错误清单" in p.text()]
    assert annex
    table = content.tables()[-1]
    sources = [cell.text for cell in table.cells]
    rules = {cell.text for cell in table.cells if cell.col == 1 and cell.row}
    assert any(len(rule) > 20 for rule in rules) or name != "07-fees"  # one must wrap

    def whole(token: str) -> bool:
        """The token starts and ends at a word boundary of some source text (a break after
        「.」「_」「/」 is between words)."""
        for source in sources:
            for match in re.finditer(re.escape(token), source):
                before = source[match.start() - 1] if match.start() else " "
                after = source[match.end()] if match.end() < len(source) else " "
                starts = not before.isascii() or not before.isalnum() or before in "._/"
                ends = not after.isascii() or not after.isalnum() or token[-1] in "._/"
                if starts and ends:
                    return True
        return False

    seen = set()
    for page in annex:
        for word in page.body:
            text = word.text.replace("\u200b", "")
            assert not text.endswith(("-", "\u2212")), (page.number, word.text)  # minus kept with its number
            for token in LATIN.findall(text.replace("\u2212", "-")):
                assert whole(token), (page.number, token, word.text)
                seen.add(token)
    # every rule id is on the page, whole or broken after 「.」 / 「_」 into whole pieces
    text = "".join(w.text for p in annex for w in p.body)
    for rule in rules:
        assert rule in text or all(piece in text for piece in re.findall(r"[^._]+[._]?", rule)), rule
