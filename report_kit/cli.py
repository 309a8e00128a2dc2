"""The ``report-kit`` console command: parses options, calls the library, prints results.

Exit status (submission.md): 0 no errors, 1 errors found, 2 usage error.
"""

from __future__ import annotations

import sys

import click

from report_kit.atomic import same_file
from report_kit.commands.click_chinese import speak_chinese
from report_kit.commands.console import say
from report_kit.commands.options import (
    archive_lookup_option,
    deadline_option,
    format_option,
    lookup_inputs,
    output_file_option,
    plan_option,
    previous_option,
    refuse_input,
    today_option,
)

FORMATS = ("text", "json", "csv")

speak_chinese()


def _emit(text: str, output: str | None) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON "\ud800" escape: show �, not a traceback
        text = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    if output:
        from report_kit.commands.console import write_result

        write_result(output, text)
    else:
        say(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="report_kit", message="report-kit %(version)s")
def main() -> None:
    """report_kit：政府信息公开工作年度报告的填报、校验与编制工具。"""
    from report_kit.commands.console import protect_terminal

    protect_terminal()  # unit names are strangers' text: no escape sequence reaches the terminal


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@format_option("输出格式：text（中文清单）、json、csv。", FORMATS)
@output_file_option("把结果写入文件，而不是屏幕。")
@click.option(
    "--annotate",
    type=click.Path(dir_okay=False),
    help="（工作簿）另存一份标注副本：错误单元格标红、警告标黄并附批注。",
)
@today_option()
@deadline_option()
@previous_option("上年报告文件，或存放上年报告的文件夹（按统一社会信用代码或单位名称查找），用于跨年度核对。")
@archive_lookup_option()
@plan_option()
def check(files, fmt, output, annotate, today, deadline, previous, archive_path, plan):
    """校验一个或多个填报文件（JSON、YAML或Excel工作簿）或已发布的年度报告（网页、Word、PDF、文本），列出全部问题。"""
    from report_kit.check import check_file
    from report_kit.previous import open_previous

    if annotate and len(files) != 1:
        raise click.UsageError("--annotate 只能用于单个工作簿。")
    if annotate and not annotate.lower().endswith(".xlsx"):
        raise click.UsageError(f"--annotate 的标注副本须保存为 .xlsx 文件，实际为“{annotate}”。")
    if output and any(same_file(output, path) for path in files):
        raise click.UsageError(f"-o/--output 的结果文件“{output}”是被检查的文件之一，请另取一个文件名。")
    if annotate and output and same_file(annotate, output):
        raise click.UsageError("--annotate 的标注副本与 -o/--output 的结果文件不能是同一个文件。")
    if annotate and same_file(annotate, files[0]):
        raise click.UsageError(
            "--annotate 的标注副本不能与被检查的文件相同，请另取一个文件名（原文件不会被修改）。"
        )
    lookups = lookup_inputs(previous, archive_path, plan)
    refuse_input(output, lookups)
    refuse_input(annotate, lookups, hint="--annotate")
    # several files and one --previous FILE: that file is last year's only for its own unit
    source = open_previous(previous, archive_path, strict_file=len(files) > 1)
    reports = [check_file(path, today=today, deadline=deadline, previous=source, plan=plan) for path in files]
    if fmt == "json":
        from report_kit.writers.findings_data import render_json

        text = render_json(reports)
    elif fmt == "csv":
        from report_kit.writers.findings_data import render_csv

        text = render_csv(reports)
    else:
        from report_kit.writers.findings_text import render_text

        text = render_text(reports)
    _emit(text, output)
    if annotate:
        from report_kit.writers.annotate import NOT_WRITTEN, annotate_workbook

        message = annotate_workbook(files[0], reports[0], annotate)
        click.echo(message, err=True)
        if message.startswith(NOT_WRITTEN):  # the copy could not be written: not a success
            sys.exit(1)
    sys.exit(0 if all(r.valid for r in reports) else 1)


@main.command()
@format_option("输出格式。", ("text", "json", "markdown"))
def rules(fmt):
    """列出全部校验规则（规则编号、级别、说明），供审核时引用。"""
    from report_kit.writers.rule_list import render_rules

    click.echo(render_rules(fmt), nl=False)


def _register_commands() -> None:
    import importlib
    import importlib.util

    from report_kit.commands import COMMANDS

    for name in COMMANDS:
        if importlib.util.find_spec(f"report_kit.commands.{name}") is None:
            continue
        module = importlib.import_module(f"report_kit.commands.{name}")
        main.add_command(getattr(module, name))


_register_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
