"""What the office page shows: roster status, findings per unit, the aggregate, charts, links.

All figures come from the live review (:mod:`report_kit.serve.review`); the aggregate tables
are drawn by the same writer as every report (``report_content.table_from_grid`` and
``report_html.render_table``), fed the batch's sums, which read like a submission.
"""

from __future__ import annotations

from report_kit.grid import all_grids
from report_kit.report_content import table_from_grid
from report_kit.serve import links as links_module
from report_kit.serve.review import STATES

TOP_RULES = 10
STATE_CLASSES = {"未提交": "missing", "有错误": "errors", "通过": "passed", "逾期": "late"}


def bars(items: list[tuple[str, int]], css: dict[str, str] | None = None) -> list[dict]:
    """Rows of a horizontal bar chart (drawn in CSS, no script): label, count, width in %."""
    top = max((count for _, count in items), default=0) or 1
    return [
        {
            "label": label,
            "count": count,
            "width": round(count * 100 / top, 1),
            "css": (css or {}).get(label, ""),
        }
        for label, count in items
    ]


def office_context(service) -> dict:
    review = service.review()
    data = review.data
    counts = data["status_counts"]
    aggregate_tables = []
    if review.result.aggregate_count:
        from report_kit.writers.report_html import render_table

        for number, grid in enumerate(all_grids(), start=1):
            table = table_from_grid(grid, review.result.aggregate)
            aggregate_tables.append(render_table(table, 100 + number))
    return {
        "units": review.units,
        "counts": counts,
        "total": len(review.units),
        "states": [{"label": s, "count": counts[s], "css": STATE_CLASSES[s]} for s in STATES],
        "status_chart": bars([(s, counts[s]) for s in STATES], STATE_CLASSES),
        "rule_chart": bars([(rule, count) for rule, count in review.result.rule_counts()[:TOP_RULES]]),
        "aggregate_tables": aggregate_tables,
        "aggregate_count": review.result.aggregate_count,
        "year": data.get("year"),
        "deadline": service.config.deadline,
        "state_classes": STATE_CLASSES,
        "plan": plan_rows(data.get("plan")),
        "plan_document": (data.get("plan") or {}).get("document") or {},
    }


def plan_rows(matrix: dict | None) -> list[dict] | None:
    """Work-plan coverage per task (batch --plan's matrix): how many of the units it falls to
    said how they carried it out, said nothing, or have not reported; and who said nothing."""
    if not matrix:
        return None
    from report_kit.plan.review import ADDRESSED, NOT_ADDRESSED, NOT_SUBMITTED

    units = matrix["units"]
    rows = []
    for task in matrix["tasks"]:
        statuses = task["statuses"]
        rows.append(
            {
                "number": task.get("number") or task.get("id"),
                "task": task["task"],
                "addressed": statuses.count(ADDRESSED),
                "not_addressed": statuses.count(NOT_ADDRESSED),
                "not_submitted": statuses.count(NOT_SUBMITTED),
                "silent": [units[i]["name"] for i, s in enumerate(statuses) if s == NOT_ADDRESSED][:20],
            }
        )
    return rows


def links_context(service, link) -> dict:
    """The link management page: every live link (the office's first) and the forms' token."""
    links = [
        {**row, "url": links_module.full_url(service.config.base_url, row["token"]) if row["token"] else ""}
        for row in links_module.listed_links(service.store)
    ]
    return {"links": links, "csrf": service.csrf(link, "links")}
