"""``report-kit batch``: the 政务公开办's review of a whole folder of submissions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from report_kit.commands.console import say
from report_kit.commands.options import (
    archive_lookup_option,
    deadline_option,
    load_roster,
    plan_option,
    previous_option,
    today_option,
)
from report_kit.os_errors import os_reason


def finite_factor(ctx, param, value):
    """``--change-factor``: click's FloatRange lets ``nan`` and ``inf`` through (no comparison
    with them is ever true); either would silently turn the check off."""
    import math

    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"应为大于1的数，如2，实际为“{value}”")
    return value


def _say(text: str) -> None:
    """The summary on stdout; the review folder is already written when this fails."""
    say(text, lost="审核结果已写入文件夹")


def _existing(value, folder: bool):
    """Chinese messages for a missing folder or roster (click's own are English)."""
    if value is None:
        return None
    path = Path(value)
    if folder and not path.is_dir():
        what = "不是文件夹" if path.exists() else "不存在"
        raise click.BadParameter(f"报告文件夹“{value}”{what}。")
    if not folder and not path.is_file():
        what = "是文件夹，不是名单文件" if path.is_dir() else "不存在"
        raise click.BadParameter(f"名单文件“{value}”{what}。")
    return value


def plan_path(plan):
    """The plan file given to --plan, so that a plan kept in the reports folder is not reviewed."""
    return getattr(plan, "source", "") or None


@click.command()
@click.argument("directory", callback=lambda ctx, param, value: _existing(value, folder=True))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="审核结果文件夹。")
@click.option(
    "--roster",
    metavar="文件",
    callback=lambda ctx, param, value: _existing(value, folder=False),
    help="报送名单（.xlsx 或 .csv），须有“单位名称”列。",
)
@deadline_option()
@click.option(
    "--year", type=click.IntRange(2008, 2100), help="本批次审核的报告年度；其他年度的报告记为问题。"
)
@click.option("--jobs", type=click.IntRange(1, 256), help="并行进程数，默认为CPU核数。")
@click.option("--build", is_flag=True, help="为每份没有错误的报告生成Word和网页版年度报告。")
@today_option("以该日期为“今天”（YYYY-MM-DD），也作为审核结果的生成日期。")
@previous_option("存放上年报告的文件夹（或单个文件），按统一社会信用代码或单位名称查找，用于跨年度核对。")
@archive_lookup_option("年报库文件：从中查找上年报告进行跨年度核对，并把本批次全部报告入库（不存在时新建）。")
@click.option(
    "--change-factor",
    type=click.FloatRange(1, min_open=True),
    callback=finite_factor,
    default=2.0,
    show_default=True,
    help="本年新收申请或办理结果总计与上年相比增减超过该倍数时给出提示。",
)
@plan_option(
    "分工台账（plan read 生成的 .json，或工作要点原文）：逐项核对各单位的落实情况，审核结果中增加“工作要点落实”表。"
)
def batch(
    directory, output, roster, deadline, year, jobs, build, today, previous, archive_path, change_factor, plan
):
    """批量审核一个文件夹中的全部填报文件，生成审核结果（Excel、JSON、网页）。"""
    from report_kit.batch.outputs import write_outputs
    from report_kit.batch.run import run_batch

    if Path(output).resolve() == Path(directory).resolve():
        raise click.UsageError("审核结果文件夹不能与报告文件夹相同，请用 -o 指定另一个文件夹。")
    units = load_roster(roster)
    from report_kit.previous import open_previous

    source = open_previous(previous, archive_path, create=True, strict_file=True)
    if source is not None:
        source.close()  # checked now; reopened after the worker processes are done
    linker = None
    if source is not None:
        from report_kit.archive.year_over_year import YearOverYear

        linker = YearOverYear(directory, source, add=archive_path is not None, change_factor=change_factor)
    result = run_batch(
        directory,
        roster=units,
        year=year,
        today=today,
        deadline=deadline,
        jobs=jobs,  # None: every core this process may use (execute.default_jobs)
        exclude=Path(output),
        exclude_files=tuple(p for p in (roster, plan_path(plan)) if p),
        progress=sys.stderr,
        after_validation=linker,
        plan=plan,
    )
    if source is not None:
        source.close()
    built: list[str] = []
    extra = None
    if build:
        from report_kit.batch.build import build_into

        def extra(folder):  # the reports are published with the review, as one unit
            built.extend(build_into(result, directory, folder, output, progress=sys.stderr))

    try:
        write_outputs(result, output, extra=extra)
        for message in built:
            click.echo(message, err=True)
    except OSError as exc:  # disk full, no permission …: a clear message, never a traceback
        raise click.ClickException(
            f"无法写入审核结果文件夹“{output}”：{os_reason(exc)}。原有的审核结果（如有）未被改动。"
        ) from None
    for name, reason in result.skip_reasons.items():
        click.echo(f"已跳过“{name}”：{reason}", err=True)
    counts = result.counts
    year_text = f"{result.year}年度" if result.year is not None else ""
    _say(
        f"共审核{year_text}报告文件 {counts['files']} 个：通过 {counts['passed']} 个，有错误 {counts['errors']} 个，"
        f"无法读取 {counts['unreadable']} 个"
        + (f"；名单内未提交 {counts['missing']} 个单位" if result.roster is not None else "")
        + (f"；逾期发布 {counts['late']} 个" if counts["late"] else "")
        + (f"；跳过非填报文件 {counts['skipped']} 个" if counts["skipped"] else "")
        + "。"
    )
    if result.plan is not None:
        counts = result.plan["counts"]
        _say(
            "工作要点落实："
            + "，".join(f"{k} {n} 项" for k, n in counts.items())
            + "（见“工作要点落实”表）。"
        )
    if linker is not None and linker.add:
        for message in linker.messages:
            click.echo(message, err=True)
        _say(linker.summary())
    _say(f"审核结果已写入 {output}（审核结果.xlsx、审核结果.json、index.html）。")
    sys.exit(1 if result.failed else 0)
