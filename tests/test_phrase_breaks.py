"""Title and unit-name line breaks: whole phrases, 梯形 or 菱形 (GB/T 9704-2012 §7.3.1)."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from report_kit.phrase_breaks import name_lines, text_width, title_lines, unit_phrases

REST = "2024年政府信息公开工作年度报告"


def test_unit_names_cut_after_administrative_levels_only():
    assert unit_phrases("轮台县市场监督管理局") == ["轮台县", "市场监督管理局"]
    assert unit_phrases("新疆维吾尔自治区巴音郭楞蒙古自治州轮台县市场监督管理局") == [
        "新疆维吾尔自治区",
        "巴音郭楞蒙古自治州",
        "轮台县",
        "市场监督管理局",
    ]
    # a level's character inside a word is no level: 市场, 城市, 城乡, 贵州省, 县委
    assert unit_phrases("北京市市场监督管理局") == ["北京市", "市场监督管理局"]
    assert unit_phrases("杭州市城市管理局") == ["杭州市", "城市管理局"]
    assert unit_phrases("贵州省住房和城乡建设厅") == ["贵州省", "住房和城乡建设厅"]
    assert unit_phrases("中共轮台县委员会办公室") == ["中共轮台县委员会", "办公室"]
    assert unit_phrases("巴音郭楞蒙古自治州人民政府办公室") == ["巴音郭楞蒙古自治州", "人民政府", "办公室"]


def test_title_on_one_line_when_it_fits_else_broken_after_the_unit():
    assert title_lines("某局" + REST, "某局", 20) == ["某局" + REST]
    assert title_lines("轮台县市场监督管理局" + REST, "轮台县市场监督管理局", 20) == [
        "轮台县市场监督管理局",
        REST,
    ]
    long = "新疆维吾尔自治区巴音郭楞蒙古自治州轮台县市场监督管理局"
    assert title_lines(long + REST, long, 20) == [
        "新疆维吾尔自治区",
        "巴音郭楞蒙古自治州轮台县市场监督管理局",
        REST,
    ]


def test_widths_count_digits_half_and_autospace():
    assert text_width("2025年1月20日") == 3 + 3.5
    assert text_width("2025年1月20日", autospace=0.25) == 3 + 3.5 + 5 * 0.25


def test_a_unit_name_without_any_level_or_of_many_phrases_still_wraps():
    assert title_lines("某" * 30 + REST, "某" * 30, 20) == ["某" * 30, REST]
    many = "轮台县" * 40
    lines = title_lines(many + REST, many, 20)
    assert "".join(lines) == many + REST and all(text_width(line) <= 20 for line in lines)


PLACES = st.sampled_from(
    ["新疆维吾尔自治区", "巴音郭楞蒙古自治州", "轮台县", "北京市", "朝阳区", "某某镇", "某乡"]
)
ORGANS = st.sampled_from(["市场监督管理局", "人民政府办公室", "发展和改革委员会", "城市管理局", "教育局"])


@given(st.lists(PLACES, max_size=4), ORGANS)
def test_lines_are_whole_phrases_in_a_trapezoid_or_diamond(places, organ):
    unit = "".join(places) + organ
    lines = title_lines(unit + REST, unit, 20)
    assert "".join(lines) == unit + REST
    if len(lines) == 1:
        return
    assert lines[-1] == REST  # the break after the unit name
    cuts = set(itertools.accumulate(len(p) for p in unit_phrases(unit)))
    assert set(itertools.accumulate(len(line) for line in lines[:-1])) <= cuts
    widths = [text_width(line) for line in lines]
    assert all(w <= 20 for w in widths)
    # lines grow to the longest and shrink after it; an odd name of repeated long phrases may
    # leave no exact shape within the line limit, then a line is off by at most two characters
    # rather than the title taking a line more
    peak = widths.index(max(widths))
    assert all(a <= b + 2 for a, b in zip(widths[:peak], widths[1 : peak + 1]))
    assert all(a + 2 >= b for a, b in zip(widths[peak:], widths[peak + 1 :]))


@given(st.lists(PLACES, max_size=4), ORGANS)
def test_signature_name_lines_fit_the_box(places, organ):
    unit = "".join(places) + organ
    lines = name_lines(unit, 14.5)
    assert "".join(lines) == unit
    assert all(text_width(line) <= 14.5 for line in lines) or len(unit_phrases(unit)) == 1
