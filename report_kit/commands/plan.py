"""``report-kit plan``: read a work plan (工作要点 / 实施方案) into its task ledger (分工台账)."""

from __future__ import annotations

import click

from report_kit.commands.options import archive_lookup_option, load_roster, output_file_option


@click.group()
def plan() -> None:
    """工作要点分工台账：读取年度政务公开工作要点，列出每项任务的牵头单位、责任单位和完成时限。"""


def open_alias_archive(archive_path):
    """The archive whose alias table confirms unit names (read only; None when not given)."""
    if not archive_path:
        return None
    from pathlib import Path

    if not Path(archive_path).is_file():
        raise click.BadParameter(f"年报库“{archive_path}”不存在。", param_hint="--archive")
    from report_kit.archive import Archive, ArchiveError

    try:
        return Archive(archive_path, create=False)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None


@plan.command("read")
@click.argument("plan_file", metavar="PLAN", type=click.Path(dir_okay=False))
@output_file_option("写出分工台账：.json（供 --plan 使用）或 .xlsx（打印用）。")
@click.option(
    "--roster",
    "roster_path",
    type=click.Path(dir_okay=False),
    help="报送名单（.csv/.xlsx），用于把简称、集体名称对应到单位全称。",
)
@archive_lookup_option("年报库：其中登记的更名/简称（report-kit archive alias）用于对应单位全称。")
def read(plan_file, output, roster_path, archive_path):
    """读取工作要点（.txt、.docx、有文字层的.pdf、.html），生成分工台账。"""
    from report_kit.atomic import same_file
    from report_kit.commands.console import say, write_result
    from report_kit.plan import PlanError, read_plan

    if output and not output.lower().endswith((".json", ".xlsx")):
        raise click.UsageError(f"-o/--output 应为 .json 或 .xlsx 文件，实际为“{output}”。")
    if output and same_file(output, plan_file):
        raise click.UsageError("-o/--output 不能与工作要点文件相同，请另取一个文件名（原文件不会被修改）。")
    roster = load_roster(roster_path)
    archive = open_alias_archive(archive_path)
    try:
        ledger = read_plan(plan_file, roster=roster, archive=archive)
    except PlanError as exc:
        click.echo(f"错误：{exc}", err=True)
        raise SystemExit(1) from None
    finally:
        if archive is not None:
            archive.close()
    from report_kit.plan.summary import render_summary

    if output:
        if output.lower().endswith(".xlsx"):
            from report_kit.plan.ledger_xlsx import ledger_xlsx_bytes

            write_result(output, ledger_xlsx_bytes(ledger), what="分工台账")
        else:
            write_result(output, ledger.to_json(), what="分工台账")
        say(render_summary(ledger, roster is not None), nl=False)
    else:
        say(ledger.to_json(), nl=False)
        click.echo(render_summary(ledger, roster is not None), err=True, nl=False)
