"""The batch's building blocks: aggregation, roster matching, safe names, discovery."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from report_kit.batch.aggregate import aggregate, cell_pointers
from report_kit.batch.discover import discover
from report_kit.batch.names import UniqueNames, sanitise
from report_kit.batch.progress import Progress
from report_kit.batch.roster import RosterError, RosterIndex, normalise_name, parse_rows, read_roster

from strategies import get_pointer, valid_submissions


@given(st.lists(valid_submissions(), max_size=5))
def test_aggregate_is_the_sum_of_the_parts(submissions):
    total = aggregate(submissions)
    for pointer, value_type in cell_pointers():
        expected = sum(get_pointer(s, pointer) for s in submissions)
        actual = get_pointer(total, pointer)
        if value_type == "count":
            assert actual == expected and isinstance(actual, int)
        else:
            assert actual == pytest.approx(expected, abs=1e-4)


@given(valid_submissions(), valid_submissions())
def test_aggregate_does_not_depend_on_order(first, second):
    assert aggregate([first, second]) == aggregate([second, first])


def test_aggregate_covers_every_cell_of_the_three_tables():
    pointers = [p for p, _ in cell_pointers()]
    assert len(pointers) == len(set(pointers))
    assert {p.split("/")[1] for p in pointers} == {"active_disclosure", "applications", "reviews"}


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("轮台县财政局", "輪台縣財政局"),
        ("轮台县 市场监督管理局", "轮台县市场监督管理局"),
        ("轮台县（本级）", "轮台县(本级)"),
        ("ＡＢＣ街道办事处", "abc街道辦事處"),
        ("轮台县卫生健康委员会", "輪台縣衛生健康委員會"),
    ],
)
def test_names_normalise_equal(left, right):
    assert normalise_name(left) == normalise_name(right)


def test_roster_matches_by_code_first_then_name():
    units = parse_rows(
        [
            ["报送名单"],
            ["序号", "单位名称", "统一社会信用代码", "单位类型"],
            ["1", "轮台县财政局", "11652822010293476R", "政府部门"],
            ["2", "轮台县教育局", "", ""],
            ["3", "轮台县教育局 ", "", ""],
            ["4", "", "", ""],
        ]
    )
    assert [u.name for u in units] == ["轮台县财政局", "轮台县教育局", "轮台县教育局"]
    index = RosterIndex(units)
    assert index.match("改了名的财政局", "11652822010293476R").unit.name == "轮台县财政局"
    assert index.match("轮台县财政局", "").unit.name == "轮台县财政局"
    from report_kit.credit_code import check_character

    other = "91110000000000000" + check_character("91110000000000000")
    assert index.match("轮台县财政局", other).unit is None  # valid codes that differ
    # a code that is not valid (typo, Excel's 9.16e+17) says nothing: the name decides
    assert index.match("轮台县财政局", "91110000000000000X").unit.name == "轮台县财政局"
    assert len(index.match("轮台县教育局", "").units) == 2  # ambiguous
    assert index.match("不在名单的单位", "").units == ()
    assert len(index.ambiguous_names()) == 1


def test_roster_files(tmp_path: Path):
    csv_path = tmp_path / "名单.csv"
    csv_path.write_bytes("单位名称,单位类型\n轮台县财政局,政府部门\n".encode("gb18030"))
    assert [u.name for u in read_roster(csv_path)] == ["轮台县财政局"]
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["单位名称", "统一社会信用代码"])
    wb.active.append(["轮台县教育局", "11652822010293476r"])
    wb.save(tmp_path / "名单.xlsx")
    (unit,) = read_roster(tmp_path / "名单.xlsx")
    assert unit.code == "11652822010293476R"
    (tmp_path / "alias.csv").write_text("序号,Name,代码,类型\n1,甲局,,乡镇\n", encoding="utf-8")
    assert [(u.name, u.kind) for u in read_roster(tmp_path / "alias.csv")] == [("甲局", "乡镇")]
    (tmp_path / "bad.csv").write_text("序号,备注\n1,甲\n", encoding="utf-8")
    with pytest.raises(RosterError, match="单位名称"):
        read_roster(tmp_path / "bad.csv")
    with pytest.raises(RosterError):
        read_roster(tmp_path / "名单.txt")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("轮台县财政局", "轮台县财政局"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("CON", "_CON"),
        ("com1.txt", "_com1.txt"),
        ("...", "未命名单位"),
        ("", "未命名单位"),
        ("a:b*c?d", "a_b_c_d"),
        ("ｆｕｌｌ／width", "full_width"),
    ],
)
def test_sanitise(name, expected):
    assert sanitise(name) == expected


@given(st.text(max_size=300))
def test_sanitise_is_always_a_safe_single_name(name):
    stem = sanitise(name)
    assert stem and len(stem) <= 60
    assert not stem.startswith(".") and not any(ch in stem for ch in '\\/:*?"<>|\0')
    assert stem.upper() not in {"CON", "PRN", "AUX", "NUL"}


def test_unique_names_suffix_collisions_case_insensitively():
    names = UniqueNames()
    assert [names.take(n) for n in ["甲", "甲", "A", "a", "甲"]] == ["甲", "甲-2", "A", "a-2", "甲-3"]


def test_discover_sorts_and_skips(tmp_path: Path):
    for name in [
        "b/2.json",
        "a.YAML",
        "b/1.yml",
        "c.xlsx",
        "logo.png",
        ".git/x.json",
        "~$c.xlsx",
        ".h.json",
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    found = discover(tmp_path)
    assert [found.relative(p) for p in found.submissions] == ["a.YAML", "b/1.yml", "b/2.json", "c.xlsx"]
    assert found.skipped == ["logo.png"]


def test_progress_writes_counts_and_eta():
    stream = io.StringIO()
    bar = Progress(4, stream, interval=0)
    for _ in range(4):
        bar.advance()
    bar.close()
    text = stream.getvalue()
    assert (
        "\r审核进度 1/4（25%）" in text and "预计剩余" in text and text.endswith("4/4（100%） 已用 0秒  \n")
    )


_cell_values_strategy = st.one_of(
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=3),
)


@given(valid_submissions(), st.dictionaries(st.integers(0, 400), _cell_values_strategy, max_size=4))
def test_vector_and_unsummable_agree_with_a_plain_pointer_walk(submission, changes):
    """The batch worker's one-walk ``vector_and_unsummable`` is ``cell_vector`` and
    ``unsummable_cell`` as defined over ``pointer.get``, whatever odd value a cell holds."""
    from report_kit.batch.aggregate import MAX_SUMMABLE, cell_vector, unsummable_cell, vector_and_unsummable
    from report_kit.pointer import assign, get

    pointers = [p for p, _ in cell_pointers()]
    for index, value in changes.items():
        assign(submission, pointers[index % len(pointers)], value)
    values = [get(submission, p) for p in pointers]

    def number(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    def summable(v):
        return number(v) and v == v and abs(v) <= MAX_SUMMABLE

    expected_vector = [float(v) for v in values] if all(summable(v) for v in values) else None
    unsummable = next(((p, v) for p, v in zip(pointers, values) if number(v) and not summable(v)), None)
    vector, found = vector_and_unsummable(submission)
    assert (list(vector) if vector is not None else None) == expected_vector
    assert (list(cell_vector(submission)) if expected_vector is not None else cell_vector(submission)) == (
        expected_vector
    )
    assert repr(found) == repr(unsummable) == repr(unsummable_cell(submission))


@given(
    st.text(alphabet=st.sampled_from("a中\x00\x08\t\n\x1f\x7f\x85\x9f\ufffe\uffff\ud800\udfff "), max_size=12)
)
def test_clean_text_fast_path_changes_nothing_it_should_change(text):
    from report_kit.batch.clean import _CONTROL, _SURROGATE, REPLACEMENT, clean_text

    assert clean_text(text) == _CONTROL.sub("", _SURROGATE.sub(REPLACEMENT, text))
    assert clean_text("x" * 40000) == "x" * 32766 + "…"
