"""The five real plans of shared/seeds (copied to tests/fixtures/plans): every task, in order,
with its number, headings, units, deadline and inheritance — counted by hand from the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from report_kit.plan import read_plan

PLANS = Path(__file__).parent / "fixtures" / "plans"


def ledger(prefix: str):
    return read_plan(next(PLANS.glob(prefix + "_*.txt")))


def task(led, number):
    found = [t for t in led.tasks if t.number == number]
    assert len(found) == 1, number
    return found[0]


# --- 000 轮台县: 34 numbered tasks, units in a trailing full-width bracket ---------------


def test_luntai_document_and_count():
    led = ledger("000")
    assert led.document == {
        "title": "轮台县2021年政务公开工作要点",
        "doc_no": "轮政办函〔2021〕8号",
        "issuer": "轮台县人民政府办公室",
        "year": 2021,
        "date": "2021-09-08",
    }
    assert [t.number for t in led.tasks] == [str(n) for n in range(1, 35)]
    assert [t.id for t in led.tasks][:3] == ["T01", "T02", "T03"]


def test_luntai_task3_as_in_the_contract():
    t = ledger("000").tasks[2]
    assert t.to_dict() | {"path": None, "text": None} == {
        "id": "T03",
        "number": "3",
        "path": None,
        "text": None,
        "lead_units": [],
        "units": ["县市监局"],
        "unit_scope": None,
        "deadline": None,
        "inherited": False,
        "resolved": ["轮台县市场监督管理局"],
    }
    assert t.path == ["一、紧扣“十四五”开好局起好步，深化政务公开", "(一)做好各类规划主动公开"][:1] + [
        "(二)做好市场规则标准和监管执法信息公开"
    ]
    assert t.text.startswith("全面落实“全国一张清单”管理模式，")
    assert "（县市监局）" not in t.text


def test_luntai_units_deadlines_collectives():
    led = ledger("000")
    assert task(led, "1").units == ["县发改委", "自然资源局", "住建局"]
    assert task(led, "1").resolved == ["轮台县发展和改革委员会", "轮台县自然资源局", "轮台县住房和城乡建设局"]
    assert task(led, "15").units == ["县生态环境局", "人社局", "民政局", "市监局", "教科局", "卫健委"]
    assert "轮台县教育和科学技术局" in task(led, "15").resolved
    assert task(led, "18").unit_scope == "各乡镇人民政府、县人民政府各部门、各直属单位"
    assert task(led, "24").deadline == "2021年底前"
    assert [t.number for t in led.tasks if t.deadline] == ["24"]
    # 33 and 34 carry no bracket: the units are the subject of the sentence
    assert task(led, "33").units == ["各乡镇人民政府", "县人民政府各部门"]
    assert not any(t.inherited for t in led.tasks)
    assert all(t.lead_units == [] for t in led.tasks)


# --- 001 友谊县: 16 numbered paragraphs and 4 unnumbered ones with brackets of their own ---


def test_youyi_tasks_and_unnumbered_paragraphs():
    led = ledger("001")
    assert led.document["doc_no"] == "友政办发〔2021〕16号"
    assert led.document["date"] == "2021-07-13"
    numbers = [t.number for t in led.tasks]
    assert len(led.tasks) == 20
    assert [n for n in numbers if n] == [
        "（一）", "（二）", "（三）", "（四）", "（五）", "（六）", "（七）", "（八）",
        "（九）", "（十）", "（十一）", "（十二）", "（十三）", "（十四）", "（十五）", "（十六）",
    ]  # fmt: skip
    assert numbers[7:9] == [None, None] and numbers[10] is None and numbers[12] is None
    extra = led.tasks[7]
    assert extra.path[-1] == "（七）切实增强回应关切效果"
    assert extra.lead_units == ["县政府办公室"]
    assert extra.units == ["县政府直属各单位", "各乡（镇）政府"]


def test_youyi_lead_and_responsible():
    led = ledger("001")
    first = task(led, "（一）")
    assert first.lead_units == ["县政府办", "发改局", "自然资源局"]
    assert first.units == ["县政府直属各单位", "各乡（镇）政府"]
    assert first.unit_scope == "县政府直属各单位，各乡（镇）政府"
    assert first.deadline == "2021年12月底前"
    assert first.text.startswith("做好各类规划主动公开。")
    assert task(led, "（五）").lead_units == [] and task(led, "（五）").units == [
        "县政府直属各单位",
        "各乡（镇）政府",
    ]
    assert task(led, "（十三）").lead_units[-1] == "交通运输局"  # 「交通运输局等部门」
    assert led.tasks[10].deadline == "2021年11月底前"  # the unnumbered paragraph after （八）
    assert task(led, "（十六）").deadline == "2021年8月底前"


# --- 002 昌吉市: a table flattened to tab-indented lines, numbering skips 39 ---------------


def test_changji_flattened_table():
    led = ledger("002")
    assert led.document["title"] == "昌吉市2021年政务公开工作主要任务分工方案"
    assert led.document["doc_no"] == "昌市政办发〔2021〕29号"
    assert [t.number for t in led.tasks] == [str(n) for n in range(1, 39)] + ["40"]
    one = task(led, "1")
    assert (
        one.text
        == "主动公开“十四五”规划纲要、国土空间规划、专项规划和区域规划等。通过市政府网站政府信息公开栏目集中展示。"
    )
    assert one.lead_units == ["市发改委", "自然资源局"]
    assert one.units == ["各乡镇人民政府", "街道办事处", "市直各相关部门"]
    assert one.path == ["一、紧扣“十四五”开好局起好步深化政务公开", "（一）做好各类规划主动公开"]
    assert task(led, "14").lead_units[0] == "市发改委"  # 「14、」
    assert task(led, "30").units == [] and task(led, "31").units == []  # empty 责任单位 cells
    assert task(led, "30").deadline == "2021年底前"
    assert task(led, "21").units[0] == "市委网信办"
    assert task(led, "21").unit_scope == "各乡镇人民政府、街道办事处，市直各部门"
    assert not any(t.inherited for t in led.tasks)


# --- 003 通辽市: the 分工台账 flattened badly: merged cells, wrapped units, repeated headers ---


def test_tongliao_ledger_part():
    led = ledger("003")
    assert led.document["date"] == "2021-06-28"  # printed 「2021628」
    assert led.document["doc_no"] == "通政公字【2021】1号"
    assert [t.number for t in led.tasks] == [str(n) for n in range(1, 37)]
    one = task(led, "1")
    assert one.units == ["旗县(市、区)政府", "开发区管委会", "市发改", "自然资源", "住建", "生态环境"]
    assert one.deadline == "2021年12月底"
    assert one.path == ["一、紧扣重点领域信息,深化主动公开工作", "(一)强化各类规划信息主动公开"]
    assert task(led, "8").deadline == "2021年10月底"


def test_tongliao_merged_cells_inherited():
    led = ledger("003")
    inherited = [t.number for t in led.tasks if t.inherited]
    assert inherited == ["3", "4", "12", "13", "23", "29", "30", "32", "36"]
    assert task(led, "13").units == task(led, "12").units
    assert task(led, "23").lead_units == ["市行政审批和政务服务局"]
    assert task(led, "23").units == ["市本级已开设政府网站的部门"]  # a cell wrapped over two lines
    assert task(led, "32").deadline == "适时推进"
    assert task(led, "29").deadline == task(led, "30").deadline == "2021年8月底"
    assert task(led, "28").units == ["旗县(市、区)政府", "开发区管委会", "市政府各部门"]  # printed twice
    assert task(led, "10").units == ["市旗两级政务服务(行政审批和政务服务)部门"]
    assert task(led, "18").lead_units == ["市行政审批和政务服务局"]


# --- 004 昌吉州 2016: units after each sentence group, several tasks per paragraph -----------


def test_changji_prefecture_sentence_groups():
    led = ledger("004")
    assert led.document == {
        "title": "自治州2016年政务公开工作实施方案",
        "doc_no": None,
        "issuer": "昌吉回族自治州人民政府办公室",
        "year": 2016,
        "date": "2016-07-26",
    }
    assert len(led.tasks) == 32
    second = [t for t in led.tasks if t.path[:1] == ["一、围绕深化改革推进公开"]]
    assert [t.number for t in second] == ["(一)", "(二)", None, None, "(三)", None, None]
    assert [t.lead_units or t.units for t in second[1:4]] == [
        ["州政府各有关部门"],
        ["州工商局"],
        ["州发改委"],
    ]
    assert second[2].path[-1] == "(二)推进市场监管公开透明"
    assert second[4].lead_units == ["州人民政府办公室"]
    assert second[4].units == ["政务服务和公共资源交易管理局", "电子政务办"]
    assert "昌吉回族自治州发展和改革委员会" in second[3].resolved


def test_changji_prefecture_roles():
    led = ledger("004")
    by_text = {t.text[:8]: t for t in led.tasks}
    assert by_text["推进减税降费信息"].lead_units == ["州发改委", "财政局", "国土资源局", "住房和城乡建设局"]
    env = by_text["推进环境保护信息"]
    assert env.lead_units == ["州环保局"] and env.units == ["州住房城乡建设局", "水利局", "卫生局"]
    assert led.tasks[0].deadline == "年底前"
    assert [t.number for t in led.tasks[-4:]] == ["(一)", "(二)", "(三)", "(四)"]
    assert led.tasks[-1].units == ["各县市", "园区", "各部门"]  # 「各县市、园区、各部门要…」
    assert led.tasks[-2].units == []


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_task_has_text_and_round_trips(prefix):
    from report_kit.plan.ledger import Ledger

    led = ledger(prefix)
    assert all(t.text and len(t.text) > 8 for t in led.tasks)
    again = Ledger.from_dict(led.to_dict())
    assert again.to_dict() == led.to_dict()
