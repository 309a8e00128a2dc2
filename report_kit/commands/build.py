"""``report-kit build``: compile a submission into the Word report (and the web page).

The command only wires the library: read and validate (:mod:`report_kit.check`), build the
content once (:mod:`report_kit.report_content`), hand it to the Word and HTML writers.
A report with errors is not built unless ``--force``, and then it says so on every page.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from pathlib import Path

import click

from report_kit.atomic import same_file
from report_kit.commands.options import (
    archive_lookup_option,
    lookup_inputs,
    output_file_option,
    plan_option,
    previous_option,
    refuse_input,
)
from report_kit.os_errors import os_reason

FORCE_HINT = "改正上述错误后重新编制；确需先出草稿的，加 --force 生成标有“草稿 · 未通过校验”的文档。"


def _echo_findings(report) -> None:
    """The check result goes to stdout, as with ``check``; what was written goes to stderr."""
    from report_kit.writers.findings_text import render_report

    click.echo(render_report(report))


@click.command()
@click.argument("submission", type=click.Path(dir_okay=False))
@output_file_option("要生成的Word文档；默认为当前目录下的“<单位名称><年度>年政府信息公开工作年度报告.docx”。")
@click.option(
    "--html", "html_path", type=click.Path(dir_okay=False), help="同时生成网页版（单个.html文件）。"
)
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False),
    help="把校验结果另存为错误清单：.xlsx、.csv 或 .json（按扩展名）。",
)
@click.option(
    "--force", is_flag=True, help="即使有错误也生成文档：标为“草稿 · 未通过校验”，并附校验错误清单。"
)
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False),
    help="本单位的Word模板（.docx），须含与内置模板相同名称的样式；缺少的样式按内置模板补齐。",
)
@previous_option("上年报告文件，或存放上年报告的文件夹，用于跨年度核对（上年结转等）。")
@archive_lookup_option()
@plan_option()
def build(submission, output, html_path, errors_path, force, template, previous, archive_path, plan):
    """把填报文件（JSON、YAML或Excel工作簿）编制成年度报告：Word文档，可选网页版。

    报告有错误时不生成（退出码1），除非加 --force；警告不影响生成。
    """
    from report_kit.check import check_file
    from report_kit.writers.errors_file import ErrorsFileError, errors_kind

    if errors_path:
        try:
            errors_kind(errors_path)
        except ErrorsFileError as exc:
            raise click.BadParameter(str(exc), param_hint="--errors") from None
    _check_distinct(submission, template, output, html_path, errors_path)
    for hint, path in (("-o", output), ("--html", html_path), ("--errors", errors_path)):
        refuse_input(path, lookup_inputs(previous, archive_path, plan), hint=hint)
    _check_suffix(output, (".docx",), "-o", "Word文档")
    _check_suffix(html_path, (".html", ".htm"), "--html", "网页")
    document = _open_template(template)

    from report_kit.previous import open_previous

    source = open_previous(previous, archive_path)
    report = check_file(submission, previous=source, plan=plan)
    if source is not None:
        source.close()
    if errors_path:
        from report_kit.writers.errors_file import write_errors

        with _writing(errors_path):
            write_errors(report, errors_path)
        click.echo(f"已写入错误清单 {errors_path}", err=True)

    readable = isinstance(report.submission, dict)
    if report.findings or not readable:
        _echo_findings(report)
    if not readable:
        click.echo("文件无法读取，未生成报告。", err=True)
        sys.exit(1)
    if not report.valid and not force:
        click.echo(f"报告有错误，未生成。{FORCE_HINT}", err=True)
        sys.exit(1)

    from report_kit.report_content import build_content, default_filename

    draft = not report.valid
    from report_kit.repairs import suspects

    content = build_content(
        report.submission,
        findings=report.findings,
        draft=draft,
        suspects=[r.pointer for r in suspects(report.repairs)],
    )
    target = Path(output) if output else Path.cwd() / default_filename(report.submission)

    from report_kit.atomic import atomic_path
    from report_kit.writers.report_docx import fill_document
    from report_kit.writers.report_html import render_html

    fill_document(document, content)
    # The Word document and the web page are one result: both are written beside their
    # targets first and replace them together, so a page that cannot be written (wrong
    # folder, no permission) leaves no new .docx behind and the old pair as it was.
    writing = target
    try:
        with contextlib.ExitStack() as stack:
            temp = stack.enter_context(atomic_path(target))
            document.save(os.fspath(temp))
            if html_path:
                writing = html_path
                temp = stack.enter_context(atomic_path(html_path))
                temp.write_bytes(render_html(content).encode("utf-8"))
            writing = target
    except OSError as exc:
        raise _write_error(writing, exc) from None
    click.echo(f"已生成 {target}", err=True)
    if html_path:
        click.echo(f"已生成 {html_path}", err=True)
    if draft:
        click.echo(
            "注意：报告未通过校验，已按草稿生成（页眉和标题处标有“草稿 · 未通过校验”，文末附校验错误清单），不得作为正式报告发布。",
            err=True,
        )


@contextlib.contextmanager
def _writing(path):
    """A file that cannot be written (no permission, disk full, open in Word on Windows) is
    a message, not a traceback; the atomic writers leave the old file as it was."""
    try:
        yield
    except OSError as exc:
        raise _write_error(path, exc) from None


def _write_error(path, exc: OSError) -> click.ClickException:
    return click.ClickException(
        f"无法写入“{path}”：{os_reason(exc)}。请检查该文件是否已在其他程序中打开，或文件夹是否可写。"
    )


def _check_suffix(path, suffixes, hint, kind) -> None:
    """A Word document written as 「报告.pdf」 or a page as 「报告.txt」 opens in the wrong
    program (or not at all) on the colleague's PC. A name without an extension (or with a
    dot inside a Chinese name, 「2024.1版」) is taken as it is."""
    suffix = Path(path).suffix.lower() if path else ""
    if re.fullmatch(r"\.[a-z][a-z0-9]{0,4}", suffix) and suffix not in suffixes:
        wanted = " 或 ".join(suffixes)
        raise click.BadParameter(
            f"{kind}的文件名“{path}”应以 {wanted} 结尾，如“报告{suffixes[0]}”。", param_hint=hint
        )


def _check_distinct(submission, template, output, html_path, errors_path) -> None:
    """Inputs are never overwritten, and no output overwrites another one: 「-o 填报.xlsx」
    pointing at the submission would otherwise replace the unit's data by the report."""
    inputs = [("SUBMISSION", submission)] + ([("--template", template)] if template else [])
    outputs = [
        (hint, path)
        for hint, path in (("-o", output), ("--html", html_path), ("--errors", errors_path))
        if path
    ]
    for index, (hint, path) in enumerate(outputs):
        for _, source in inputs:
            if same_file(path, source):
                raise click.BadParameter(
                    f"输出文件“{path}”就是输入文件，会把它覆盖；请另选一个文件名。", param_hint=hint
                )
        for other_hint, other in outputs[:index]:
            if same_file(path, other):
                raise click.BadParameter(
                    f"“{path}”与 {other_hint} 指定的是同一个文件；请为每种输出另选文件名。", param_hint=hint
                )


def _open_template(template):
    """Open the template before any work, so a wrong --template fails fast and in Chinese."""
    from report_kit.writers.report_docx import TemplateError, open_template

    try:
        document, copied = open_template(template)
    except TemplateError as exc:
        raise click.BadParameter(str(exc), param_hint="--template") from None
    if copied:
        names = "、".join(f"“{name}”" for name in copied)
        click.echo(f"提示：模板缺少样式 {names}，已按内置模板补齐。", err=True)
    return document
