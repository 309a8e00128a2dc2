"""``report-kit serve``: the local web service for units and the 政务公开办 (docs/serve.md)."""

from __future__ import annotations

from pathlib import Path

import click

from report_kit.commands.console import say
from report_kit.commands.options import deadline_option, load_roster, today_option


@click.command()
@click.argument("root", type=click.Path(file_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址；默认只允许本机访问。")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="监听端口。")
@click.option(
    "--roster",
    metavar="文件",
    help="报送名单（.xlsx 或 .csv），须有“单位名称”列；为名单内每个单位生成专属链接。",
)
@click.option("--year", type=click.IntRange(2008, 2100), help="本次报送的报告年度。")
@deadline_option()
@click.option(
    "--plan", type=click.Path(dir_okay=False), help="工作要点任务台账（report-kit plan read 生成）。"
)
@click.option(
    "--db", "db_url", help="数据库地址：默认为工作文件夹中的SQLite；postgresql://… 使用PostgreSQL。"
)
@click.option(
    "--base-url", help="写入“访问链接.csv”的链接前缀（如 http://10.1.2.3:8765/），默认按 --host 和 --port。"
)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="校验上传文件的进程数。"
)
@today_option("以该日期为“今天”（YYYY-MM-DD），用于判断逾期。")
def serve(root, host, port, roster, year, deadline, plan, db_url, base_url, workers, today):
    """启动报送网站：各单位凭专属链接上传、查看校验结果，政务公开办查看全辖区情况。"""
    from report_kit.serve.app import ServeConfig, create_app
    from report_kit.serve.server import prepare
    from report_kit.serve.server import serve as run_server
    from report_kit.serve.store import StoreError

    units = load_roster(roster)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown_host and not shown_host.startswith("["):
        shown_host = f"[{shown_host}]"
    config = ServeConfig(
        root=Path(root),
        base_url=base_url or f"http://{shown_host}:{port}/",
        year=year,
        deadline=deadline,
        today=today,
        db_url=db_url,
        workers=workers,
        plan=plan,
    )
    from report_kit.plan import PlanError

    try:
        app = create_app(config)
        office = prepare(app.state.service, units)
    except PlanError as exc:
        raise click.BadParameter(str(exc), param_hint="--plan") from None
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    from report_kit.serve.links import LINKS_NAME, listed_links

    listed = len(listed_links(app.state.service.store)) - 1
    say(f"各单位的专属链接（{listed} 个）已写入 {Path(root) / LINKS_NAME}，请分别发给各单位。")
    say(f"政务公开办链接（请勿外传）：{office}")
    say(f"正在 {host}:{port} 提供服务，按 Ctrl+C 停止。")
    app.state.service.pool.start()
    try:
        run_server(app, host, port)
    finally:
        app.state.service.close()
