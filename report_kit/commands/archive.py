"""``report-kit archive``: keep every unit's validated reports, year after year, in one SQLite file."""

from __future__ import annotations

import contextlib
import sqlite3

import click

from report_kit.commands.options import format_option
from report_kit.os_errors import os_reason

ARCHIVE_HELP = "年报库文件（默认：环境变量 REPORT_KIT_ARCHIVE，否则当前目录下的“年报库.sqlite”）。"


def archive_option():
    return click.option("--archive", "archive_path", type=click.Path(), help=ARCHIVE_HELP)


def _expand(files) -> list[str]:
    """The report files named on the command line; a folder stands for the reports inside it."""
    from pathlib import Path

    from report_kit.batch.discover import discover

    paths: list[str] = []
    for name in files:
        path = Path(name)
        if path.is_dir():
            paths.extend(str(p) for p in discover(path).submissions)
        else:
            paths.append(name)
    return paths


@contextlib.contextmanager
def open_archive(archive_path: str | None, *, create: bool):
    """The open archive; its errors (foreign, corrupt, locked too long) end the command with a
    Chinese message instead of a traceback."""
    from report_kit.archive import Archive, ArchiveError
    from report_kit.archive.db import database_reason

    try:
        with Archive(archive_path, create=create) as store:
            yield store
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(
            f"无法打开年报库“{archive_path or '年报库.sqlite'}”：{os_reason(exc)}。"
        ) from None
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(
            f"年报库读写失败，操作未完成（{database_reason(exc)}）。如被占用请稍后重试，否则请从备份恢复。"
        ) from None


@click.group()
def archive() -> None:
    """年报库：保存各单位历年已校验的报告（保留历史版本），供跨年度核对和历年对比。"""


@archive.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@archive_option()
def add(files, archive_path):
    """校验并入库一个或多个报告文件（或文件夹中的全部报告）；同一单位同一年度再次入库时另存为新版本，旧版本保留。

    入库前按年报库中的上年报告做跨年度核对，核对结果随报告一并保存。
    """
    from pathlib import Path

    from report_kit.archive import ArchiveError
    from report_kit.check import check_file
    from report_kit.previous import PreviousSource

    failed = 0
    paths = _expand(files)
    if not paths:
        raise click.ClickException("没有找到要入库的报告文件（.json、.yaml、.yml、.xlsx）。")
    with open_archive(archive_path, create=True) as store:
        source = PreviousSource(store=store)
        for path in paths:
            if not Path(path).is_file():
                click.echo(f"“{path}”不存在或不是文件，未入库。", err=True)
                failed += 1
                continue
            report = check_file(path, previous=source)
            if not isinstance(report.submission, dict):
                reasons = "；".join(f.message for f in report.findings if f.severity == "error")
                click.echo(f"“{path}”无法读取为一份报告，未入库：{reasons or '无法读取'}", err=True)
                failed += 1
                continue
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
@click.option("--current-only", is_flag=True, help="只列出各单位各年度的当前版本（默认同时列出历史版本）。")
@click.option("--all-versions", is_flag=True, hidden=True, help="同时列出历史版本（默认即如此）。")
@format_option("输出格式：text（表格）或 json（不含报告全文）。")
@archive_option()
def list_(year, unit, current_only, all_versions, fmt, archive_path):
    """列出年报库中的报告。"""
    from report_kit.archive.export import list_records
    from report_kit.archive.table import render_table

    with open_archive(archive_path, create=False) as store:
        rows = store.rows(year=year, unit=unit, all_versions=not current_only)
        if fmt == "json":
            import json

            records = list_records(rows)
            click.echo(json.dumps(records, ensure_ascii=False, indent=2))
            return
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
    old = sum(1 for row in rows if not row["current"])
    click.echo(f"共{len(rows)}份报告" + (f"（其中历史版本{old}份）。" if old else "。"))


