"""Options that several commands share, declared once so they read and behave alike."""

from __future__ import annotations

import datetime as dt

import click


def parse_date(ctx, param, value):
    """click callback: an ISO date, or a Chinese usage error."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期应为YYYY-MM-DD格式，实际为“{value}”") from None


def today_option(help: str = "以该日期为“今天”（YYYY-MM-DD），用于复核历史报告。"):
    return click.option("--today", callback=parse_date, help=help)


def deadline_option():
    return click.option(
        "--deadline",
        callback=parse_date,
        help="本地规定的发布期限（YYYY-MM-DD）：用于法律未规定期限的乡镇、街道；对政府部门和本级政府只在早于法定期限时适用。",
    )


def previous_option(help: str):
    return click.option("--previous", type=click.Path(), help=help)


def archive_lookup_option(help: str = "从年报库（report-kit archive）中查找上年报告，用于跨年度核对。"):
    """``--archive`` where last year's reports are looked up (check, build, batch)."""
    return click.option("--archive", "archive_path", type=click.Path(), help=help)


def output_file_option(help: str):
    """``-o/--output``: the one file a command writes (a folder there is a usage error)."""
    return click.option("-o", "--output", type=click.Path(dir_okay=False), help=help)


def force_option(help: str = "允许覆盖已存在的输出文件（默认不覆盖，以免丢失已填写的内容）。"):
    return click.option("--force", is_flag=True, help=help)


def refuse_overwrite(output, *, force: bool, inputs=(), hint: str = "-o/--output") -> None:
    """An output never replaces an input (always refused), nor an existing file unless the user
    said ``--force``: a clerk's filled workbook is a year's work and there is no undo."""
    import os

    refuse_input(output, inputs, hint=hint)
    if not force and (os.path.isfile(output) or os.path.islink(output)):
        raise click.BadParameter(
            f"“{output}”已存在，为免覆盖已填写的内容未生成；请另选文件名，或加 --force 覆盖。",
            param_hint=hint,
        )


def refuse_input(output, inputs, *, hint: str = "-o/--output") -> None:
    """Refuse an output that is one of the ``(option, path)`` inputs, whatever spelling of the
    path was typed; an input that is a folder (``--previous 上年报告/``) holds files of a year's
    work, so an existing file inside it is refused too (a new file beside them is harmless)."""
    import os

    from report_kit.atomic import same_file

    if not output:
        return
    for option, path in inputs:
        if not path:
            continue
        if same_file(output, path):
            raise click.BadParameter(
                f"输出文件“{output}”就是 {option} 的输入文件，会把它覆盖；请另选一个文件名。",
                param_hint=hint,
            )
        if os.path.isdir(path) and os.path.isfile(output):
            folder = os.path.realpath(path)
            if os.path.commonpath([folder, os.path.realpath(output)]) == folder:
                raise click.BadParameter(
                    f"输出文件“{output}”在 {option} 的文件夹中且已存在，会把其中的报告覆盖；请另选一个文件名。",
                    param_hint=hint,
                )


def lookup_inputs(previous=None, archive_path=None, plan=None) -> list[tuple[str, str]]:
    """The inputs of the cross-year and work-plan options as ``(option, path)`` pairs, for
    ``refuse_input``: ``check -o 上年.json --previous 上年.json`` must not write over last year."""
    return [
        ("--previous", previous),
        ("--archive", archive_path),
        ("--plan", getattr(plan, "source", None) or None),
    ]


def _load_plan(ctx, param, value):
    """click callback: the ledger of ``--plan`` (its JSON, or a plan document read on the fly)."""
    if value is None:
        return None
    from report_kit.plan import PlanError, load_ledger

    try:
        return load_ledger(value)
    except PlanError as exc:
        raise click.BadParameter(str(exc)) from None


def plan_option(
    help: str = "分工台账（report-kit plan read 生成的 .json，或工作要点原文），逐项核对“落实上级年度政务公开工作要点情况”。",
):
    """``--plan`` of check, build, template and batch: the work-plan ledger."""
    return click.option("--plan", "plan", callback=_load_plan, type=click.Path(dir_okay=False), help=help)


def format_option(help: str, choices: tuple[str, ...] = ("text", "json")):
    """``--format`` of the commands that print either a Chinese text or JSON (value in ``fmt``)."""
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default="text", show_default=True, help=help
    )


def load_roster(path, *, hint: str = "--roster"):
    """The units of a roster file (``--roster``), or a Chinese usage error naming the option."""
    if not path:
        return None
    from pathlib import Path

    from report_kit.batch.roster import RosterError, read_roster

    if not Path(path).is_file():
        raise click.BadParameter(f"名单文件“{path}”不存在。", param_hint=hint)
    try:
        return read_roster(path)
    except RosterError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from None
