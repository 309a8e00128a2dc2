"""``report-kit template``: write the Excel fill-in workbook for one unit and year."""

from __future__ import annotations

import click

from report_kit.commands.options import force_option, load_roster, plan_option, refuse_overwrite


def _enum_option(name: str):
    """Accept an enumeration's key (``department``) or its Chinese label (``政府部门``)."""

    def convert(ctx, param, value):
        if value is None:
            return None
        from report_kit.layout import load_layout

        choices = load_layout().enums[name]
        text = value.strip()
        if text in choices:
            return text
        for key, label in choices.items():
            if text == label:
                return key
        allowed = "、".join(f"{label}（{key}）" for key, label in choices.items())
        raise click.BadParameter(f"“{value}”无效，应为以下之一：{allowed}")

    return convert


def _year_option(ctx, param, value):
    """The report year, with the reason in Chinese (click's IntRange explains in English)."""
    from report_kit.settings import YEAR_RANGE

    if value is None:
        return None
    low, high = YEAR_RANGE
    text = str(value).strip().translate({0xFF10 + d: 0x30 + d for d in range(10)})
    if not text.isdigit():
        raise click.BadParameter(f"“{value}”不是年份，应为四位数字的统计年度，如2024")
    year = int(text)
    if not low <= year <= high:
        raise click.BadParameter(f"{year}不是有效的报告年度，应在{low}至{high}之间")
    return year


EXCEL_CELL_LIMIT = 32767  # characters an Excel (and WPS) cell can hold


def _refuse_untemplated_format(submission: dict, path: str) -> None:
    """``--fill`` with a report in a revision that has no fill-in workbook (a superseded one)."""
    from report_kit import formats

    declared = submission.get("format")
    found = formats.revision(declared) if declared is not None else formats.current()
    if found is None or not found.template:
        offered = "、".join(r.label for r in formats.template_revisions())
        shown = found.label if found else f"“{declared}”"
        raise click.ClickException(
            f"报告“{path}”使用的是{shown}格式，填报模板只有{offered}：旧版表格的数字无法对应填入。"
        )


def _refuse_overlong_text(submission: dict, path: str) -> None:
    """A prose item longer than a cell holds would be cut off silently: say so instead."""
    from report_kit.formats import revision_of
    from report_kit.layout import load_layout
    from report_kit.pointer import resolve

    layout = load_layout(revision_of(submission))
    for item in layout.text_items:
        node = resolve(submission, item["pointer"])
        if isinstance(node, str) and len(node) > EXCEL_CELL_LIMIT:
            raise click.ClickException(
                f"报告“{path}”中“{layout.label(item['pointer'])}”有{len(node)}个字符，超过Excel单元格"
                f"最多{EXCEL_CELL_LIMIT}个字符的限制，无法完整填入模板；请精简该部分后再生成。"
            )


def _read_or_fail(path: str, what: str) -> dict:
    from report_kit.readers import read_submission

    result = read_submission(path)
    if result.submission is None:
        reasons = "；".join(f.message for f in result.findings) or "无法读取"
        raise click.ClickException(f"{what}“{path}”无法读取：{reasons}")
    return result.submission


