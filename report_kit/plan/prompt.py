"""The pre-filled 「落实上级年度政务公开工作要点情况」 of ``template --plan``: the unit's tasks as a
numbered list to answer.

Each task is quoted inside 【】 and followed by 「落实情况：」; the coverage check ignores what is
inside 【】, so a template returned unanswered is not mistaken for an answer.
"""

from __future__ import annotations

import re

from report_kit.plan.coverage import index_of
from report_kit.plan.ledger import Ledger

SCAFFOLD = re.compile(r"【[^】]*】")


def work_plan_prompt(ledger: Ledger, unit: str | None, kind: str | None) -> str | None:
    index = index_of(ledger)
    chosen = index.tasks_for(unit, kind) if (unit or kind) else list(range(len(ledger.tasks)))
    if not chosen:
        return None
    title = ledger.document.get("title") or "上级年度政务公开工作要点"
    lines = [f"【《{title}》中落到本单位的{len(chosen)}项任务，请逐项填写落实情况】"]
    for number, at in enumerate(chosen, 1):
        task = ledger.tasks[at]
        deadline = f"（完成时限：{task.deadline}）" if task.deadline else ""
        lines.append(f"{number}. 【{task.label()}：{task.opening(60)}{deadline}】落实情况：")
    return "\n".join(lines) + "\n"


def without_scaffold(text: str) -> str:
    return SCAFFOLD.sub("", text or "")
