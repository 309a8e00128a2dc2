"""The task ledger (分工台账): a plan's tasks with their units, in the JSON shape of plan.md.

``Ledger.to_dict`` is the contract; ``load_ledger`` reads it back (a ledger JSON file, or a plan
read on the fly) for ``check/build/template/batch --plan``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class PlanError(ValueError):
    """The plan or ledger cannot be used; the message is Chinese and shown to the user."""


@dataclass
class Task:
    number: str | None
    path: list[str]
    text: str
    lead_units: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    unit_scope: str | None = None
    deadline: str | None = None
    inherited: bool = False
    resolved: list[str] = field(default_factory=list)
    id: str = ""

    @property
    def all_units(self) -> list[str]:
        return self.lead_units + [u for u in self.units if u not in self.lead_units]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "path": list(self.path),
            "text": self.text,
            "lead_units": list(self.lead_units),
            "units": list(self.units),
            "unit_scope": self.unit_scope,
            "deadline": self.deadline,
            "inherited": self.inherited,
            "resolved": list(self.resolved),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Task:
        return cls(
            number=data.get("number"),
            path=list(data.get("path") or []),
            text=str(data.get("text") or ""),
            lead_units=list(data.get("lead_units") or []),
            units=list(data.get("units") or []),
            unit_scope=data.get("unit_scope"),
            deadline=data.get("deadline"),
            inherited=bool(data.get("inherited")),
            resolved=list(data.get("resolved") or []),
            id=str(data.get("id") or ""),
        )

    def label(self) -> str:
        """How a message names the task: 「任务3」「任务（三）」 or the id of an unnumbered one."""
        if self.number:
            number = self.number.strip()
            return f"第{number}项" if number[0].isdigit() else number
        return f"{self.path[-1] if self.path else ''}下的未编号任务（{self.id}）"

    def opening(self, length: int = 24) -> str:
        text = self.text.strip()
        return text if len(text) <= length else text[:length] + "……"


@dataclass
class Ledger:
    document: dict[str, Any]
    tasks: list[Task]
    unresolved: list[dict[str, Any]] = field(default_factory=list)
    source: str = ""

    def number_tasks(self) -> None:
        width = max(2, len(str(len(self.tasks))))
        for index, task in enumerate(self.tasks, 1):
            task.id = f"T{index:0{width}d}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"document": dict(self.document), "tasks": [t.to_dict() for t in self.tasks]}
        if self.unresolved:
            data["unresolved"] = list(self.unresolved)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ledger:
        if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
            raise PlanError("不是分工台账：JSON中缺少“tasks”任务清单。")
        tasks = [Task.from_dict(t) for t in data["tasks"] if isinstance(t, dict)]
        return cls(dict(data.get("document") or {}), tasks, list(data.get("unresolved") or []))


def load_ledger(path: str | os.PathLike) -> Ledger:
    """A ledger from its JSON file, or read from a plan document (.txt/.docx/.pdf/.html)."""
    path = Path(path)
    if not path.is_file():
        raise PlanError(f"分工台账“{path}”不存在。")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise PlanError(
                f"分工台账“{path.name}”无法读取：{exc.__class__.__name__}，请用 report-kit plan read 重新生成。"
            ) from None
        ledger = Ledger.from_dict(data)
        ledger.source = str(path)
        return ledger
    from report_kit.plan.read import read_plan

    return read_plan(path)