@click.command()
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(),
    help="要生成的工作簿，如 填报模板.xlsx；与 --roster 同用时为存放各单位模板的文件夹。",
)
@click.option("--unit", help="单位名称（与公章一致）。")
@click.option("--year", callback=_year_option, metavar="年份", help="报告年度（统计年度），默认为上一年。")
@click.option(
    "--kind",
    callback=_enum_option("kind"),
    metavar="类型",
    help="单位类型：填中文名称（人民政府、政府部门、乡镇、街道、其他），也可用英文代码。",
)
@click.option(
    "--level",
    callback=_enum_option("level"),
    metavar="层级",
    help="行政层级：填中文名称（省级、市级、县级、乡级），也可用英文代码。",
)
@click.option(
    "--scope",
    callback=_enum_option("scope"),
    metavar="范围",
    help="报告范围：填中文名称（本机关、本级政府、本行政区域汇总），也可用英文代码。",
)
@click.option("--region", help="所属行政区域（可不填）。")
@click.option("--code", help="统一社会信用代码（可不填）。")
@click.option(
    "--previous",
    type=click.Path(exists=True, dir_okay=False),
    help="上年的年度报告（JSON/YAML/xlsx）：预填单位信息和上年结转数。",
)
@click.option(
    "--fill",
    type=click.Path(exists=True, dir_okay=False),
    help="把一份已有的报告（JSON/YAML/xlsx）的全部内容填入模板。",
)
@force_option()
@click.option(
    "--archive",
    "archive_path",
    type=click.Path(),
    help="年报库：按 --unit（或 --roster 中的各单位）查找上年报告，预填单位信息和上年结转数。",
)
@click.option(
    "--roster",
    type=click.Path(),
    help="报送名单（.xlsx 或 .csv，须有“单位名称”列）：为名单中每个单位各生成一份模板，存入 -o 指定的文件夹。",
)
@plan_option(
    "分工台账（plan read 生成的 .json，或工作要点原文）：把本单位的任务逐项列入“落实上级年度政务公开工作要点情况”，供填写。"
)
def template(
    output, unit, year, kind, level, scope, region, code, previous, fill, force, archive_path, roster, plan
):
    """生成Excel填报模板（基本信息、表二、表三、表四、文字部分），供单位填写后用 check 校验。"""
    from report_kit.os_errors import os_reason
    from report_kit.plan.prompt import work_plan_prompt
    from report_kit.writers.template_xlsx import write_workbook

    if fill and previous:
        raise click.UsageError("--fill 与 --previous 不能同时使用。")
    if archive_path or roster:
        _from_archive(
            output,
            archive_path=archive_path,
            roster=roster,
            unit=unit,
            year=year,
            options={"kind": kind, "level": level, "scope": scope, "region": region, "code": code},
            conflicts={"--previous": previous, "--fill": fill},
            force=force,
            plan=plan,
        )
        return
    if not output.lower().endswith(".xlsx"):
        raise click.BadParameter(
            f"填报模板须保存为 .xlsx 文件（实际为“{output}”），如 填报模板.xlsx。", param_hint="-o/--output"
        )
    refuse_overwrite(output, force=force, inputs=[("--previous", previous), ("--fill", fill)])
    submission = _read_or_fail(fill, "报告") if fill else None
    if submission is not None:
        _refuse_untemplated_format(submission, fill)
        _refuse_overlong_text(submission, fill)
    last_year = _read_or_fail(previous, "上年报告") if previous else None
    try:
        write_workbook(
            output,
            submission,
            unit=unit,
            year=year,
            kind=kind,
            level=level,
            scope=scope,
            region=region,
            code=code,
            previous=last_year,
            work_plan=work_plan_prompt(plan, unit, kind) if plan is not None else None,
        )
    except OSError as exc:
        raise click.ClickException(f"无法写入“{output}”（{os_reason(exc)}）。") from None
    click.echo(f"已生成填报模板 {output}", err=True)
    if last_year is not None:
        click.echo("已按上年报告预填单位信息和“二、上年结转”（见单元格批注）。", err=True)


