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


GROUPED_RULE = "S.blank_cell"
GROUP_AT = 4  # this many blank cells of one sheet or more are one line (a fresh template has 206)
SHOWN_CELLS = 10


def _grouped(findings: list[Finding]) -> list[Finding | tuple[str, list[Finding]]]:
    """``findings`` with the blank-cell warnings of a sheet folded into one (sheet, findings)
    entry at the place of the first: the JSON keeps one finding per cell, a person reads one line."""
    by_sheet: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule == GROUPED_RULE and finding.locations and finding.locations[0].sheet:
            by_sheet.setdefault(finding.locations[0].sheet, []).append(finding)
    out: list[Finding | tuple[str, list[Finding]]] = []
    for finding in findings:
        sheet = finding.locations[0].sheet if finding.rule == GROUPED_RULE and finding.locations else None
        members = by_sheet.get(sheet) if sheet else None
        if members is None or len(members) < GROUP_AT:
            out.append(finding)
        elif finding is members[0]:
            out.append((sheet, members))
    return out


def _group_lines(sheet: str, members: list[Finding]) -> list[str]:
    from report_kit.catalogue import load_catalogue, render

    rule = load_catalogue()[GROUPED_RULE]
    cells = "、".join(f.locations[0].cell or "" for f in members[:SHOWN_CELLS])
    if len(members) > SHOWN_CELLS:
        cells += "等"
    values = {"sheet": sheet, "count": len(members), "cells": cells}
    lines = [
        f"  [{SEVERITY_LABELS[members[0].severity]}] {GROUPED_RULE}  {sheet}（{len(members)}个单元格）",
        f"      {render(rule.raw['group_message'], values)}",
    ]
    if rule.raw.get("group_suggestion"):
        lines.append(f"      修改建议：{render(rule.raw['group_suggestion'], values)}")
    return lines


def _rule_names(rule_ids: list[str]) -> list[str]:
    """Rule titles for people (ids stay in the JSON)."""
    from report_kit.catalogue import load_catalogue

    rules = load_catalogue().rules
    return [rules[r].title if r in rules else r for r in rule_ids]


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
    for finding in _grouped(report.findings):
        if isinstance(finding, tuple):
            sheet, members = finding
            group = group_of(members[0])
            if group != current:
                lines.append(f"【{group_title(group)}】")
                current = group
            lines.extend(_group_lines(sheet, members))
            continue
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
        titles = list(dict.fromkeys(_rule_names(report.not_evaluated)))
        names = "、".join(titles[:8]) + ("等" if len(titles) > 8 else "")
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
