"""``report-kit archive``: keep every unit's validated reports, year after year, in one SQLite file."""

from __future__ import annotations

import contextlib
import sqlite3

import click

ARCHIVE_HELP = "年报库文件（默认：环境变量 REPORT_KIT_ARCHIVE，否则当前目录下的“年报库.sqlite”）。"


def archive_option():
    return click.option("--archive", "archive_path", type=click.Path(dir_okay=False), help=ARCHIVE_HELP)


@contextlib.contextmanager
def open_archive(archive_path: str | None, *, create: bool):
    """The open archive; its errors (foreign, corrupt, locked too long) end the command with a
    Chinese message instead of a traceback."""
    from report_kit.archive import Archive, ArchiveError

    try:
        with Archive(archive_path, create=create) as store:
            yield store
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(
            f"年报库读写失败，操作未完成（{exc}）。如提示被占用请稍后重试，否则请从备份恢复。"
        ) from None


@click.group()
def archive() -> None:
    """年报库：保存各单位历年已校验的报告（保留历史版本），供跨年度核对和历年对比。"""


@archive.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@archive_option()
def add(files, archive_path):
    """校验并入库一个或多个报告文件；同一单位同一年度再次入库时另存为新版本。"""
    from report_kit.archive import ArchiveError
    from report_kit.check import check_file

    failed = 0
    with open_archive(archive_path, create=True) as store:
        for path in files:
            report = check_file(path)
            try:
                result = store.add(report, path)
            except ArchiveError as exc:
                click.echo(str(exc), err=True)
                failed += 1
                continue
            counts = report.counts
            note = f"（校验：错误{counts['error']}个，警告{counts['warning']}个）" if result.added else ""
            click.echo(result.message + note)
    raise SystemExit(1 if failed else 0)


@archive.command("list")
@click.option("--year", type=int, help="只列出该年度的报告。")
@click.option("--unit", help="只列出该单位（名称、曾用名或统一社会信用代码）的报告。")
@click.option("--all-versions", is_flag=True, help="同时列出历史版本。")
@archive_option()
def list_(year, unit, all_versions, archive_path):
    """列出年报库中的报告。"""
    from report_kit.archive.table import render_table

    with open_archive(archive_path, create=False) as store:
        rows = store.rows(year=year, unit=unit, all_versions=all_versions)
    if not rows:
        click.echo("年报库中没有符合条件的报告。")
        return
    table = [
        [
            row["unit_name"],
            row["year"],
            f"第{row['version']}版/共{row['versions']}版" + ("" if row["current"] else "（历史）"),
            "通过" if row["errors"] == 0 else "有错误",
            row["errors"],
            row["warnings"],
            row["source_name"],
            row["added_at"],
        ]
        for row in rows
    ]
    headers = ["单位名称", "年度", "版本", "校验结果", "错误", "警告", "来源文件", "入库时间（UTC）"]
    click.echo(render_table(headers, table), nl=False)
    click.echo(f"共{len(rows)}份报告。")


@archive.command("export")
@click.option("--format", "fmt", type=click.Choice(("json", "xlsx")), default="json", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="导出到该文件。")
@click.option("--all-versions", is_flag=True, help="同时导出历史版本。")
@archive_option()
def export(fmt, output, all_versions, archive_path):
    """导出年报库（JSON供其他程序使用，xlsx供人工查看）。"""
    from report_kit.archive import export as exporter

    with open_archive(archive_path, create=False) as store:
        writer = exporter.export_xlsx if fmt == "xlsx" else exporter.export_json
        count = writer(store, output, all_versions=all_versions)
    click.echo(f"已导出{count}份报告到 {output}")


@archive.command("alias")
@click.argument("old")
@click.argument("new")
@archive_option()
def alias(old, new, archive_path):
    """登记单位更名（机构改革）：旧名称与新名称的报告按同一单位跨年度核对。"""
    with open_archive(archive_path, create=False) as store:
        click.echo(store.alias(old, new))
