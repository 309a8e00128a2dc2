"""Exporting the archive: JSON for other programs, a workbook for people."""

from __future__ import annotations

import json
import os

from report_kit.archive.figures import figure_list, key_figures
from report_kit.archive.store import Archive, stored_json
from report_kit.atomic import atomic_path

COLUMNS = (
    "单位名称",
    "统一社会信用代码",
    "报告年度",
    "版本",
    "当前版本",
    "格式版本",
    "来源文件",
    "SHA-256",
    "入库时间（UTC）",
    "错误数",
    "警告数",
)


def list_records(rows) -> list[dict]:
    """``archive list --format json``: what each archived report is, without its full text."""
    return [
        {
            "unit": row["unit_name"],
            "unit_now": row["unit_current_name"],
            "code": row["unit_code"],
            "year": row["year"],
            "version": row["version"],
            "versions": row["versions"],
            "current": bool(row["current"]),
            "format": row["format"],
            "valid": row["errors"] == 0,
            "counts": {"error": row["errors"], "warning": row["warnings"]},
            "source_name": row["source_name"],
            "sha256": row["sha256"],
            "added_at": row["added_at"],
        }
        for row in rows
    ]


def export_records(
    archive: Archive, *, all_versions: bool = False, year: int | None = None, unit: str | None = None
) -> list[dict]:
    records = []
    for row in archive.rows(all_versions=all_versions, year=year, unit=unit):
        records.append(
            {
                "unit": row["unit_name"],
                "unit_now": row["unit_current_name"],
                "code": row["unit_code"],
                "year": row["year"],
                "version": row["version"],
                "current": bool(row["current"]),
                "format": row["format"],
                "source_name": row["source_name"],
                "sha256": row["sha256"],
                "added_at": row["added_at"],
                "valid": row["errors"] == 0,
                "counts": {"error": row["errors"], "warning": row["warnings"]},
                "submission": stored_json(row["submission"]),
                "findings": stored_json(row["findings"], list),
            }
        )
    return records


def export_json(archive: Archive, target: str | os.PathLike, **selection) -> int:
    records = export_records(archive, **selection)
    with atomic_path(target) as temp:
        temp.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(records)


def export_xlsx(archive: Archive, target: str | os.PathLike, **selection) -> int:
    from openpyxl import Workbook

    from report_kit.batch.clean import clean_text
    from report_kit.writers.safe_cells import neutralise, sanitise_workbook

    def cell(value):  # control characters openpyxl refuses, over-long text, formulas
        return neutralise(clean_text(value)) if isinstance(value, str) else value

    records = export_records(archive, **selection)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "年报库"
    labels = [figure.label for figure in figure_list()]
    sheet.append([*COLUMNS, *labels])
    for record in records:
        figures = key_figures(record["submission"])
        values = [
            record["unit"],
            record["code"] or "",
            record["year"],
            record["version"],
            "是" if record["current"] else "否",
            record["format"],
            record["source_name"],
            record["sha256"],
            record["added_at"],
            record["counts"]["error"],
            record["counts"]["warning"],
            *(figures[label] if figures[label] is not None else "" for label in labels),
        ]
        sheet.append([cell(v) for v in values])
    sheet.freeze_panes = "A2"
    problems = workbook.create_sheet("校验问题")
    problems.append(["单位名称", "报告年度", "版本", "规则", "级别", "位置", "问题"])
    levels = {"error": "错误", "warning": "警告", "info": "提示"}
    for record in records:
        for finding in record["findings"]:
            locations = finding.get("locations") or [{}]
            where = locations[0].get("label") or locations[0].get("pointer") or ""
            row = [
                record["unit"],
                record["year"],
                record["version"],
                finding.get("rule", ""),
                levels.get(finding.get("severity"), finding.get("severity", "")),
                where,
                finding.get("message", ""),
            ]
            problems.append([cell(v) for v in row])
    problems.freeze_panes = "A2"
    sanitise_workbook(workbook)
    with atomic_path(target) as temp:
        workbook.save(temp)
    return len(records)
