"""``report-kit history UNIT``: a unit's key figures across the archived years."""

from __future__ import annotations

import click

from report_kit.commands.archive import ARCHIVE_HELP, open_archive


@click.command()
@click.argument("unit")
@click.option("--archive", "archive_path", type=click.Path(dir_okay=False), help=ARCHIVE_HELP)
def history(unit, archive_path):
    """列出某单位历年报告的主要数字（依申请公开、复议诉讼、行政规范性文件）。"""
    from report_kit.archive.figures import KEY_FIGURES, MISSING, key_figures
    from report_kit.archive.table import render_table

    with open_archive(archive_path, create=False) as store:
        reports = store.history(unit)
    if not reports:
        raise click.ClickException(f"年报库中没有“{unit}”的报告（已按名称、曾用名和统一社会信用代码查找）。")
    rows = []
    for submission in reports:
        figures = key_figures(submission)
        rows.append(
            [
                submission.get("year"),
                *(MISSING if figures[label] is None else figures[label] for label, _ in KEY_FIGURES),
            ]
        )
    names = sorted({s.get("unit", {}).get("name", "") for s in reports} - {""})
    click.echo(f"{'、'.join(names)} 历年主要数字（{MISSING} 表示该年度格式中没有此项）")
    click.echo(render_table(["年度", *(label for label, _ in KEY_FIGURES)], rows), nl=False)
