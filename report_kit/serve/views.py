"""What the unit's page shows of one upload: the official tables with the bad cells marked and
the repairs written in (the ``repairs`` and ``repair_hint`` that ``check`` gives), the prose
findings under their section.

Nothing about the format is restated here: the sections and their order come from the
layout, the tables are drawn by :func:`report_kit.report_content.table_from_grid` and
:func:`report_kit.writers.report_html.render_table` (the same drawing as the Word and web
report), and the findings are the ``check --format json`` objects the worker stored.
"""

from __future__ import annotations

from typing import Any

from report_kit.formats import revision_of
from report_kit.grid import table_grid
from report_kit.layout import load_layout
from report_kit.report_content import display_value, table_from_grid
from report_kit.settings import SEVERITY_LABELS
from report_kit.writers.report_html import render_table

_RANK = {"error": 0, "warning": 1, "info": 2}
GENERAL_TITLE = "文件与基本信息"


def where(finding: dict) -> str:
    """「表三!D7（…标签）」 as the clerk finds it in the workbook, else the official label."""
    parts = []
    for loc in finding.get("locations") or []:
        address = (
            f"{loc['sheet']}!{loc['cell']}" if loc.get("sheet") and loc.get("cell") else loc.get("sheet")
        )
        label = loc.get("label") or loc.get("pointer") or ""
        parts.append(f"{address}（{label}）" if address else label)
    return "；".join(dict.fromkeys(p for p in parts if p))


def suspects(result: dict) -> dict[str, dict]:
    """pointer → repair entry for the cells the best repair of each finding would change (the
    same choice as the finding's ``repair_hint``, report_kit.repairs.hint)."""
    repairs = result.get("repairs") or []
    chosen: dict[str, dict] = {}
    for finding in result.get("findings") or []:
        entries = [repairs[i] for i in finding.get("repairs") or [] if 0 <= i < len(repairs)]
        if not entries:
            continue
        best = [e for e in entries if e.get("candidate", 1) == entries[0].get("candidate", 1)]
        if best[0].get("confidence") == "ambiguous":
            continue  # any candidate may be right: the hint names them all, no cell is marked
        for entry in best:
            chosen.setdefault(entry["pointer"], {**entry, "hint": finding.get("repair_hint", "")})
    return chosen


def _shown(finding: dict) -> dict:
    return {
        "rule": finding.get("rule", ""),
        "severity": finding.get("severity", "error"),
        "severity_label": SEVERITY_LABELS.get(finding.get("severity"), ""),
        "message": finding.get("message", ""),
        "suggestion": finding.get("suggestion", ""),
        "where": where(finding),
        "quote": finding.get("quote") or "",
        "repair_hint": finding.get("repair_hint") or "",
    }


def unit_sections(result: dict, submission: dict | None) -> dict[str, Any]:
    """The page's body for one upload: ``general`` findings, then each section of the report
    in the official order with its drawn table (when it has one) and its findings."""
    layout = load_layout(revision_of(submission))
    findings = result.get("findings") or []
    sections = [
        {
            "number": s["number"],
            "title": s["title"],
            "table": s.get("table"),
            "pointer": s.get("pointer"),
            "findings": [],
            "html": "",
        }
        for s in layout.sections
    ]
    by_table = {s["table"]: s for s in sections if s["table"]}
    prose = sorted((s for s in sections if s["pointer"]), key=lambda s: -len(s["pointer"]))
    general: list[dict] = []
    marks: dict[str, str] = {}
    for finding in findings:
        pointer = (finding.get("locations") or [{}])[0].get("pointer") or ""
        cell = layout.cells.get(pointer)
        target = by_table.get(cell.table) if cell is not None else None
        if target is None:
            target = next(
                (s for s in prose if pointer == s["pointer"] or pointer.startswith(s["pointer"] + "/")), None
            )
        (target["findings"] if target is not None else general).append(_shown(finding))
        for loc in finding.get("locations") or []:
            p = loc.get("pointer")
            if p in layout.cells:
                severity = finding.get("severity", "error")
                if p not in marks or _RANK[severity] < _RANK[marks[p]]:
                    marks[p] = severity
    notes = suspects(result)
    messages: dict[str, list[str]] = {}
    for finding in findings:
        for loc in finding.get("locations") or []:
            messages.setdefault(loc.get("pointer") or "", []).append(finding.get("message", ""))

    def mark(cell):
        if cell.pointer in notes:
            repair = notes[cell.pointer]
            return ("cell-repair", repair["hint"], f"应为 {display_value(repair.get('suggested'))}")
        if cell.pointer in marks:
            return (f"cell-{marks[cell.pointer]}", "；".join(messages.get(cell.pointer, [])[:3]), "")
        return None

    if isinstance(submission, dict):
        for number, section in enumerate(s for s in sections if s["table"]):
            table = table_from_grid(table_grid(section["table"], layout.format), submission)
            section["html"] = render_table(table, number + 1, mark)
    return {
        "general": general,
        "sections": sections,
        "repairs": list(dict.fromkeys(f["repair_hint"] for f in findings if f.get("repair_hint"))),
        "marked": len(set(marks) | set(notes)),
    }
