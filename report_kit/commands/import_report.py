"""``report-kit import``: published reports (.html, .docx, .pdf, .txt …) → canonical submissions.

Only wiring: :func:`report_kit.ingest.read_document` reads, :func:`report_kit.check.validate_read`
checks what was read, the findings are printed like ``check`` prints them, and each
submission is written atomically (JSON, or YAML by the ``-o`` extension). Inputs are never
modified. Exit status: 0 when every report could be read, 1 when one could not, 2 usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from report_kit.atomic import same_file
from report_kit.commands.options import format_option, output_file_option

OUTPUT_SUFFIXES = (".json", ".yaml", ".yml")


def _serialise(submission: dict, suffix: str) -> str:
    if suffix in (".yaml", ".yml"):
        import yaml

        return yaml.safe_dump(submission, allow_unicode=True, sort_keys=False, width=1000)
    return json.dumps(submission, ensure_ascii=False, indent=2) + "\n"


@click.command("import")
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False))
@output_file_option("（单个报告）把读出的填报数据写入该文件：.json 或 .yaml。")
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False),
    help="把每份报告读出的填报数据写入该文件夹，文件名为“<原文件名>.json”；默认为当前目录。",
)
@format_option("读取结果（问题清单）的输出格式。")
def import_report(reports, output, out_dir, fmt):
    """读取已发布的年度报告（网页.html、Word .docx、PDF、文本.txt/.md；.doc/.wps需LibreOffice），
    转为填报数据（JSON/YAML），并列出读取和校验发现的问题。"""
    from report_kit.batch.names import UniqueNames
    from report_kit.check import validate_read
    from report_kit.commands.console import say, write_result
    from report_kit.ingest import read_document
    from report_kit.os_errors import os_reason

    if output and len(reports) > 1:
        raise click.UsageError("-o/--output 只能用于单个报告；多个报告请用 --out-dir 指定文件夹。")
    if output and out_dir:
        raise click.UsageError("-o/--output 与 --out-dir 只能选一个。")
    if output and Path(output).suffix.lower() not in OUTPUT_SUFFIXES:
        raise click.UsageError(f"-o 的文件名“{output}”应以 .json 或 .yaml 结尾。")
    targets: list[Path] = []
    names = UniqueNames()
    for report in reports:
        if output:
            target = Path(output)
        else:
            target = Path(out_dir or ".") / f"{names.take(Path(report).stem)}.json"
        if any(same_file(target, r) for r in reports):
            raise click.UsageError(f"输出文件“{target}”是被读取的报告之一，请另取一个文件名。")
        targets.append(target)
    if out_dir:
        try:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.ClickException(f"无法创建文件夹“{out_dir}”（{os_reason(exc)}）。") from None

    file_reports = []
    unreadable = False
    for report, target in zip(reports, targets):
        result = read_document(report)
        file_report = validate_read(result, report)
        file_reports.append(file_report)
        if result.submission is None:
            unreadable = True
            continue
        write_result(target, _serialise(result.submission, target.suffix.lower()))
    if fmt == "json":
        from report_kit.writers.findings_data import render_json

        say(render_json(file_reports), nl=False)
    else:
        from report_kit.writers.findings_text import render_text

        say(render_text(file_reports), nl=False)
    sys.exit(1 if unreadable else 0)
