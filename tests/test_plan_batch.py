"""``batch --plan``: the 工作要点落实 sheet (tasks × units), in the JSON and on the web page."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from report_kit.cli import main

HERE = Path(__file__).parent
PLAN = next((HERE / "fixtures" / "plans").glob("000_*.txt"))
EXAMPLE = HERE.parent / "examples" / "轮台县市场监督管理局-2024.json"


def report(folder: Path, name: str, kind: str, work_plan: str) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["unit"]["name"] = name
    data["unit"]["kind"] = kind
    data["unit"].pop("code", None)
    data["text"]["other"]["work_plan"] = work_plan
    (folder / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_batch_with_plan(tmp_path):
    reports = tmp_path / "报告"
    reports.mkdir()
    report(reports, "轮台县市场监督管理局", "department", "严格执行市场准入负面清单制度，及时更新清单。")
    report(reports, "轮台县财政局", "department", "推进部门预算、决算及相关报表公开，细化到项级科目。")
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "单位名称\n轮台县市场监督管理局\n轮台县财政局\n轮台县卫生健康委员会\n", encoding="utf-8"
    )
    out = tmp_path / "审核结果"
    result = CliRunner().invoke(
        main,
        [
            "batch",
            str(reports),
            "-o",
            str(out),
            "--roster",
            str(roster),
            "--plan",
            str(PLAN),
            "--today",
            "2025-01-10",
        ],
    )
    assert result.exit_code in (0, 1), result.output
    assert "工作要点落实" in result.output

    data = json.loads((out / "审核结果.json").read_text(encoding="utf-8"))
    plan = data["plan"]
    units = [u["name"] for u in plan["units"]]
    assert units == ["轮台县市场监督管理局", "轮台县财政局", "轮台县卫生健康委员会"]
    rows = {r["number"]: r["statuses"] for r in plan["tasks"]}
    assert rows["3"] == ["已说明", "", ""]
    assert rows["4"] == ["未说明", "", ""]
    assert rows["6"] == ["", "已说明", ""]
    assert rows["7"] == ["", "未说明", ""]
    assert rows["9"] == ["", "", "未报送"]
    assert rows["17"] == ["未说明", "未说明", "未报送"]  # 县人民政府各部门: every department
    assert plan["counts"]["未报送"] > 0
    assert any(f["rule"] == "P.task_not_addressed" for f in data["findings"])
    assert all("work_plan" not in entry for entry in data["files"])

    ws = load_workbook(out / "审核结果.xlsx")["工作要点落实"]
    header = [c.value for c in ws[1]]
    assert header == ["序号", "任务"] + units
    assert ws.page_setup.orientation == "landscape"
    by_number = {row[0].value: [c.value for c in row[2:]] for row in ws.iter_rows(min_row=2)}
    assert by_number["3"] == ["已说明", None, None]
    assert by_number["9"] == [None, None, "未报送"]

    page = (out / "index.html").read_text(encoding="utf-8")
    assert "工作要点落实" in page and "未报送" in page


def test_batch_without_plan_has_no_sheet(tmp_path):
    reports = tmp_path / "报告"
    reports.mkdir()
    report(reports, "轮台县财政局", "department", "")
    out = tmp_path / "审核结果"
    CliRunner().invoke(main, ["batch", str(reports), "-o", str(out), "--today", "2025-01-10"])
    assert "工作要点落实" not in load_workbook(out / "审核结果.xlsx").sheetnames
    assert "plan" not in json.loads((out / "审核结果.json").read_text(encoding="utf-8"))
