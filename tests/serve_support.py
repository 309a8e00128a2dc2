"""Shared set-up of the ``report-kit serve`` tests: a roster, workbooks, an app on a folder."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
from pathlib import Path

from report_kit.batch.roster import RosterUnit
from report_kit.serve.app import ServeConfig, create_app
from report_kit.serve.server import prepare
from report_kit.writers.template_xlsx import write_workbook

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "轮台县市场监督管理局-2024.json"
UNIT = "轮台县市场监督管理局"
OTHER = "轮台县审计局"
TODAY = dt.date(2025, 1, 10)
# 结转下年度·自然人 one too many: the 表三 balance of that column and the row total fail
BAD_POINTER = "/applications/carried_forward/natural_person"


def example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def bad_example() -> dict:
    submission = copy.deepcopy(example())
    node = submission
    *parents, last = BAD_POINTER.strip("/").split("/")
    for part in parents:
        node = node[part]
    node[last] += 1
    return submission


def workbooks(folder: Path) -> tuple[Path, Path]:
    """(a filled workbook that passes, the same with one wrong 表三 cell)."""
    folder.mkdir(parents=True, exist_ok=True)
    good, bad = folder / "填报-正确.xlsx", folder / "填报-有误.xlsx"
    write_workbook(good, example())
    write_workbook(bad, bad_example())
    return good, bad


def roster(extra: int = 0) -> list[RosterUnit]:
    units = [RosterUnit(0, UNIT), RosterUnit(1, OTHER)]
    units += [RosterUnit(2 + i, f"测试县第{i + 1}局") for i in range(extra)]
    return units


def make_app(root: Path, units=None, **options):
    config = ServeConfig(root=root, year=2024, today=options.pop("today", TODAY), workers=1, **options)
    app = create_app(config)
    office = prepare(app.state.service, roster() if units is None else units)
    return app, office


def links(root: Path) -> dict[str, str]:
    """单位名称 → the path part of its link (what a test client requests)."""
    with open(root / "访问链接.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return {name: "/" + url.split("/", 3)[3] if url else "" for name, url in rows[1:]}
