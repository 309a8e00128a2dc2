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
        "--deadline", callback=parse_date, help="本批次的发布期限（YYYY-MM-DD），代替法定期限。"
    )


def previous_option(help: str):
    return click.option("--previous", type=click.Path(), help=help)


def archive_lookup_option(help: str = "从年报库（report-kit archive）中查找上年报告，用于跨年度核对。"):
    """``--archive`` where last year's reports are looked up (check, build, batch)."""
    return click.option("--archive", "archive_path", type=click.Path(), help=help)
