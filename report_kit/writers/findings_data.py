"""Findings for machines: JSON (the contract of submission.md) and flat CSV rows."""

from __future__ import annotations

import csv
import io
import json

from report_kit.batch.tables import place
from report_kit.findings import LOCATION_SEPARATOR, FileReport, joined_locations
from report_kit.settings import SEVERITY_LABELS
from report_kit.writers.safe_cells import neutralise

CSV_COLUMNS = (
    ("file", "文件"),
    ("unit", "单位"),
    ("year", "年度"),
    ("rule", "规则"),
    ("severity", "级别代码"),
    ("severity_label", "级别"),
    ("sheet", "工作表"),
    ("cell", "单元格"),
    ("place", "位置"),
    ("label", "项目"),
    ("message", "问题"),
    ("expected", "应为"),
    ("actual", "实际"),
    ("difference", "相差"),
    ("suggestion", "修改建议"),
    ("repair", "最可能出错"),
    ("pointer", "数据项"),  # the JSON pointer, for scripts; a person reads 位置 and 项目
)


def render_json(reports: list[FileReport]) -> str:
    """One object for one file; an array of objects for several."""
    data = [r.to_dict() for r in reports]
    payload = data[0] if len(data) == 1 else data
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n"


def flatten(reports: list[FileReport]) -> list[dict]:
    rows = []
    for report in reports:
        for finding in report.findings:
            locations = [loc.to_dict() for loc in finding.locations]
            where = joined_locations(locations)
            rows.append(
                {
                    "file": report.file,
                    "unit": report.unit or "",
                    "year": report.year if report.year is not None else "",
                    "rule": finding.rule,
                    "severity": finding.severity,
                    "severity_label": SEVERITY_LABELS[finding.severity],
                    "sheet": where["sheet"],
                    "cell": where["cell"],
                    "place": LOCATION_SEPARATOR.join(map(place, locations)),  # aligned like 项目
                    "pointer": where["pointer"],
                    "label": where["label"],
                    "message": finding.message,
                    "expected": _scalar(finding.expected),
                    "actual": _scalar(finding.actual),
                    "difference": _scalar(finding.difference),
                    "suggestion": finding.suggestion,
                    "repair": finding.repair_hint,
                }
            )
    return rows


def _scalar(value):
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def render_csv(reports: list[FileReport]) -> str:
    """UTF-8 CSV with a BOM (so Excel shows the Chinese), header in Chinese, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([title for _, title in CSV_COLUMNS])
    for row in flatten(reports):
        writer.writerow(
            [neutralise(row[key]) if isinstance(row[key], str) else row[key] for key, _ in CSV_COLUMNS]
        )
    return "\ufeff" + buffer.getvalue()
