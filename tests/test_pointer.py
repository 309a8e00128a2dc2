"""JSON pointers, years and estimates: the small helpers every module shares."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from report_kit.chinese_numbers import is_estimate
from report_kit.pointer import MISSING, assign, escape, get, join, nest, parts, resolve
from report_kit.years import as_year, is_year

keys = st.text(min_size=1, max_size=8)


@given(st.lists(keys, min_size=1, max_size=4), st.integers())
def test_a_value_assigned_at_a_pointer_is_read_back_whatever_the_keys(path, value):
    document: dict = {}
    pointer = join(path)
    assign(document, pointer, value)
    assert parts(pointer) == path
    assert resolve(document, pointer) == value


def test_escaping_follows_rfc_6901():
    assert escape("a/b~c") == "a~1b~0c"
    assert join(["a/b", "~"]) == "/a~1b/~0"
    assert parts("/a~1b/~0") == ["a/b", "~"]


def test_missing_is_not_null_and_reading_never_raises():
    document = {"unit": {"name": None}, "year": 2024}
    assert resolve(document, "/unit/name") is None
    assert resolve(document, "/unit/code") is MISSING
    assert resolve(document, "/year/deeper") is MISSING
    assert resolve(["not", "an", "object"], "/0") is MISSING
    assert not MISSING
    assert get(document, "/unit/code", "默认") == "默认"
    assert resolve(document, "") is document


def test_nest_builds_the_document_in_order():
    assert nest({"/a/b": 1, "/a/c": 2, "/d": 3}) == {"a": {"b": 1, "c": 2}, "d": 3}


def test_a_year_is_an_integer_but_not_a_bool():
    assert as_year(2024) == 2024 and is_year(2024)
    for value in (True, False, 2024.0, "2024", None):
        assert as_year(value) is None and not is_year(value)


def test_digits_side_by_side_are_an_estimate():
    for text in ("两三", "七八", "三四", "一两", "二两三"):
        assert is_estimate(text), text
    for text in ("二十", "十二", "二〇", "一二三", "三", "3"):
        assert not is_estimate(text), text
