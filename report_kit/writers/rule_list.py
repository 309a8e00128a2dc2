"""The rule catalogue as a reviewer reads it (``report-kit rules``)."""

from __future__ import annotations

import json

from report_kit.catalogue import CATEGORY_LABELS, load_catalogue
from report_kit.settings import SEVERITY_LABELS


def render_rules(fmt: str = "text") -> str:
    rules = list(load_catalogue())
    if fmt == "json":
        data = [
            {
                "id": r.id,
                "severity": r.severity,
                "severity_label": SEVERITY_LABELS[r.severity],
                "category": r.category,
                "category_label": CATEGORY_LABELS.get(r.category, r.category),
                "title": r.title,
                "description": r.title,
            }
            for r in rules
        ]
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        lines = ["| 规则编号 | 级别 | 类别 | 说明 |", "|---|---|---|---|"]
        lines += [
            f"| `{r.id}` | {SEVERITY_LABELS[r.severity]} | {CATEGORY_LABELS.get(r.category, r.category)} | {r.title} |"
            for r in rules
        ]
        return "\n".join(lines) + "\n"
    width = max(len(r.id) for r in rules)
    lines = []
    current = None
    for r in rules:
        if r.category != current:
            current = r.category
            lines.append(f"【{CATEGORY_LABELS.get(current, current)}】")
        lines.append(f"  {r.id.ljust(width)}  {SEVERITY_LABELS[r.severity]}  {r.title}")
    lines.append(f"共 {len(rules)} 条规则。")
    return "\n".join(lines) + "\n"