def _from_archive(
    output, *, archive_path, roster, unit, year, options, conflicts, force=False, plan=None
) -> None:
    """``template --archive … --unit …`` and ``template [--archive …] --roster … -o DIR``."""
    from pathlib import Path

    from report_kit.archive.db import default_path
    from report_kit.archive.templates import baseline, unit_identity, write_unit_template
    from report_kit.commands.archive import open_archive
    from report_kit.os_errors import os_reason

    for option, value in conflicts.items():
        if value:
            raise click.UsageError(f"{option} 不能与 --archive/--roster 同时使用。")
    options = {key: value for key, value in options.items() if value is not None}
    if roster:
        if unit:
            raise click.UsageError("--roster 为名单中的每个单位生成模板，不能再用 --unit 指定单位。")
        if Path(output).suffix.lower() == ".xlsx" or Path(output).is_file():
            raise click.BadParameter(
                f"与 --roster 同用时 -o 应为文件夹（实际为“{output}”），如 -o 填报模板/。",
                param_hint="-o/--output",
            )
        _write_roster(output, archive_path, roster, year, options, force, plan)
        return
    unit, options = unit_identity(unit, options)
    if not unit and not options.get("code"):
        raise click.UsageError(
            "使用 --archive 时须用 --unit 指定单位名称（或用 --code 指定统一社会信用代码），或用 --roster 指定名单。"
        )
    if not output.lower().endswith(".xlsx"):
        raise click.BadParameter(
            f"填报模板须保存为 .xlsx 文件（实际为“{output}”），如 填报模板.xlsx。", param_hint="-o/--output"
        )
    if Path(output).is_dir():
        raise click.BadParameter(
            f"“{output}”是文件夹，请指定要生成的 .xlsx 文件名。", param_hint="-o/--output"
        )
    refuse_overwrite(output, force=force, inputs=[("--archive", archive_path or default_path())])
    with open_archive(archive_path, create=False) as store:
        found = baseline(store, unit or "", options.get("code"), year)
    if found.previous is None and found.older is None:
        raise click.ClickException(
            f"年报库中没有“{unit or options.get('code')}”的报告（已按名称、曾用名和统一社会信用代码查找）。"
            "请核对单位名称，或不用 --archive 生成空白模板。"
        )
    try:
        if plan is not None:
            from report_kit.plan.prompt import work_plan_prompt

            options = {**options, "work_plan": work_plan_prompt(plan, unit, options.get("kind"))}
        write_unit_template(output, found, unit, options)
    except OSError as exc:
        raise click.ClickException(f"无法写入“{output}”：{os_reason(exc)}。") from None
    click.echo(f"已生成填报模板 {output}", err=True)
    if found.erroneous is not None:
        click.echo(
            f"注意：年报库中该单位{found.year - 1}年度的报告只有校验有错误的版本（第{found.erroneous.version}版有"
            f"{found.erroneous.errors}个错误），已按该版预填单位信息和“二、上年结转”，请逐项核对预填的数字。",
            err=True,
        )
    elif found.previous is not None:
        click.echo(
            f"已按年报库中{found.previous.get('year')}年度报告预填单位信息和“二、上年结转”（见单元格批注）。",
            err=True,
        )
    else:
        click.echo(
            f"年报库中没有该单位{found.year - 1}年度的报告，只预填了单位信息，“二、上年结转”请自行填写。",
            err=True,
        )


def _write_roster(output, archive_path, roster, year, options, force, plan=None) -> None:

    from report_kit.archive.templates import ExistingTemplates, write_roster_templates
    from report_kit.atomic import same_file
    from report_kit.commands.archive import open_archive
    from report_kit.os_errors import os_reason

    if same_file(output, roster) or (archive_path and same_file(output, archive_path)):
        raise click.BadParameter(
            f"“{output}”是输入文件，不能作为存放模板的文件夹。", param_hint="-o/--output"
        )
    units = load_roster(roster)
    if not units:
        raise click.ClickException(f"名单“{roster}”中没有单位。")
    try:
        if archive_path:
            with open_archive(archive_path, create=False) as store:
                written = write_roster_templates(
                    store, units, output, year=year, options=options, force=force, plan=plan
                )
        else:
            written = write_roster_templates(
                None, units, output, year=year, options=options, force=force, plan=plan
            )
    except ExistingTemplates as exc:
        shown = "、".join(f"“{p.name}”" for p in exc.paths[:5]) + (
            f"等{len(exc.paths)}个文件" if len(exc.paths) > 5 else ""
        )
        raise click.BadParameter(
            f"文件夹“{output}”中已有 {shown}（可能已填写），为免覆盖一个模板也未生成；"
            "请另选文件夹，或加 --force 覆盖。",
            param_hint="-o/--output",
        ) from None
    except OSError as exc:
        raise click.ClickException(f"无法写入“{output}”：{os_reason(exc)}。") from None
    filled = sum(1 for _, _, prefilled in written if prefilled)
    if not archive_path:
        for _name, path, _prefilled in written:
            click.echo(f"{path}", err=True)
        click.echo(f"已为名单中的{len(written)}个单位生成填报模板，存入 {output}。")
        return
    for _name, path, prefilled in written:
        click.echo(f"{path}" + ("" if prefilled else "（年报库中无上年报告，未预填上年结转）"), err=True)
    click.echo(
        f"已为名单中的{len(written)}个单位生成填报模板，存入 {output}；其中{filled}个已按上年报告预填上年结转。"
    )
