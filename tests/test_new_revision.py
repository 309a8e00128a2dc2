"""A new national revision is a data drop (issue 9): copy the current layout and rule catalogue
to a new id, change labels, add one registry entry, run ``schema_build`` — and every command
works in the new revision and shows the new labels. Done in a temporary copy of the package,
through subprocesses, so the installed data is never touched."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from helpers import ROOT, load_example

NEW = "N1"
NOTICE = "国办公开办函〔2025〕1号"
NEW_LABEL = f"新版（{NOTICE}）"
OLD_T3_TITLE = "收到和处理政府信息公开申请情况"
NEW_T3_TITLE = "政府信息公开申请受理和办理情况"
NEW_FIGURE = "本年新受理"
UNIT = "轮台县市场监督管理局"
TODAY = "2026-06-01"


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The package and its data copied; layout/rules copied to the new id; registry entry added."""
    root = tmp_path_factory.mktemp("new-revision")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "report_kit", root / "report_kit", ignore=ignore)
    shutil.copytree(ROOT / "schemas", root / "schemas", ignore=ignore)
    shutil.copytree(ROOT / "templates", root / "templates", ignore=ignore)
    schemas = root / "schemas"
    current = json.loads((schemas / "formats.json").read_text(encoding="utf-8"))
    latest = max(current["formats"], key=lambda entry: entry["from_year"])
    layout = (schemas / f"layout-{latest['id']}.json").read_text(encoding="utf-8")
    layout = layout.replace(OLD_T3_TITLE, NEW_T3_TITLE).replace(
        '"label": "本年新收"', f'"label": "{NEW_FIGURE}"'
    )
    layout_data = json.loads(layout)
    layout_data["format"] = NEW
    (schemas / f"layout-{NEW}.json").write_text(json.dumps(layout_data, ensure_ascii=False), encoding="utf-8")
    rules = json.loads((schemas / f"rules-{latest['id']}.json").read_text(encoding="utf-8"))
    rules["format"] = NEW
    (schemas / f"rules-{NEW}.json").write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
    current["formats"].append(
        {**latest, "id": NEW, "from_year": 2025, "notice": NOTICE, "label": NEW_LABEL, "short": "新版"}
    )
    (schemas / "formats.json").write_text(json.dumps(current, ensure_ascii=False), encoding="utf-8")
    result = _run(root, "-m", "report_kit.schema_build")
    assert result.returncode == 0, result.stderr
    assert (schemas / f"submission-{NEW}.schema.json").is_file()
    return root


def _run(root: Path, *args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=cwd or root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _cli(root: Path, *args) -> subprocess.CompletedProcess:
    return _run(root, "-m", "report_kit.cli", *args)


def _report(year: int, revision: str) -> dict:
    report = load_example()
    report.update(format=revision, year=year, published_on=f"{year + 1}-01-20")
    return report


@pytest.fixture(scope="module")
def work(copy) -> Path:
    folder = copy / "work"
    folder.mkdir()
    (folder / "new.json").write_text(json.dumps(_report(2025, NEW), ensure_ascii=False), encoding="utf-8")
    (folder / "last.json").write_text(json.dumps(_report(2024, "2021"), ensure_ascii=False), encoding="utf-8")
    return folder


def test_the_registry_names_the_new_revision_current_for_its_years(copy):
    code = (
        "from report_kit import formats;"
        "print(formats.current().id, formats.revision_for_year(2025).id, formats.revision_for_year(2024).id)"
    )
    result = _run(copy, "-c", code)
    assert result.stdout.split() == [NEW, NEW, "2021"], result.stderr


def test_check_validates_the_new_revision_and_names_it_for_the_old_one(copy, work):
    result = _cli(copy, "check", work / "new.json", "--format", "json", "--today", TODAY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["valid"] is True
    old = work / "old.json"
    old.write_text(json.dumps(_report(2025, "2021"), ensure_ascii=False), encoding="utf-8")
    result = _cli(copy, "check", old, "--format", "json", "--today", TODAY)
    findings = json.loads(result.stdout)["findings"]
    wrong = [f for f in findings if f["rule"] == "D.format_year"]
    assert result.returncode == 1 and len(wrong) == 1, result.stdout
    assert NEW_LABEL in wrong[0]["message"] and NOTICE in wrong[0]["suggestion"]


def test_template_is_drawn_in_the_new_revision_and_reads_back(copy, work):
    out = work / "模板.xlsx"
    result = _cli(copy, "template", "-o", out, "--year", 2025, "--unit", UNIT, "--kind", "department")
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(out)
    texts = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert any(NEW_T3_TITLE in t for t in texts) and not any(OLD_T3_TITLE in t for t in texts)
    assert NEW in texts and any(NOTICE in t for t in texts)
    result = _cli(copy, "check", out, "--format", "json", "--today", TODAY)
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert "S.workbook" not in rules and "S.blank_cell" in rules, rules


def test_build_draws_the_new_labels(copy, work):
    html = work / "报告.html"
    result = _cli(copy, "build", work / "new.json", "-o", work / "报告.docx", "--html", html)
    assert result.returncode == 0, result.stdout + result.stderr
    assert NEW_T3_TITLE in html.read_text(encoding="utf-8")


def test_batch_archive_and_history_use_the_new_revision(copy, work):
    batch = work / "批次"
    batch.mkdir()
    shutil.copy(work / "new.json", batch / "new.json")
    db = work / "年报库.sqlite"
    result = _cli(copy, "batch", batch, "-o", work / "审核结果", "--today", TODAY, "--archive", db)
    assert result.returncode == 0, result.stdout + result.stderr
    book = openpyxl.load_workbook(work / "审核结果" / "审核结果.xlsx")
    texts = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert any(NEW_T3_TITLE in t for t in texts)
    result = _cli(copy, "archive", "add", work / "last.json", "--archive", db)
    assert result.returncode == 0, result.stdout + result.stderr
    result = _cli(copy, "history", UNIT, "--archive", db)
    assert result.returncode == 0, result.stderr
    assert NEW_FIGURE in result.stdout and "2024" in result.stdout and "2025" in result.stdout


def _constants(values: set) -> list[str]:
    """Where a string or number constant of report_kit (docstrings aside) is one of ``values``."""
    import ast

    found = []
    for path in sorted((ROOT / "report_kit").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or id(node) in docstrings or isinstance(node.value, bool):
                continue
            if node.value in values:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    return found


def test_no_python_file_names_a_revision():
    """Revision ids and their first years live in schemas/formats.json only (docstrings aside)."""
    registry = json.loads((ROOT / "schemas" / "formats.json").read_text(encoding="utf-8"))["formats"]
    ids = {entry["id"] for entry in registry}
    years = {entry["from_year"] for entry in registry}
    assert _constants(ids | years) == []


def test_no_python_file_names_a_statistical_table():
    """Table ids (表二/表三/表四's ``T2``…) come from the layout: code asks ``statistical_tables``,
    ``drawn_as(kind)`` or a grid, never names one."""
    registry = json.loads((ROOT / "schemas" / "formats.json").read_text(encoding="utf-8"))["formats"]
    tables = set()
    for entry in registry:
        layout = json.loads((ROOT / "schemas" / f"layout-{entry['id']}.json").read_text(encoding="utf-8"))
        tables |= set(layout["tables"])
    assert tables and _constants(tables) == []
