"""Builders shared by the history and archive tests: consecutive years, 2019-format reports.

The strategies of ``strategies.py`` draw one valid year; the cross-year tests need two years
that agree with each other, so the next year is drawn independently and then adjusted
(上年结转 := last year's 结转下年度, 本年新收 recomputed so every identity of the year holds;
现行有效 := last year's + 制发 − 废止; prose rewritten so it is not a copy).
"""

from __future__ import annotations

import copy

from hypothesis import strategies as st

from report_kit.layout import load_layout

from strategies import T3_PARTS, set_pointer, valid_submissions

LAYOUT_2019 = load_layout("2019")


def set_column(submission: dict, row: str, col: str, value: int) -> None:
    """Set a 表三 cell and keep the row total (总计 = the six applicant columns) consistent."""
    apps = submission["applications"]
    node = apps
    for part in row.split("/"):
        node = node[part]
    node[col] = value
    node["total"] = sum(node[c] for c in T3_PARTS)


def rebalance(submission: dict) -> None:
    """Recompute 本年新收 per column so 本年新收 + 上年结转 = 总计 + 结转下年度 holds again.

    When that would need a negative 本年新收, 结转下年度 grows instead.
    """
    apps = submission["applications"]
    for col in T3_PARTS:
        received = apps["results"]["total"][col] + apps["carried_forward"][col] - apps["carried_over"][col]
        if received < 0:
            set_column(submission, "carried_forward", col, apps["carried_forward"][col] - received)
            received = 0
        set_column(submission, "received", col, received)
    total = apps["received"]["total"]
    over = apps["carried_over"]["total"]
    forward = apps["carried_forward"]["total"]
    submission["text"]["overview"]["requests"] = (
        f"本年度共收到政府信息公开申请{total}件，上年结转{over}件。结转下年度继续办理{forward}件。"
        if total
        else "本年度未收到政府信息公开申请。"
    )
    if not (total + over):  # 表四 cases without applications are an 提示; keep the year clean
        for group in submission["reviews"].values():
            for key in group:
                group[key] = 0
        submission["text"]["overview"]["oversight"] = (
            "全年未发生政府信息公开行政复议案件。将政务公开纳入年度考核。"
        )


NEW_PROSE = {
    "active_disclosure": "围绕优化营商环境，新增公开涉企政策文件和惠企措施，开设政策问答栏目。",
    "information_management": "全面清理历年发布的文件，对失效文件及时标注，更新公开指南和目录。",
    "platforms": "完成政务新媒体整合，关停更新不及时的账号，集约化平台上线运行。",
}
NEW_PROBLEMS = "政策解读形式较为单一，图解和视频解读偏少。今后将丰富解读形式，邀请专家参与解读。"


def next_year(previous: dict, drawn: dict) -> dict:
    """``drawn`` turned into the same unit's report of the year after ``previous``."""
    current = copy.deepcopy(drawn)
    current["year"] = previous["year"] + 1
    current["format"] = "2021"
    current["unit"] = copy.deepcopy(previous["unit"])
    current["scope"] = previous["scope"]
    current.pop("published_on", None)
    for col in T3_PARTS:
        set_column(current, "carried_over", col, previous["applications"]["carried_forward"][col])
    rebalance(current)
    for row, values in current["active_disclosure"].items():
        if "in_force" in values:
            before = previous["active_disclosure"][row].get("in_force", 0)
            issued, repealed = values["issued"], values["repealed"]
            if row == "regulations" and not before:
                values.update(issued=0, repealed=0, in_force=0)
                continue
            repealed = min(repealed, before + issued)
            values.update(repealed=repealed, in_force=before + issued - repealed)
    current["text"]["overview"].update(NEW_PROSE)
    current["text"]["problems"] = NEW_PROBLEMS
    return current


@st.composite
def consecutive_years(draw) -> tuple[dict, dict]:
    previous = draw(valid_submissions())
    previous["year"] = draw(st.integers(2021, 2024))
    previous.pop("published_on", None)
    return previous, next_year(previous, draw(valid_submissions()))


def to_2019(submission: dict) -> dict:
    """A 2021-format submission rewritten in the 2019 trial format's shape (same 表三/表四 figures)."""
    old = copy.deepcopy(submission)
    old["format"] = "2019"
    results = old["applications"]["results"]
    other = results["other_handling"]
    results["other_handling"] = {
        col: sum(item[col] for item in other.values()) for col in other["no_correction"]
    }
    t2 = submission["active_disclosure"]
    documents = {
        row: {
            "produced": v["issued"],
            "published": v["issued"],
            "total_public": v["in_force"] + v["repealed"],
        }
        for row, v in ((r, t2[r]) for r in ("regulations", "normative_documents"))
    }
    old["active_disclosure"] = {
        **documents,
        "licensing": {"previous_items": 12, "change": -2, "decisions": t2["licensing"]["decisions"]},
        "other_services": {"previous_items": 3, "change": 0, "decisions": 0},
        "penalties": {"previous_items": 40, "change": 5, "decisions": t2["penalties"]["decisions"]},
        "enforcement": {"previous_items": 4, "change": -1, "decisions": t2["enforcement"]["decisions"]},
        "fees": {"previous_items": 2, "change": 0},
        "procurement": {"items": 3, "amount": 56.5},
    }
    return old


def set_cell(submission: dict, pointer: str, value) -> None:
    set_pointer(submission, pointer, value)