@archive.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("json", "xlsx")),
    help="导出格式；默认按 -o 的扩展名（.xlsx 为工作簿，其他为JSON）。",
)
@click.option("-o", "--output", type=click.Path(), help="导出到该文件；不指定时把JSON输出到屏幕。")
@click.option("--year", type=int, help="只导出该年度的报告。")
@click.option("--unit", help="只导出该单位（名称、曾用名或统一社会信用代码）的报告。")
@click.option("--current-only", is_flag=True, help="只导出各单位各年度的当前版本（默认同时导出历史版本）。")
@click.option("--all-versions", is_flag=True, hidden=True, help="同时导出历史版本（默认即如此）。")
@archive_option()
def export(fmt, output, year, unit, current_only, all_versions, archive_path):
    """导出年报库（JSON供其他程序使用，xlsx供人工查看），含每份报告的全文、校验结果和来源。"""
    import json
    from pathlib import Path

    from report_kit.archive import export as exporter

    if fmt is None:
        fmt = "xlsx" if output and output.lower().endswith(".xlsx") else "json"
    if fmt == "xlsx" and not output:
        raise click.UsageError("导出为xlsx时须用 -o 指定文件。")
    if output and Path(output).is_dir():
        raise click.UsageError(f"“{output}”是文件夹，请用 -o 指定要导出的文件名。")
    if output:
        _refuse_archive_as_output(output, archive_path)
    selection = {"year": year, "unit": unit, "all_versions": not current_only}
    with open_archive(archive_path, create=False) as store:
        if not output:
            records = exporter.export_records(store, **selection)
            click.echo(json.dumps(records, ensure_ascii=False, indent=2))
            return
        writer = exporter.export_xlsx if fmt == "xlsx" else exporter.export_json
        try:
            count = writer(store, output, **selection)
        except OSError as exc:
            raise click.ClickException(f"无法写入“{output}”：{os_reason(exc)}。") from None
    click.echo(f"已导出{count}份报告到 {output}", err=True)


def _refuse_archive_as_output(output, archive_path) -> None:
    """The export must never replace an archive (this one or another): there would be no way
    back from the JSON but ``archive import``, and an xlsx export cannot be imported at all."""
    from report_kit.archive.db import APPLICATION_ID, SQLITE_MAGIC, default_path
    from report_kit.atomic import same_file

    if same_file(output, archive_path or default_path()):
        raise click.BadParameter(
            f"“{output}”就是年报库文件本身，导出会把年报库替换掉；请另选一个导出文件名。",
            param_hint="-o/--output",
        )
    try:
        with open(output, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return
    if header.startswith(SQLITE_MAGIC) and int.from_bytes(header[68:72], "big") == APPLICATION_ID:
        raise click.BadParameter(
            f"“{output}”是一个年报库文件，导出会把它替换掉；请另选一个导出文件名。", param_hint="-o/--output"
        )


@archive.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@archive_option()
def import_(file, archive_path):
    """把 archive export 导出的JSON文件导回年报库（新建或已有的年报库），恢复各单位历年报告及其版本。

    已有相同内容的报告跳过不重复导入；文件有误时一份也不导入。
    """
    from report_kit.archive import ArchiveError
    from report_kit.archive.db import default_path
    from report_kit.archive.restore import import_records, read_export
    from report_kit.atomic import same_file

    if same_file(file, archive_path or default_path()):
        raise click.BadParameter(
            "要导入的文件就是年报库本身；请指定 archive export 导出的JSON文件。", param_hint="文件"
        )
    try:
        records = read_export(file)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    with open_archive(archive_path, create=True) as store:
        try:
            result = import_records(store, records)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from None
    skipped = f"，{result.skipped}份与年报库中已有的内容相同，已跳过" if result.skipped else ""
    click.echo(f"已从 {file} 导入{result.added}份报告{skipped}。")


@archive.command("alias")
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option(
    "--file",
    "table",
    type=click.Path(),
    help="更名对照表（.csv 或 .xlsx）：第一行为表头，含“旧名称”“新名称”两列，每行一个更名的单位。",
)
@archive_option()
def alias(old, new, table, archive_path):
    """登记单位更名（机构改革）：旧名称与新名称的报告按同一单位跨年度核对。

    report-kit archive alias 旧名称 新名称；或 --file 更名对照表.csv 一次登记多个；不带参数时列出已登记的更名。
    """
    if (old is None) != (new is None) or (old is not None and table):
        raise click.UsageError("请给出“旧名称 新名称”两个参数，或用 --file 指定更名对照表（二者选一）。")
    pairs = []
    if table:  # read before the archive is opened (or created): a bad table changes nothing
        from report_kit.archive.aliases import AliasTableError, read_alias_table

        try:
            pairs = read_alias_table(table)
        except AliasTableError as exc:
            raise click.BadParameter(str(exc), param_hint="--file") from None
    # registering may come before the reports (and create the archive); listing needs one
    with open_archive(archive_path, create=old is not None or bool(table)) as store:
        if table:
            from report_kit.archive import ArchiveError

            failed = 0
            for before, after in pairs:
                try:
                    click.echo(store.alias(before, after))
                except ArchiveError as exc:
                    click.echo(f"“{before}”→“{after}”未登记：{exc}", err=True)
                    failed += 1
            click.echo(f"更名对照表共{len(pairs)}行，已登记{len(pairs) - failed}行。")
            raise SystemExit(1 if failed else 0)
        if old is None:
            from report_kit.archive.table import render_table

            rows = store.aliases()
            if not rows:
                click.echo("年报库中没有登记过单位更名。")
                return
            click.echo(render_table(["名称", "对应单位（现名称）", "登记时间（UTC）"], rows), nl=False)
            return
        click.echo(store.alias(old, new))
