"""The Chinese summary ``plan read`` prints: counts, and every unit name it could not resolve."""

from __future__ import annotations

from report_kit.plan.ledger import Ledger

KIND_LABELS = {
    "township": "乡镇",
    "subdistrict": "街道",
    "department": "部门",
    "government": "政府",
    "other": "其他",
}


def render_summary(ledger: Ledger, with_roster: bool) -> str:
    document = ledger.document
    tasks = ledger.tasks
    lines = [
        f"《{document.get('title') or '工作要点'}》：共{len(tasks)}项任务，"
        f"{sum(1 for t in tasks if t.lead_units or t.units)}项写明了责任单位，"
        f"{sum(1 for t in tasks if t.inherited)}项的单位或时限承袭自上级标题或合并单元格，"
        f"{sum(1 for t in tasks if t.deadline)}项有完成时限。"
    ]
    no_units = [t for t in tasks if not (t.lead_units or t.units)]
    if no_units:
        lines.append(
            "未写明责任单位的任务："
            + "、".join(t.id + (f"（{t.number}）" if t.number else "") for t in no_units)
        )
    if ledger.unresolved:
        lines.append(f"以下{len(ledger.unresolved)}个单位名称未能对应到单位全称，请核对：")
        for entry in ledger.unresolved:
            where = "、".join(entry["tasks"][:8]) + ("等" if len(entry["tasks"]) > 8 else "")
            if entry["reason"] == "collective":
                hint = f"集体名称（{KIND_LABELS.get(entry.get('kind'), '')}），" + (
                    "名单中没有该类型的单位" if with_roster else "需用 --roster 报送名单展开"
                )
            elif entry["candidates"]:
                hint = "最接近的名单单位：" + "、".join(entry["candidates"])
            else:
                hint = "名单中没有相近的单位" if with_roster else "无法推断全称，可用 --roster 指定报送名单"
            lines.append(f"  {entry['name']}（任务{where}）：{hint}")
        lines.append("确认后可用 report-kit archive alias 简称 全称 登记，下次读取时自动对应。")
    return "\n".join(lines) + "\n"
