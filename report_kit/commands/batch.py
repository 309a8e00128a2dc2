"""``report-kit batch``: the 政务公开办's review of a whole folder of submissions."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期应为YYYY-MM-DD格式，实际为“{value}”") from None


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="审核结果文件夹。")
@click.option(
    "--roster",
    type=click.Path(exists=True, dir_okay=False),
    help="报送名单（.xlsx 或 .csv），须有“单位名称”列。",
)
@click.option("--deadline", callback=_date, help="本批次的发布期限（YYYY-MM-DD），代替法定期限。")
@click.option(
    "--year", type=click.IntRange(2008, 2100), help="本批次审核的报告年度；其他年度的报告记为问题。"
)
@click.option("--jobs", type=click.IntRange(1, 256), help="并行进程数，默认为CPU核数。")
@click.option("--build", is_flag=True, help="为每份没有错误的报告生成Word和网页版年度报告。")
@click.option("--today", callback=_date, help="以该日期为“今天”（YYYY-MM-DD），也作为审核结果的生成日期。")
def batch(directory, output, roster, deadline, year, jobs, build, today):
    """批量审核一个文件夹中的全部填报文件，生成审核结果（Excel、JSON、网页）。"""
    from report_kit.batch.outputs import write_outputs
    from report_kit.batch.roster import RosterError, read_roster
    from report_kit.batch.run import run_batch

    if Path(output).resolve() == Path(directory).resolve():
        raise click.UsageError("审核结果文件夹不能与报告文件夹相同，请用 -o 指定另一个文件夹。")
    try:
        units = read_roster(roster) if roster else None
    except RosterError as exc:
        raise click.UsageError(str(exc)) from None
    result = run_batch(
        directory,
        roster=units,
        year=year,
        today=today,
        deadline=deadline,
        jobs=jobs or os.cpu_count() or 1,
        exclude=Path(output),
        progress=sys.stderr,
    )
    write_outputs(result, output)
    if build:
        from report_kit.batch.build import build_reports

        for message in build_reports(result, directory, output):
            click.echo(message, err=True)
    counts = result.counts
    year_text = f"{result.year}年度" if result.year is not None else ""
    click.echo(
        f"共审核{year_text}报告文件 {counts['files']} 个：通过 {counts['passed']} 个，有错误 {counts['errors']} 个，"
        f"无法读取 {counts['unreadable']} 个"
        + (f"；名单内未提交 {counts['missing']} 个单位" if result.roster is not None else "")
        + (f"；跳过非填报文件 {counts['skipped']} 个" if counts["skipped"] else "")
        + "。"
    )
    click.echo(f"审核结果已写入 {output}（审核结果.xlsx、审核结果.json、index.html）。")
    sys.exit(1 if result.failed else 0)
