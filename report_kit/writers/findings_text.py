"""The Chinese console listing of ``report-kit check``: grouped by table, one summary line."""

from __future__ import annotations

from report_kit.findings import FileReport, Finding
from report_kit.layout import load_layout
from report_kit.settings import SEVERITY_LABELS

FILE_GROUP = "文件"  # findings about the file itself, before any part of the report


def group_title(group: str | None) -> str:
    return load_layout().group_title(group) or FILE_GROUP if group else FILE_GROUP


def group_of(finding: Finding) -> str | None:
    if not finding.locations or not finding.locations[0].pointer:
        return None
    groups = load_layout().groups
    index = load_layout().sort_key(finding.locations[0].pointer)[0]
    return groups[index] if index < len(groups) else None


def _where(finding: Finding) -> str:
    if not finding.locations:
        return ""
    first = finding.locations[0]
    addresses = [loc.address for loc in finding.locations if loc.address]
    if addresses:
        return "、".join(dict.fromkeys(addresses))
    return first.pointer


def render_report(report: FileReport, *, verbose: bool = False) -> str:
    lines = []
    title = report.file
    if report.unit:
        title += f"  {report.unit}"
    if report.year:
        title += f" · {report.year}年度"
    counts = report.counts
    status = "通过" if report.valid else "未通过"
    lines.append(f"== {title}")
    lines.append(
        f"结果：{status}（错误 {counts['error']} 项，警告 {counts['warning']} 项，提示 {counts['info']} 项）"
    )
    current = object()
    for finding in report.findings:
        group = group_of(finding)
        if group != current:
            lines.append(f"【{group_title(group)}】")
            current = group
        where = _where(finding)
        head = f"  [{SEVERITY_LABELS[finding.severity]}] {finding.rule}"
        if where:
            head += f"  {where}"
        lines.append(head)
        lines.append(f"      {finding.message}")
        if finding.repair_hint:
            lines.append(f"      {finding.repair_hint}")
        if finding.suggestion:
            lines.append(f"      修改建议：{finding.suggestion}")
    if report.not_evaluated:
        names = "、".join(report.not_evaluated[:8]) + ("等" if len(report.not_evaluated) > 8 else "")
        lines.append(
            f"  注意：{len(report.not_evaluated)} 项校验因相关数据有误或缺失未能执行（{names}），"
            "改正上述错误后请重新检查。"
        )
    return "\n".join(lines)


def render_summary(reports: list[FileReport]) -> str:
    passed = sum(1 for r in reports if r.valid)
    totals = dict.fromkeys(SEVERITY_LABELS, 0)
    for report in reports:
        for severity, count in report.counts.items():
            totals[severity] += count
    return (
        f"共检查 {len(reports)} 个文件：通过 {passed} 个，未通过 {len(reports) - passed} 个；"
        f"错误 {totals['error']} 项，警告 {totals['warning']} 项，提示 {totals['info']} 项。"
    )


def render_text(reports: list[FileReport]) -> str:
    return "\n\n".join(render_report(r) for r in reports) + "\n\n" + render_summary(reports) + "\n"
