"""``report-kit history UNIT``: a unit's key figures across the archived years."""

from __future__ import annotations

import click

from report_kit.commands.archive import ARCHIVE_HELP, open_archive
from report_kit.commands.options import format_option


@click.command()
@click.argument("unit")
@click.option("--archive", "archive_path", type=click.Path(), help=ARCHIVE_HELP)
@format_option("输出格式：text（表格）或 json。")
def history(unit, archive_path, fmt):
    """列出某单位历年报告的主要数字（依申请公开、复议诉讼、行政规范性文件）及与上年相比的增减。

    单位：单位名称、曾用名（见 archive alias）或统一社会信用代码。
    """
    from report_kit.archive.figures import MISSING, figure_list, key_figures
    from report_kit.archive.table import render_table

    with open_archive(archive_path, create=False) as store:
        references = store.history_references(unit)
    reports = [stored.submission for stored in references]
    if not reports:
        raise click.ClickException(f"年报库中没有“{unit}”的报告（已按名称、曾用名和统一社会信用代码查找）。")
    labels = [figure.label for figure in figure_list()]
    years = []
    before: dict | None = None
    for stored in references:
        submission = stored.submission
        figures = key_figures(submission)
        change = {
            label: figures[label] - before[label]
            if before is not None
            and figures[label] is not None
            and before[label] is not None
            and before["year"] == submission.get("year", 0) - 1
            else None
            for label in labels
        }
        years.append(
            {
                "year": submission.get("year"),
                "unit": (submission.get("unit") or {}).get("name", ""),
                "format": submission.get("format"),
                "figures": figures,
                "change": change,
                # False: the archive holds only versions with errors for this year
                "valid": stored.clean,
                "version": stored.version,
            }
        )
        before = {**figures, "year": submission.get("year")}
    names = list(dict.fromkeys(y["unit"] for y in years if y["unit"]))
    if fmt == "json":
        import json

        click.echo(
            json.dumps(
                {"unit": names[-1] if names else unit, "names": names, "years": years},
                ensure_ascii=False,
                indent=2,
            )
        )
        return

    def cell(year: dict, label: str) -> str:
        value = year["figures"][label]
        if value is None:
            return MISSING
        diff = year["change"][label]
        return f"{value}（{diff:+d}）" if isinstance(diff, int) and diff else str(value)

    rows = [
        [f"{y['year']}" + ("*" if not y["valid"] else ""), *(cell(y, label) for label in labels)]
        for y in years
    ]
    click.echo(
        f"{'、'.join(names)} 历年主要数字（括号内为与上年相比的增减；{MISSING} 表示该年度格式中没有此项）"
    )
    click.echo(render_table(["年度", *labels], rows), nl=False)
    marked = [str(y["year"]) for y in years if not y["valid"]]
    if marked:
        click.echo(
            f"* {'、'.join(marked)}年度：年报库中只有校验有错误的版本，数字可能有误，仅供参考；"
            "请把改正后的报告入库。"
        )
