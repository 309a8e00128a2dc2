"""The workbooks print as a clerk would print them by hand (issue 14), checked on real renderings.

Every workbook the tool writes is printed through LibreOffice and read back with poppler's
``pdftotext -bbox``: page counts, page sizes, and the box of every word, so that text running
past a page edge or cut off inside a cell shows. Skipped, with the reason, where LibreOffice
or poppler is not installed (CI installs both). The renderings come from
``benchmarks/render_previews.py``, the script a reviewer runs for the PNGs.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("render_previews", ROOT / "benchmarks" / "render_previews.py")
render = sys.modules.setdefault("render_previews", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(render)

needs_office = pytest.mark.skipif(
    not (render.soffice() and render.poppler()), reason="LibreOffice (soffice) or poppler-utils not installed"
)
EDGE = 2.0  # points: a word's box may touch the margin, never pass the paper's edge


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    return render.make_outputs(tmp_path_factory.mktemp("previews") / "work")


@pytest.fixture(scope="module")
def printed(outputs, tmp_path_factory) -> dict[str, list]:
    if not (render.soffice() and render.poppler()):
        pytest.skip("LibreOffice (soffice) or poppler-utils not installed")
    keys = ("template", "annotated", "review")
    pdfs = render.to_pdf([outputs[k] for k in keys], tmp_path_factory.mktemp("pdf"))
    return {key: render.pdf_pages(pdf) for key, pdf in zip(keys, pdfs)}


def assert_inside(pages) -> None:
    for number, page in enumerate(pages, start=1):
        assert sorted((page.width, page.height)) == pytest.approx([595.3, 841.9], abs=1), (
            f"page {number}: not A4"
        )
        for word in page.words:
            assert word.x0 >= -EDGE and word.x1 <= page.width + EDGE, (number, word)
            assert word.y0 >= -EDGE and word.y1 <= page.height + EDGE, (number, word)


def flat(text: str) -> str:
    return "".join(text.split())


def assert_printed_whole(texts: list[str], pages) -> None:
    """Every character of ``texts`` is on the pages: a row too low for its wrapped text would
    cut its last lines off. (Words come line by line across cells, so the texts are compared
    as multisets of characters, not as strings.)"""
    missing = Counter(flat("".join(texts))) - Counter(flat("".join(page.text for page in pages)))
    assert not missing, f"not printed: {dict(missing)}"


@needs_office
def test_review_workbook_of_ten_files_prints_on_at_most_eight_pages(printed, outputs):
    pages = printed["review"]
    assert len(pages) <= 8, f"{len(pages)} pages"
    assert_inside(pages)
    # every finding's message is printed whole: nothing cut off by a row too low
    data = json.loads((outputs["review"].parent / "审核结果.json").read_text(encoding="utf-8"))
    assert_printed_whole([f["message"] + f["suggestion"] for f in data["findings"]], pages)
    # the charts sit below the tables: the last page holds the chart titles, no 表三 row
    charts = [p for p in pages if "问题最多的规则" in p.text]
    assert charts and "本年新收政府信息公开申请数量" not in charts[0].text


@needs_office
def test_review_findings_repeat_their_header_on_every_page(printed):
    lists = [p for p in printed["review"] if "修改建议" in p.text and "X." in p.text]
    assert len(lists) >= 2
    for page in lists:
        top = min(w.y0 for w in page.words if w.text == "问题")
        assert top < 80, "the header row heads every page of 问题清单"


@needs_office
def test_every_bar_of_the_rule_chart_is_labelled_by_rule_title(printed, outputs):
    from report_kit.catalogue import load_catalogue

    data = json.loads((outputs["review"].parent / "审核结果.json").read_text(encoding="utf-8"))
    titles = [load_catalogue().rules[r["rule"]].title for r in data["rules"][:15]]
    page = next(p for p in printed["review"] if "问题最多的规则" in p.text)
    # each title appears twice: once as the bar's label, once in the table beside the chart
    text = flat(page.text)
    for title in titles:
        assert text.count(flat(title)) >= 2, title


@needs_office
def test_template_prints_inside_the_page(printed):
    pages = printed["template"]
    assert_inside(pages)
    guide = pages[0]
    assert "填报模板" in guide.text and max(w.x1 for w in guide.words) <= guide.width - 20


@needs_office
def test_template_table_three_repeats_its_header_and_keeps_groups_whole(printed):
    pages = printed["template"]
    start = next(i for i, p in enumerate(pages) if "表三收到和处理政府信息公开申请情况" in flat(p.text))
    end = next(i for i, p in enumerate(pages) if "表四政府信息公开行政复议" in flat(p.text))
    table_three = pages[start:end]
    assert len(table_three) >= 2
    for page in table_three:
        assert "申请人情况" in page.text and "自然人" in page.text, "表三's header on every page"
    # （五）不予处理 and its five rows on one page
    group = next(p for p in table_three if "重复申请" in p.text)
    assert "信访举报投诉类申请" in group.text and "要求行政机关确认或重新出具已获取信息" in flat(group.text)


@needs_office
def test_template_text_sheet_prints_at_a_readable_size(printed):
    text_pages = [p for p in printed["template"] if "文字部分" in p.text or "监督保障" in p.text]
    assert text_pages
    for page in text_pages:
        heights = sorted(w.y1 - w.y0 for w in page.words if len(w.text) > 3)
        median = heights[len(heights) // 2]
        assert median >= 10, f"text {median:.1f} pt high: printed too small"


@needs_office
def test_annotated_result_sheet_wraps_every_message(printed, outputs):
    pages = printed["annotated"]
    assert_inside(pages)
    sheet = load_workbook(outputs["annotated"])["校验结果"]
    messages = [row[3] + row[4] for row in sheet.iter_rows(min_row=3, values_only=True) if row[3]]
    assert messages
    assert_printed_whole(messages, pages[:1])


def test_every_sheet_prints_one_page_wide_with_its_header_repeated(outputs):
    for key in ("template", "annotated", "review"):
        wb = load_workbook(outputs[key])
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, (key, ws.title)
            assert ws.sheet_properties.pageSetUpPr.fitToPage, (key, ws.title)
            assert ws.page_setup.paperSize in (9, "9"), (key, ws.title)
    review = load_workbook(outputs["review"])
    assert review["问题清单"].print_title_rows == "$1:$1" and review["汇总"].print_title_rows == "$1:$1"
    assert review["问题清单"].page_setup.orientation == "landscape"
    template = load_workbook(outputs["template"])
    assert template["表三"].print_title_rows == "$4:$6"


# ---------------------------------------------------------------- web pages (headless Chromium)

needs_chromium = pytest.mark.skipif(render.chromium() is None, reason="Chromium not installed")


@needs_chromium
@pytest.mark.parametrize("width", [360, 390])
def test_report_page_at_phone_width_keeps_row_labels_in_view(outputs, width):
    facts = render.measure(outputs["report"], width)
    assert facts["width"] <= width, "the page never scrolls sideways: only a table's own box does"
    assert facts["sticky"] and set(facts["sticky"]) == {"sticky"}, "表三's row labels stay in view"
    assert facts["broken_headers"] == [], "four-character headers break 2+2 or not at all"
    assert facts["clipped"] == 0


@needs_chromium
def test_printed_report_keeps_table_three_groups_whole(outputs, tmp_path):
    if not render.poppler():
        pytest.skip("poppler-utils not installed")
    pages = render.pdf_pages(render.print_html(outputs["report"], tmp_path / "report.pdf"))
    texts = [flat(page.text) for page in pages]

    def page_of(label: str) -> int:
        return next(i for i, text in enumerate(texts) if label in text)

    groups = [  # the first characters of each group's first and last row (the start of a cell's first line)
        ("1.属于国家", "8.属于行政"),
        ("1.本机关不", "3.补正后"),
        ("1.信访举报", "5.要求行政"),
        ("1.申请人无", "3.其他"),
    ]
    for first, last in groups:
        assert page_of(first) == page_of(last), (first, last)
    # the last row (四、结转下年度继续办理) never stands alone under the repeated header
    assert page_of("四、结转下年度") == page_of("（七）总计")


@needs_chromium
def test_batch_pages_fit_a_phone(outputs):
    index = render.measure(outputs["index"])
    assert index["width"] <= render.PHONE and index["tallest_row"] < 400
    unit = render.measure(outputs["unit"])
    assert unit["width"] <= render.PHONE and unit["tallest_row"] < 500
    assert unit["broken_rules"] == [], "a rule id is never broken mid-word"
    text = outputs["unit"].read_text(encoding="utf-8")
    assert "/applications/" not in text, "cells and labels, not JSON pointers"


def test_unit_pages_link_the_reports_built_for_them(outputs):
    review = outputs["index"].parent
    data = json.loads((review / "审核结果.json").read_text(encoding="utf-8"))
    pages = {p.name: p.read_text(encoding="utf-8") for p in (review / "units").glob("*.html")}
    passed = [row for row in data["summary"] if row["status"] == "通过"]
    linked = [page for page in pages.values() if "../reports/" in page]
    assert passed and len(linked) == len(passed)
    from html.parser import HTMLParser
    from urllib.parse import unquote

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.hrefs = []

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self.hrefs.append(dict(attrs)["href"])

    for page in linked:
        parser = Links()
        parser.feed(page)
        reports = [h for h in parser.hrefs if h.startswith("../reports/")]
        assert {Path(h).suffix for h in reports} == {".docx", ".html"}
        for href in reports:
            assert (review / "units" / unquote(href)).resolve().is_file(), href
