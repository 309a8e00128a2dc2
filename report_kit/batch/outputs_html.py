"""index.html and units/<单位>.html: a static overview that opens from disk.

No scripts, no external assets, no server: one inline style sheet, relative links, every
value html-escaped. Per-unit page names are sanitised and made unique (``names.UniqueNames``).
"""

from __future__ import annotations

import html
from urllib.parse import quote

from report_kit.batch.run import STATUS_ERRORS, STATUS_PASSED, STATUS_UNREADABLE, BatchResult
from report_kit.batch.tables import has_year_over_year, summary_rows, unit_or_guess
from report_kit.catalogue import load_catalogue

STYLE = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
a.report{margin-right:1em;white-space:nowrap}
h1{font-size:1.6em;overflow-wrap:anywhere}h2{font-size:1.2em;margin-top:2em}
.cards{display:flex;gap:1em;flex-wrap:wrap}
.card{border:1px solid #ccc;border-radius:6px;padding:.8em 1.4em;min-width:7em;text-align:center}
.card .n{font-size:2.2em;font-weight:bold;display:block}
.passed .n{color:#2e7d32}.errors .n{color:#c62828}.unreadable .n{color:#6d4c41}.missing .n{color:#ef6c00}
.late .n{color:#ad1457}
table{border-collapse:collapse;margin-top:.5em}th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left}
td{overflow-wrap:anywhere;max-width:36em}
th{background:#eef3f8;white-space:nowrap}td.num{text-align:right}td.nowrap{white-space:nowrap}
.s-通过{color:#2e7d32}.s-有错误{color:#c62828}.s-无法读取{color:#6d4c41}
.s-通过,.s-有错误,.s-无法读取{white-space:nowrap}
td.rule{white-space:nowrap;overflow-wrap:normal}
@media (max-width:640px){
body{margin:1em .8em}.card{min-width:4.5em;padding:.5em .8em}.card .n{font-size:1.8em}
table,tbody,tr,td{display:block}table{border:0}
thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
tr{border:1px solid #bbb;border-radius:4px;margin:0 0 .6em;padding:.3em .5em}
td{border:0;padding:.15em 0;max-width:none;text-align:left}td.num{text-align:left}
td[data-label]::before{content:attr(data-label) "：";color:#666}
}
"""


SHOWN_NAME = 80  # characters of a unit name shown in the overview's table


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """A table that reads as a list of cards on a phone: each cell says its column's name."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(cell.replace("<td", f'<td data-label="{_e(h)}"', 1) for h, cell in zip(headers, row))
        + "</tr>\n"
        for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n"


def _td(value, cls: str = "") -> str:
    attribute = f' class="{cls}"' if cls else ""
    return f"<td{attribute}>{_e(value)}</td>"


def render_index(result: BatchResult, unit_pages: dict[str, str]) -> str:
    """The overview; ``unit_pages`` maps an entry's file to its page name (without folder)."""
    counts = result.counts
    year = f"{result.year}年度" if result.year is not None else ""
    cards = [
        ("passed", STATUS_PASSED, counts["passed"]),
        ("errors", STATUS_ERRORS, counts["errors"]),
        ("unreadable", STATUS_UNREADABLE, counts["unreadable"]),
        ("missing", "未提交", counts["missing"] if result.roster is not None else "—"),
        ("late", "逾期发布", counts["late"]),
    ]
    body = [f"<h1>{_e(year)}政府信息公开工作年度报告批量审核结果</h1>\n"]
    body.append(f"<p>生成日期：{_e(result.generated_on)}；共审核 {counts['files']} 个文件。</p>\n")
    body.append('<div class="cards">\n')
    for cls, label, n in cards:
        body.append(f'<div class="card {cls}" id="count-{cls}"><span class="n">{n}</span>{_e(label)}</div>\n')
    body.append("</div>\n<h2>各单位审核结果</h2>\n")
    rows = []
    yoy = has_year_over_year(result)
    for row in summary_rows(result):
        page = unit_pages[row["file"]]
        name = unit_or_guess(row) or row["file"]
        shown = name if len(name) <= SHOWN_NAME else name[:SHOWN_NAME] + "…"  # full name on hover
        link = f'<td><a href="units/{quote(page)}" title="{_e(name)}">{_e(shown)}</a></td>'
        cells = [
            link,
            _td(row["file"]),
            _td(row["status"], f"nowrap s-{row['status']}"),
            _td(row["errors"], "num"),
            _td(row["warnings"], "num"),
            _td(row["published_on"], "nowrap"),
            _td(("是" if row["late"] else "否") if row["published_on"] else "", "nowrap"),
        ]
        if yoy:
            cells.extend(_year_over_year_cells(row))
        rows.append(cells)
    headers = ["单位名称", "文件", "审核结果", "错误", "警告", "发布日期", "是否逾期"]
    body.append(_table(headers + (YEAR_OVER_YEAR_HEADERS if yoy else []), rows))
    if result.missing:
        body.append("<h2>名单内未提交的单位</h2>\n<ul>\n")
        body.extend(f"<li>{_e(f['unit'])}</li>\n" for f in result.missing)
        body.append("</ul>\n")
    troubles = [r for r in result.roster or [] if r["state"] not in ("已提交", "未提交")]
    if troubles:
        body.append("<h2>名单核对中的其他问题</h2>\n")
        trouble_rows = [
            [_td(r["unit"]), _td(r["state"], "nowrap"), _td("、".join(r["files"]))] for r in troubles
        ]
        body.append(_table(["单位名称", "核对结果", "提交文件"], trouble_rows))
    if result.plan is not None:
        body.append(_plan_section(result.plan))
    catalogue = load_catalogue()
    top = result.rule_counts()[:15]
    if top:
        body.append("<h2>最常见的问题</h2>\n")
        rule_rows = [
            [
                _td(rule, "rule"),
                _td(catalogue.rules[rule].title if rule in catalogue.rules else ""),
                _td(n, "num"),
            ]
            for rule, n in top
        ]
        body.append(_table(["规则", "说明", "问题数"], rule_rows))
    if result.skipped:
        body.append("<h2>已跳过的文件（不是填报文件）</h2>\n<ul>\n")
        reasons = result.skip_reasons
        body.extend(
            f"<li>{_e(name)}" + (f"（{_e(reasons[name])}）" if name in reasons else "") + "</li>\n"
            for name in result.skipped
        )
        body.append("</ul>\n")
    return _page(f"{year}年度报告批量审核结果", "".join(body))


def _plan_section(plan: dict) -> str:
    """batch --plan: the tasks × units table (已说明 / 未说明 / 未报送)."""
    counts = plan["counts"]
    title = plan["document"].get("title") or "工作要点"
    head = f'<h2 id="plan">工作要点落实：《{_e(title)}》</h2>\n'
    head += "<p>" + "；".join(f"{_e(k)} {n} 项" for k, n in counts.items()) + "。</p>\n"
    headers = ["序号", "任务"] + [u["name"] for u in plan["units"]]
    rows = []
    for row in plan["tasks"]:
        cells = [_td(row["number"] or row["id"], "nowrap"), _td(row["task"])]
        cells += [_td(status, f"nowrap p-{status}" if status else "") for status in row["statuses"]]
        rows.append(cells)
    return head + _table(headers, rows)


YEAR_OVER_YEAR_HEADERS = ["本年新收", "上年新收", "增减", "本年办结", "上年办结", "增减", "变化较大"]


def _signed(value) -> str:
    return "" if value is None else (f"+{value}" if value > 0 else str(value))


def _year_over_year_cells(row: dict) -> list[str]:
    """Last year's figures beside this year's (batch --previous/--archive)."""
    return [
        _td(row.get("received"), "num"),
        _td(row.get("previous_received"), "num"),
        _td(_signed(row.get("received_change")), "num"),
        _td(row.get("results"), "num"),
        _td(row.get("previous_results"), "num"),
        _td(_signed(row.get("results_change")), "num"),
        _td("是" if row.get("change_flag") else "", "nowrap"),
    ]


def render_unit(row: dict, findings: list[dict], reports: list[str] = ()) -> str:
    """One submission's page: its status, the reports built for it (``--build``: hrefs
    relative to the page) and every finding (``tables`` rows of that file)."""
    name = unit_or_guess(row) or row["file"]
    body = [
        '<p><a href="../index.html">← 返回总览</a></p>\n',
        f"<h1>{_e(name)}</h1>\n",
        f'<p>文件：{_e(row["file"])}；审核结果：<span class="s-{_e(row["status"])}">{_e(row["status"])}</span>；'
        f"错误 {row['errors']} 项，警告 {row['warnings']} 项。</p>\n",
    ]
    if reports:
        kinds = {".docx": "Word版", ".html": "网页版"}
        links = "".join(
            f'<a class="report" href="{quote(href)}">{kinds.get(href[href.rfind(".") :], "报告")}年度报告</a>'
            for href in reports
        )
        body.append(f"<p>已生成：{links}</p>\n")
    if findings:
        rows = [
            [
                _td(f["severity_label"], "nowrap"),
                _td(f["rule"], "rule"),
                _td(f.get("place") or f["address"], "nowrap"),  # a cell or sheet, never a JSON pointer
                _td(f["label"]),
                _td(f["message"]),
                _td(f["suggestion"]),
                _td(f.get("repair", "")),
            ]
            for f in findings
        ]
        body.append(_table(["级别", "规则", "位置", "项目名称", "问题", "修改建议", "最可能出错"], rows))
    else:
        body.append("<p>未发现问题。</p>\n")
    return _page(name, "".join(body))
