"""Does a unit's 落实情况 address the tasks that fall to it? Real seed task texts, paraphrased
answers both ways: no alarm on a paraphrase, an alarm for a task the text does not mention."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from report_kit.check import check_file
from report_kit.cli import main
from report_kit.plan import read_plan
from report_kit.plan.coverage import addresses, coverage_findings, key_terms

HERE = Path(__file__).parent
PLANS = HERE / "fixtures" / "plans"
EXAMPLE = HERE.parent / "examples" / "轮台县市场监督管理局-2024.json"


def plan(prefix):
    return read_plan(next(PLANS.glob(prefix + "_*.txt")))


def task(ledger, number):
    return next(t for t in ledger.tasks if t.number == number)


LUNTAI = plan("000")
CHANGJI = plan("002")
YOUYI = plan("001")

# (plan, task number, a paraphrase a unit would write, a text about something else)
CASES = [
    (
        LUNTAI,
        "3",
        "严格执行市场准入负面清单制度，在县政府网站公开清单并随调整及时更新。",
        "按时公开了本部门预算和决算。",
    ),
    (
        LUNTAI,
        "4",
        "围绕《建设高标准市场体系行动方案》，公开了我县贯彻落实的具体措施。",
        "规范办理依申请公开，答复均在法定期限内。",
    ),
    (LUNTAI, "5", "通过轮台政府网公示反垄断、反不正当竞争案件的执法结果。", "完成政务新媒体清理整合。"),
    (
        LUNTAI,
        "9",
        "及时发布疫情防控权威信息，每日通报新冠肺炎疫苗接种进展。",
        "加强政府网站集约化建设，完成迁移。",
    ),
    (
        LUNTAI,
        "16",
        "在政府网站开设财政资金直达基层专栏，公开直达资金分配下达情况。",
        "及时公开了行政处罚决定。",
    ),
    (CHANGJI, "4", "我局及时公开市场准入规则和行业标准，保持清单动态更新。", "开展了政务公开业务培训两次。"),
    (CHANGJI, "21", "建立舆情回应台账，对网民关切逐条核实回应。", "全年主动公开规范性文件12件。"),
    (
        YOUYI,
        "（十四）",
        "严格按照新的年报格式编制本年度报告，做到数据准确、格式规范。",
        "推进政务服务事项网上办理。",
    ),
]


@pytest.mark.parametrize(("ledger", "number", "paraphrase", "other"), CASES)
def test_a_paraphrase_addresses_the_task(ledger, number, paraphrase, other):
    terms = key_terms(task(ledger, number))
    assert addresses(paraphrase, terms), (number, terms)


@pytest.mark.parametrize(("ledger", "number", "paraphrase", "other"), CASES)
def test_a_text_about_something_else_does_not(ledger, number, paraphrase, other):
    terms = key_terms(task(ledger, number))
    assert not addresses(other, terms), (number, terms)
    assert not addresses("", terms)


def test_key_terms_are_documents_quotes_and_first_clause_nouns():
    terms = key_terms(task(LUNTAI, "3"))
    assert "市场准入负面清单" in terms.strong and "全国一张清单" in terms.strong
    pairs = key_terms(task(LUNTAI, "5")).pairs
    assert "垄断" in pairs and "执法" in pairs
    assert "公开" not in pairs and "工作" not in pairs


def submission(work_plan: str) -> dict:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["text"]["other"]["work_plan"] = work_plan
    return data


def test_findings_for_the_market_regulator():
    own = [t for t in LUNTAI.tasks if "轮台县市场监督管理局" in t.resolved]
    assert [t.number for t in own] == ["3", "4", "5", "12", "15"]
    answer = (
        "严格执行市场准入负面清单制度并及时更新；公开《建设高标准市场体系行动方案》落实举措；"
        "公示反垄断和反不正当竞争执法信息。"
    )
    findings = coverage_findings(LUNTAI, submission(answer))
    numbers = {f.message.split("任务")[0].split("》")[-1] for f in findings}
    assert "第3项" not in numbers and "第4项" not in numbers and "第5项" not in numbers
    assert "第12项" in numbers and "第15项" in numbers
    first = next(f for f in findings if "第12项" in f.message)
    assert first.rule == "P.task_not_addressed" and first.severity == "warning"
    assert first.pointer == "/text/other/work_plan"
    assert "认真贯彻落实自治区党委经济工作会议" in first.message
    # the collectives 县人民政府各部门 … fall to a department too
    assert any("第17项" in f.message for f in findings)


def test_a_township_gets_the_township_tasks():
    data = submission("")
    data["unit"] = {"name": "轮台镇人民政府", "kind": "township", "level": "township"}
    findings = coverage_findings(LUNTAI, data)
    numbered = sorted(int(f.message.split("第")[1].split("项")[0]) for f in findings)
    assert numbered == [18, 22, 26, 27, 28, 32, 33, 34]


def test_check_with_plan_cli(tmp_path):
    ledger = tmp_path / "台账.json"
    assert (
        CliRunner()
        .invoke(main, ["plan", "read", str(next(PLANS.glob("000_*.txt"))), "-o", str(ledger)])
        .exit_code
        == 0
    )
    report = tmp_path / "报告.json"
    data = submission("严格执行市场准入负面清单制度。")
    report.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(report), "--plan", str(ledger), "--format", "json"])
    rules = [f["rule"] for f in json.loads(result.stdout)["findings"]]
    assert "P.task_not_addressed" in rules
    plain = check_file(report)
    assert "P.task_not_addressed" not in [f.rule for f in plain.findings]
    with_plan = check_file(report, plan=read_plan(next(PLANS.glob("000_*.txt"))))
    assert sum(f.rule == "P.task_not_addressed" for f in with_plan.findings) == len(
        coverage_findings(LUNTAI, copy.deepcopy(data))
    )


def test_check_with_a_bad_plan(tmp_path):
    bad = tmp_path / "台账.json"
    bad.write_text("{", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(EXAMPLE), "--plan", str(bad)])
    assert result.exit_code == 2
    assert "分工台账" in result.output and "Traceback" not in result.output


def test_template_with_plan_lists_the_units_tasks(tmp_path):
    from report_kit.readers import read_submission

    out = tmp_path / "模板.xlsx"
    result = CliRunner().invoke(
        main,
        [
            "template",
            "-o",
            str(out),
            "--unit",
            "轮台县市场监督管理局",
            "--kind",
            "department",
            "--plan",
            str(next(PLANS.glob("000_*.txt"))),
        ],
    )
    assert result.exit_code == 0, result.output
    text = read_submission(out).submission["text"]["other"]["work_plan"]
    lines = text.splitlines()
    assert lines[1].startswith("1. 【第3项：全面落实“全国一张清单”管理模式")
    assert lines[1].endswith("落实情况：")
    assert len(lines) == 1 + 19
    # returned unanswered, the template's quoted tasks are not taken for answers
    data = submission(text)
    assert len(coverage_findings(LUNTAI, data)) == 19
    data["text"]["other"]["work_plan"] = text.replace("1. 【", "1. 严格执行市场准入负面清单。【", 1)
    assert len(coverage_findings(LUNTAI, data)) == 18


def test_build_with_plan_reports_the_warnings(tmp_path):
    report = tmp_path / "报告.json"
    report.write_text(
        json.dumps(submission("严格执行市场准入负面清单制度。"), ensure_ascii=False), encoding="utf-8"
    )
    out = tmp_path / "报告.docx"
    result = CliRunner().invoke(
        main, ["build", str(report), "-o", str(out), "--plan", str(next(PLANS.glob("000_*.txt")))]
    )
    assert result.exit_code == 0, result.output
    assert out.exists()
    assert "P.task_not_addressed" in result.output
