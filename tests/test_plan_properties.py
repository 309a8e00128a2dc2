"""Whatever a plan file holds, reading it gives a ledger or a Chinese PlanError — never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from report_kit.plan import PlanError
from report_kit.plan.read import parse_blocks
from report_kit.plan.units import parse_units

PIECES = [
    "一、", "（一）", "(二)", "1.", "2、", "3．", "（县发改委、自然资源局）", "〔牵头单位：县司法局；责任单位：各乡（镇）政府〕",
    "责任单位：", "完成时限：", "2021年12月底前", "202110月底", "全年持续推进", "\t", "\n", "　", "。", "，", "牵头",
    "配合", "各乡镇人民政府、街道办事处，市直各部门", "(财预〔2018209号)", "【", "】", "序号\t重点任务\t牵头单位\t配合单位\t完成时限",
    "工 作 任 务\n工 作 要 求\n牵 头 单 位\n责 任 单 位", "做好政务公开", "县市监局", "",
]  # fmt: skip

texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_reads_or_says_why(text):
    try:
        ledger = parse_blocks(text.split("\n"), "要点.txt")
    except PlanError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))
        return
    assert ledger.tasks
    for task in ledger.tasks:
        assert isinstance(task.text, str) and task.id.startswith("T")
        assert all(isinstance(u, str) and u for u in task.lead_units + task.units)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_unit_phrases_split_without_losing_names(text):
    phrase = parse_units(text)
    assert all(name.strip() == name and name for name in phrase.lead_units + phrase.units)
