"""Error localisation (repairs.py): which cell is wrong, and how sure the tables are.

Property tests start from constructively valid submissions (strategies.py) and mistype
cells the ways clerks do; the contract (submission.md, 「Repairs」) is what they check:
a unique smallest repair is ``certain`` and right, a guess is never ``certain``.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from report_kit.repairs import hint, typing_slip
from report_kit.validator import get_validator

from conftest import TODAY
from strategies import LAYOUT, T4, first_example, get_pointer, set_pointer, valid_submissions

VALIDATOR = get_validator()
T3_CELLS = [p for p, c in LAYOUT.cells.items() if c.table == "T3"]
T4_CELLS = [p for p, c in LAYOUT.cells.items() if c.table == "T4"]


def _neighbours(pointer: str) -> list[str]:
    """The cells one row or one column away, in the same table."""
    cell = LAYOUT.cells[pointer]
    table = LAYOUT.tables[cell.table]
    rows = [row.path for row in table.rows]
    cols = [col.key for col in table.columns]
    r, c = rows.index(cell.row.path), cols.index(cell.column.key)
    found = []
    for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        if 0 <= r + dr < len(rows) and 0 <= c + dc < len(cols):
            found.append(f"{table.pointer}/{rows[r + dr]}/{cols[c + dc]}")
    return found


def slips(submission: dict, pointer: str) -> list[tuple[str, int]]:
    """Every way a clerk could mistype this cell: (kind, typed value), typed ≠ true value."""
    value = get_pointer(submission, pointer)
    digits = str(value)
    typed: list[tuple[str, int]] = []
    for i in range(len(digits)):
        for d in "0123456789":
            if d != digits[i]:
                typed.append(("digit", int(digits[:i] + d + digits[i + 1 :])))
        typed.append(("doubled", int(digits[: i + 1] + digits[i:])))
        if len(digits) > 1:
            typed.append(("dropped", int(digits[:i] + digits[i + 1 :])))
        if i + 1 < len(digits) and digits[i] != digits[i + 1]:
            typed.append(("swapped", int(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :])))
    for other in _neighbours(pointer):
        typed.append(("neighbour", get_pointer(submission, other)))
    cell = LAYOUT.cells[pointer]
    if "part" in cell.column.tags:
        row_total = pointer.rpartition("/")[0] + "/total"
        typed.append(("total_in_part", get_pointer(submission, row_total)))
    return [(kind, v) for kind, v in typed if v != value]


def _mistype(submission: dict, pointer: str, value: int) -> dict:
    clone = copy.deepcopy(submission)
    set_pointer(clone, pointer, value)
    return clone


def _candidates(repairs) -> dict[int, dict[str, int]]:
    sets: dict[int, dict[str, int]] = {}
    for repair in repairs:
        sets.setdefault(repair.candidate, {})[repair.pointer] = repair.suggested
    return sets


@given(valid_submissions(), st.data())
def test_any_single_slip_in_table3_is_found_with_certainty(submission, data):
    pointer = data.draw(st.sampled_from(T3_CELLS))
    kind, typed = data.draw(st.sampled_from(slips(submission, pointer)))
    note(f"{pointer}: {get_pointer(submission, pointer)} typed as {typed} ({kind})")
    result = VALIDATOR.validate(_mistype(submission, pointer, typed), today=TODAY)
    top = [r for r in result.repairs if r.candidate == 1]
    assert [(r.pointer, r.current, r.suggested, r.confidence) for r in top] == [
        (pointer, typed, get_pointer(submission, pointer), "certain")
    ]
    assert len(result.repairs) == 1
    arithmetic = [f for f in result.findings if f.rule in VALIDATOR.localiser.rules]
    assert arithmetic and all(f.repairs == (0,) and "最可能出错" in f.repair_hint for f in arithmetic)


@given(valid_submissions(), st.data())
def test_two_mistyped_table3_cells_in_different_rows_and_columns_are_both_found(submission, data):
    first = data.draw(st.sampled_from(T3_CELLS))
    a = LAYOUT.cells[first]
    second = data.draw(
        st.sampled_from(
            [
                p
                for p in T3_CELLS
                if LAYOUT.cells[p].row.path != a.row.path and LAYOUT.cells[p].column.key != a.column.key
            ]
        )
    )
    broken = submission
    truth = {}
    for pointer in (first, second):
        _, typed = data.draw(st.sampled_from(slips(submission, pointer)))
        truth[pointer] = get_pointer(submission, pointer)
        broken = _mistype(broken, pointer, typed)
    note(f"truth {truth}")
    result = VALIDATOR.validate(broken, today=TODAY)
    sets = _candidates(result.repairs)
    assert truth in sets.values()
    best = [r for r in result.repairs if r.candidate == 1]
    if best[0].confidence == "certain":
        assert sets[1] == truth
        assert len(sets) == 1
    for pointer in truth:  # both cells' findings name a repair of that cell
        linked = [f for f in result.findings if pointer in f.involved and f.rule in VALIDATOR.localiser.rules]
        assert linked and all(f.repairs for f in linked)


@given(valid_submissions(), st.data())
def test_a_table4_slip_never_gives_a_wrong_certain(submission, data):
    pointer = data.draw(st.sampled_from(T4_CELLS))
    kind, typed = data.draw(st.sampled_from(slips(submission, pointer)))
    note(f"{pointer}: {get_pointer(submission, pointer)} typed as {typed} ({kind})")
    result = VALIDATOR.validate(_mistype(submission, pointer, typed), today=TODAY)
    sets = _candidates(result.repairs)
    assert {pointer: get_pointer(submission, pointer)} in sets.values()
    for repair in result.repairs:
        if repair.confidence == "certain":
            assert (repair.pointer, repair.suggested) == (pointer, get_pointer(submission, pointer))
    assert sum(1 for r in result.repairs if r.confidence in ("certain", "likely")) <= 1


@given(valid_submissions())
def test_a_valid_submission_has_no_repairs(submission):
    assert VALIDATOR.validate(submission, today=TODAY).repairs == []


# -- examples ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example():
    """A report with applications and 表四 cases in every group, drawn once."""
    return first_example(
        valid_submissions(),
        lambda s: (
            s["applications"]["received"]["total"] >= 12
            and all(s["reviews"][row.path]["total"] >= 2 for row in T4.rows)
        ),
    )


def test_the_contract_example_reads_as_the_issue_asks(example):
    pointer = "/applications/carried_forward/natural_person"
    true = get_pointer(example, pointer)
    result = VALIDATOR.validate(
        _mistype(example, pointer, true + 1), today=TODAY, source_map={pointer: ("表三", "D30")}
    )
    entry = result.to_dict()["repairs"][0]
    assert entry == {
        "pointer": pointer,
        "sheet": "表三",
        "cell": "D30",
        "label": "四、结转下年度继续办理 · 自然人",
        "current": true + 1,
        "suggested": true,
        "confidence": "certain",
        "reason": entry["reason"],
        "candidate": 1,
    }
    assert "只有这一种改法" in entry["reason"]
    balance = next(f for f in result.findings if f.rule == "T3.balance")
    assert (
        balance.repair_hint
        == f"最可能出错：表三 D30（结转下年度·自然人）填了{true + 1}，按其他数据应为{true}"
    )
    assert balance.to_dict()["repairs"] == [0]


def _litigation(example: dict, **cells: int):
    """The example with 表四's 未经复议直接起诉 cells replaced and prose that states no figure of
    表四 (so only the table decides between candidates)."""
    broken = copy.deepcopy(example)
    broken["reviews"]["litigation_direct"] = dict(cells)
    broken["text"]["overview"]["oversight"] = "将政务公开纳入年度考核。"
    return VALIDATOR.validate(broken, today=TODAY)


def test_table4_without_a_telling_slip_is_ambiguous(example):
    """Total 9 against parts summing to 8: each of the five cells could be the wrong one."""
    result = _litigation(example, upheld=2, corrected=2, other=2, pending=2, total=9)
    assert {r.confidence for r in result.repairs} == {"ambiguous"}
    assert {r.pointer.rpartition("/")[2]: r.suggested for r in result.repairs} == {
        "upheld": 3,
        "corrected": 3,
        "other": 3,
        "pending": 3,
        "total": 8,
    }
    finding = next(f for f in result.findings if f.rule == "T4.total")
    assert finding.repair_hint.startswith("无法确定哪一格出错，可能是：")
    assert len(finding.repairs) == 5


def test_table4_swapped_digits_make_one_candidate_likely(example):
    result = _litigation(example, upheld=10, corrected=9, other=2, pending=2, total=32)
    top = result.repairs[0]
    assert (top.pointer, top.suggested, top.confidence) == ("/reviews/litigation_direct/total", 23, "likely")
    assert "颠倒" in top.reason
    assert all(r.confidence == "ambiguous" for r in result.repairs[1:])


def test_prose_decides_between_table4_candidates(example):
    """The prose says 行政复议 had N cases: the total that matches it is the likely repair."""
    broken = copy.deepcopy(example)
    total = broken["reviews"]["reconsideration"]["total"]
    broken["reviews"]["reconsideration"]["total"] = total + 7  # no slip explains +7
    broken["text"]["overview"]["oversight"] = f"全年因政府信息公开被申请行政复议{total}件。"
    result = VALIDATOR.validate(broken, today=TODAY)
    top = result.repairs[0]
    assert (top.pointer, top.suggested, top.confidence) == ("/reviews/reconsideration/total", total, "likely")
    assert "正文" in top.reason


def test_last_year_decides_and_contradicts(example):
    pointer = "/applications/carried_over/commercial"
    true = get_pointer(example, pointer)
    previous = copy.deepcopy(example)
    previous["year"] = example["year"] - 1
    previous["applications"]["carried_forward"]["commercial"] = true + 5
    result = VALIDATOR.validate(_mistype(example, pointer, true + 5), today=TODAY, previous=previous)
    (repair,) = result.repairs
    assert (repair.pointer, repair.suggested, repair.confidence) == (pointer, true, "likely")
    assert "上年报告" in repair.reason
    previous["applications"]["carried_forward"]["commercial"] = true
    result = VALIDATOR.validate(_mistype(example, pointer, true + 5), today=TODAY, previous=previous)
    assert result.repairs[0].confidence == "certain"


def test_a_table_with_a_cell_the_schema_rejected_gets_no_repair(example):
    """「12件」 may be the wrong cell itself; the other tables are still localised."""
    broken = _mistype(example, "/applications/received/natural_person", "12件")
    broken = _mistype(
        broken,
        "/applications/carried_forward/commercial",
        get_pointer(example, "/applications/carried_forward/commercial") + 1,
    )
    broken = _mistype(
        broken, "/reviews/reconsideration/total", get_pointer(example, "/reviews/reconsideration/total") + 10
    )
    result = VALIDATOR.validate(broken, today=TODAY)
    assert result.repairs and all(r.pointer.startswith("/reviews/") for r in result.repairs)


@pytest.mark.parametrize(
    ("typed", "intended", "word"),
    [(32, 23, "颠倒"), (122, 12, "多敲了一次"), (12, 120, "漏敲"), (16, 15, "敲错"), (152, 12, "多敲了一位")],
)
def test_typing_slips(typed, intended, word):
    assert word in typing_slip(typed, intended)[1]


def test_no_slip_between_unrelated_numbers():
    assert typing_slip(7, 23) is None
    assert typing_slip(5, 5) is None


def test_hint_lists_every_candidate_when_ambiguous():
    entries = [
        {
            "where": "表四“行政复议·总计”",
            "current": 9,
            "suggested": 8,
            "confidence": "ambiguous",
            "candidate": 1,
        },
        {
            "where": "表四“行政复议·结果维持”",
            "current": 2,
            "suggested": 3,
            "confidence": "ambiguous",
            "candidate": 2,
        },
    ]
    assert hint(entries) == (
        "无法确定哪一格出错，可能是：表四“行政复议·总计”填了9，按其他数据应为8；或表四“行政复议·结果维持”填了2，按其他数据应为3"
    )


def test_prose_agreeing_with_the_typed_total_lowers_a_unique_repair(example):
    """The tables say 本年新收·总计 is wrong, but the report's text states the typed number."""
    total = example["applications"]["received"]["total"]
    broken = _mistype(example, "/applications/received/total", total + 3)
    broken["text"]["overview"]["requests"] = f"本年度共收到政府信息公开申请{total + 3}件。"
    result = VALIDATOR.validate(broken, today=TODAY)
    (repair,) = result.repairs
    assert (repair.pointer, repair.suggested, repair.confidence) == (
        "/applications/received/total",
        total,
        "likely",
    )
    assert "但报告正文所述" in repair.reason


def test_old_format_reports_are_localised_in_their_own_layout():
    from report_kit.readers import read_submission

    from helpers import EXAMPLES

    old = read_submission(EXAMPLES / "history" / "轮台县市场监督管理局-2020.yaml").submission
    validator = get_validator("2019")
    true = old["applications"]["carried_forward"]["total"]
    old["applications"]["carried_forward"]["total"] = true * 10 + 1
    (repair,) = validator.validate(old, today=TODAY).repairs
    assert (repair.pointer, repair.suggested, repair.confidence) == (
        "/applications/carried_forward/total",
        true,
        "certain",
    )
