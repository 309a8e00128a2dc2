"""Page breaks, row heights and the findings list's 位置 column, without an office suite."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from report_kit.batch.tables import FROM_FILE_NAME, place, unit_from_file_name, unit_or_guess
from report_kit.writers.sheet_print import plan_breaks, text_height, text_lines


@st.composite
def sheets(draw):
    rows = draw(st.integers(min_value=1, max_value=80))
    heights = {r: draw(st.sampled_from([15.0, 20.0, 33.0, 60.0, 120.0])) for r in range(1, rows + 1)}
    blocks, row = [], 1  # disjoint groups, as writers give them (or nested: fits when the outer fits)
    while row <= rows and draw(st.booleans()):
        a = draw(st.integers(min_value=row, max_value=rows))
        b = draw(st.integers(min_value=a, max_value=min(rows, a + 8)))
        blocks.append((a, b))
        row = b + 1
    return heights, blocks


@given(sheets(), st.sampled_from([150.0, 300.0, 500.0]))
def test_pages_hold_at_most_a_page_and_blocks_that_fit_stay_whole(sheet, capacity):
    heights, blocks = sheet
    last = max(heights)
    starts = [1, *plan_breaks(heights, 1, last, capacity, blocks), last + 1]
    assert starts == sorted(set(starts))
    for begin, end in zip(starts, starts[1:]):
        used = sum(heights[r] for r in range(begin, end))
        assert (
            used <= capacity
            or end - begin == 1
            or any(a < r <= b for r in range(begin + 1, end) for a, b in blocks)
        ), "a page overflows only where a block forbade every earlier break"
    for a, b in blocks:
        if sum(heights[r] for r in range(a, b + 1)) <= capacity:
            assert not any(a < s <= b for s in starts[1:-1]), (a, b, starts)


def test_a_long_group_is_cut_but_never_leaves_one_row():
    heights = {r: 20.0 for r in range(1, 41)}
    breaks = plan_breaks(heights, 1, 40, 300.0, groups=[(1, 40)])
    assert breaks
    for cut in breaks:
        assert cut - 1 >= 2 and 40 - cut + 1 >= 2


def test_wrapped_text_gets_the_lines_excel_shows():
    message = "正文称结转下年度继续办理1件，但表三“结转下年度”总计为3件。"  # 31 characters
    assert text_lines(message, 70) == 1  # Excel: 19 CJK characters per 40 width units
    assert text_lines(message, 40) == 2
    assert text_lines(message, 20) == 4
    assert text_lines("第一段\n第二段", 40) == 2
    assert text_height(message, 20) > text_height(message, 70) >= 15


def test_the_place_column_never_shows_a_json_pointer():
    assert place({"pointer": "/applications/received/total", "sheet": "表三", "cell": "J7"}) == "表三!J7"
    assert place({"pointer": "/applications/received/total", "label": "本年新收 · 总计"}) == "表三"
    assert place({"pointer": "/text/overview/requests", "label": "一、总体情况 · 依申请公开"}) == "文字部分"
    assert place({"pointer": "", "label": "第2行第15列"}) == "第2行第15列"


def test_an_unreadable_file_is_named_from_its_file_name():
    assert unit_from_file_name("00/00004-沙雅县财政局.xlsx") == "沙雅县财政局"
    assert unit_from_file_name("轮台县审计局2024年政府信息公开工作年度报告（修改稿）.xlsx") == "轮台县审计局"
    assert unit_from_file_name("2024年度报告.xlsx") == ""
    assert unit_or_guess({"unit": "", "file": "坏文件局-2024.json"}) == "坏文件局" + FROM_FILE_NAME
    assert unit_or_guess({"unit": "甲局", "file": "乙局.json"}) == "甲局"


def test_review_findings_list_fills_the_place_of_every_finding(tmp_path: Path):
    from openpyxl import load_workbook

    from report_kit.batch.outputs import write_outputs
    from report_kit.batch.run import run_batch

    from helpers import load_example

    folder = tmp_path / "in"
    folder.mkdir()
    document = load_example()
    document["applications"]["received"]["natural_person"] += 1
    (folder / "甲局.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    (folder / "乙局-2024.json").write_text('{"unit": {"name": "乙局"},, }', encoding="utf-8")
    result = run_batch(folder, today=dt.date(2025, 3, 1), jobs=1)
    write_outputs(result, tmp_path / "out")
    sheet = load_workbook(tmp_path / "out" / "审核结果.xlsx")["问题清单"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows and all(row["位置"] for row in rows)
    assert not any(str(row["位置"]).startswith("/") for row in rows)
    syntax = next(row for row in rows if row["规则"] == "F.syntax")
    assert syntax["单位名称"] == "乙局" + FROM_FILE_NAME and "行" in syntax["位置"] and not syntax["项目名称"]


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.just(""), st.integers(), st.text(alphabet="ab 中，\n1", max_size=90)),
            st.sampled_from([0.5, 5, 11, 22, 44]),
        ),
        max_size=5,
    ),
    st.sampled_from([9, 10.5, 11.0]),
)
def test_row_height_is_its_tallest_cell(cells, size):
    """row_height counts lines once per row; it must stay the tallest text_height of the cells."""
    from report_kit.writers.sheet_print import DEFAULT_ROW_HEIGHT, row_height

    heights = [text_height(str(v), w, size) for v, w in cells if v not in (None, "")]
    assert row_height(cells, size) == max(heights, default=DEFAULT_ROW_HEIGHT)
