"""Batch review end to end: a folder of mixed submissions gives exactly the expected review."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from report_kit import check as check_module
from report_kit.batch.outputs import write_outputs
from report_kit.batch.roster import parse_rows
from report_kit.batch.run import run_batch
from report_kit.cli import main

from helpers import write_json
from hostile import inject_doctype, write_zero_bomb

EXAMPLE = json.loads(
    (Path(__file__).parent.parent / "examples" / "轮台县市场监督管理局-2024.json").read_text(encoding="utf-8")
)
TODAY = dt.date(2025, 6, 1)


def submission(name: str, **changes) -> dict:
    document = copy.deepcopy(EXAMPLE)
    document["unit"]["name"] = name
    document["unit"].pop("code", None)
    document.update(changes)
    return document


def roster_of(*names: str):
    return parse_rows([["单位名称", "统一社会信用代码"], *[[n, ""] for n in names]])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "收件"
    write_json(root / "01-财政局.json", submission("轮台县财政局"))
    write_json(root / "sub" / "02-教育局.json", submission("轮台县教育局"))
    wrong = submission("轮台县农业农村局")
    wrong["applications"]["received"]["natural_person"] += 1
    write_json(root / "03-农业局.json", wrong)
    (root / "04-坏文件.json").write_text('{"year": 2024,', encoding="utf-8")
    write_json(root / "05-卫健委.json", submission("轮台县卫生健康委员会"))
    write_json(root / "06-卫健委-再交.json", submission("輪台縣衛生健康委員會"))  # traditional, same unit
    write_json(root / "07-不在名单.json", submission("轮台县某某中心"))
    write_zero_bomb(root / "08-炸弹.xlsx", 300 * 1024 * 1024)
    from openpyxl import Workbook

    plain = root / "plain.xlsx"
    Workbook().save(plain)
    inject_doctype(plain, root / "09-XML炸弹.xlsx")
    plain.unlink()
    (root / "说明.png").write_bytes(b"\x89PNG")  # not a submission
    (root / ".hidden.json").write_text("{}", encoding="utf-8")
    (root / "~$01-财政局.xlsx").write_bytes(b"lock")
    return root


ROSTER = ("轮台县财政局", "轮台县教育局", "轮台县农业农村局", "轮台县卫生健康委员会", "轮台县审计局")


def test_mixed_folder_gives_exactly_the_expected_review(folder: Path):
    result = run_batch(folder, roster=roster_of(*ROSTER), today=TODAY, jobs=1)
    statuses = {e["file"]: e["status"] for e in result.entries}
    assert statuses == {
        "01-财政局.json": "通过",
        "03-农业局.json": "有错误",
        "04-坏文件.json": "无法读取",
        "05-卫健委.json": "有错误",
        "06-卫健委-再交.json": "有错误",
        "07-不在名单.json": "有错误",
        "08-炸弹.xlsx": "无法读取",
        "09-XML炸弹.xlsx": "无法读取",
        "sub/02-教育局.json": "通过",
    }
    assert [e["file"] for e in result.entries] == sorted(statuses)
    assert result.skipped == ["说明.png"]
    rules = {e["file"]: sorted({f["rule"] for f in e["findings"]}) for e in result.entries}
    assert rules["05-卫健委.json"] == rules["06-卫健委-再交.json"] == ["B.duplicate"]
    assert rules["07-不在名单.json"] == ["B.not_on_roster"]
    assert "T3.balance" in rules["03-农业局.json"]
    assert result.counts == {
        "files": 9,
        "passed": 2,
        "errors": 4,
        "unreadable": 3,
        "missing": 1,
        "skipped": 1,
        "late": 0,
    }
    states = {row["unit"]: row["state"] for row in result.roster}
    assert states == {
        "轮台县财政局": "已提交",
        "轮台县教育局": "已提交",
        "轮台县农业农村局": "已提交",
        "轮台县卫生健康委员会": "重复提交",
        "轮台县审计局": "未提交",
        "轮台县某某中心": "不在名单",
    }
    assert [f["rule"] for f in result.missing] == ["B.missing"]
    assert "轮台县审计局" in result.missing[0]["message"]
    # the two passing units, and only they, are summed
    assert result.aggregate_count == 2
    received = EXAMPLE["applications"]["received"]["total"]
    assert result.aggregate["applications"]["received"]["total"] == 2 * received
    assert result.failed


def test_outputs_are_deterministic_and_inputs_untouched(folder: Path, tmp_path: Path):
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}
    outputs = []
    for run in ("a", "b"):
        result = run_batch(folder, roster=roster_of(*ROSTER), today=TODAY, jobs=1)
        target = tmp_path / f"review-{run}"
        write_outputs(result, target)
        outputs.append(target)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}
    assert before == after
    for name in ("审核结果.json", "审核结果.xlsx", "index.html"):
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name
    pages = sorted(p.name for p in (outputs[0] / "units").iterdir())
    assert pages == sorted(p.name for p in (outputs[1] / "units").iterdir())
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".review-")]  # staging removed


def test_workbook_sheets_and_findings(folder: Path, tmp_path: Path):
    result = run_batch(folder, roster=roster_of(*ROSTER), today=TODAY, jobs=1)
    write_outputs(result, tmp_path / "review")
    wb = load_workbook(tmp_path / "review" / "审核结果.xlsx")
    assert wb.sheetnames == ["汇总", "问题清单", "名单核对", "汇总数据"]
    summary = wb["汇总"]
    assert summary["A1"].value == "单位名称" and summary.freeze_panes == "A2"
    assert summary.max_row == 1 + len(result.entries)
    problems = wb["问题清单"]
    assert problems.auto_filter.ref and problems.freeze_panes == "A2"
    assert problems.max_row == 1 + sum(len(e["findings"]) for e in result.entries) + len(result.missing)
    aggregate = wb["汇总数据"]
    assert aggregate.merged_cells.ranges and len(aggregate._charts) == 3
    data = json.loads((tmp_path / "review" / "审核结果.json").read_text(encoding="utf-8"))
    assert data["counts"]["missing"] == 1 and len(data["summary"]) == 9
    assert data["aggregate"]["tables"] == result.aggregate
    assert data["aggregate"]["applications"] == result.aggregate["applications"]


def test_formula_like_unit_names_are_neutralised(tmp_path: Path):
    hostile = '=HYPERLINK("http://evil.example","点我")'
    write_json(tmp_path / "in" / "a.json", submission(hostile))
    result = run_batch(tmp_path / "in", today=TODAY, jobs=1)
    write_outputs(result, tmp_path / "out")
    wb = load_workbook(tmp_path / "out" / "审核结果.xlsx")
    assert wb["汇总"]["A2"].value == "'" + hostile
    assert wb["汇总"]["A2"].data_type == "s"
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "&quot;http://evil.example&quot;" in html and 'HYPERLINK("' not in html


def test_unit_pages_are_sanitised(tmp_path: Path):
    names = ["../../etc/passwd", "CON", ".隐藏单位", 'a/b\\c:d*e?f"g<h>i|j', "同名单位", "同名单位"]
    for i, name in enumerate(names):
        write_json(tmp_path / "in" / f"{i}.json", submission(name))
    result = run_batch(tmp_path / "in", today=TODAY, jobs=1)
    write_outputs(result, tmp_path / "out")
    pages = sorted(p.name for p in (tmp_path / "out" / "units").iterdir())
    assert len(pages) == len(names)
    for page in pages:
        assert not page.startswith(".") and not any(ch in page for ch in '\\/:*?"<>|')
        assert page.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
    assert "同名单位.html" in pages and "同名单位-2.html" in pages
    assert not (tmp_path / "etc").exists()


def test_a_crash_in_one_file_becomes_a_finding(tmp_path: Path, monkeypatch):
    for name in ("a", "b", "c"):
        write_json(tmp_path / "in" / f"{name}.json", submission(f"单位{name}"))
    real = check_module.check_file

    def flaky(path, **kwargs):
        if str(path).endswith("b.json"):
            raise RuntimeError("boom")
        return real(path, **kwargs)

    monkeypatch.setattr(check_module, "check_file", flaky)
    result = run_batch(tmp_path / "in", today=TODAY, jobs=1)
    statuses = [(e["file"], e["status"]) for e in result.entries]
    assert statuses == [("a.json", "通过"), ("b.json", "无法读取"), ("c.json", "通过")]
    assert result.entries[1]["findings"][0]["rule"] == "F.internal"
    assert "boom" in result.entries[1]["findings"][0]["message"]


@pytest.mark.skipif(os.name != "posix", reason="needs fork to monkeypatch inside workers")
def test_a_dying_worker_loses_no_file(tmp_path: Path, monkeypatch):
    for i in range(30):
        write_json(tmp_path / "in" / f"{i:02d}.json", submission(f"单位{i}"))
    real = check_module.check_file

    def deadly(path, **kwargs):
        if str(path).endswith("07.json"):
            os._exit(3)
        return real(path, **kwargs)

    monkeypatch.setattr(check_module, "check_file", deadly)
    result = run_batch(tmp_path / "in", today=TODAY, jobs=2, pool_threshold=0)
    assert len(result.entries) == 30
    broken = [e for e in result.entries if e["status"] != "通过"]
    assert [e["file"] for e in broken] == ["07.json"]
    assert broken[0]["findings"][0]["rule"] == "F.internal"
    assert "退出码 3" in broken[0]["findings"][0]["message"]


def test_pool_and_in_process_give_the_same_result(folder: Path):
    one = run_batch(folder, today=TODAY, jobs=1, pool_threshold=10**9)  # in-process
    two = run_batch(folder, today=TODAY, jobs=2, pool_threshold=0)
    assert one.entries == two.entries and one.aggregate == two.aggregate


def test_year_filter_and_region_mismatch(tmp_path: Path):
    write_json(tmp_path / "in" / "a.json", submission("甲局"))
    write_json(tmp_path / "in" / "b.json", submission("乙局"))
    write_json(tmp_path / "in" / "old.json", submission("丙局", year=2023, published_on="2024-01-20"))
    region = submission("轮台县人民政府", scope="region")
    region["unit"]["kind"] = "government"
    write_json(tmp_path / "in" / "region.json", region)  # its tables equal one unit, not two
    result = run_batch(tmp_path / "in", today=TODAY, jobs=1, year=2024)
    by_file = {e["file"]: e for e in result.entries}
    assert [f["rule"] for f in by_file["old.json"]["findings"]] == ["B.year_mismatch"]
    mismatches = [f for f in by_file["region.json"]["findings"] if f["rule"] == "B.region_mismatch"]
    assert mismatches and all(f["severity"] == "warning" for f in mismatches)
    total = next(f for f in mismatches if f["locations"][0]["pointer"] == "/applications/received/total")
    assert total["expected"] == 2 * total["actual"]
    assert by_file["region.json"]["status"] == "通过"
    assert result.aggregate_count == 2  # the region report itself is not added to the sum


def test_cli_exit_status_and_streams(folder: Path, tmp_path: Path):
    roster = tmp_path / "名单.csv"
    roster.write_text(
        "单位名称,单位类型\n" + "\n".join(f"{n},政府部门" for n in ROSTER) + "\n", encoding="utf-8-sig"
    )
    runner = CliRunner()
    out = tmp_path / "审核结果"
    args = [
        "batch",
        str(folder),
        "-o",
        str(out),
        "--roster",
        str(roster),
        "--today",
        "2025-06-01",
        "--jobs",
        "1",
    ]
    outcome = runner.invoke(main, args)
    assert outcome.exit_code == 1, outcome.output
    assert "通过 2 个" in outcome.stdout and "未提交 1 个" in outcome.stdout
    assert "审核进度" in outcome.stderr and "审核进度" not in outcome.stdout
    assert (out / "审核结果.xlsx").exists() and (out / "index.html").exists()
    good = tmp_path / "good"
    write_json(good / "a.json", submission("甲局"))
    assert (
        runner.invoke(
            main, ["batch", str(good), "-o", str(tmp_path / "r2"), "--today", "2025-06-01"]
        ).exit_code
        == 0
    )
    built = runner.invoke(
        main, ["batch", str(good), "-o", str(tmp_path / "r3"), "--today", "2025-06-01", "--build"]
    )
    assert built.exit_code == 0
    from report_kit.batch.build import _writers

    if _writers() is None:
        assert "暂不可用" in built.stderr
    else:
        assert "已为 1 份" in built.stderr
        reports = sorted(p.suffix for p in (tmp_path / "r3" / "reports").iterdir())
        assert reports == [".docx", ".html"]


def test_output_folder_must_differ_from_input(tmp_path: Path):
    write_json(tmp_path / "a.json", submission("甲局"))
    outcome = CliRunner().invoke(main, ["batch", str(tmp_path), "-o", str(tmp_path)])
    assert outcome.exit_code == 2 and "不能与报告文件夹相同" in outcome.stderr


def test_roster_codes_and_ambiguous_names(tmp_path: Path):
    coded = submission("改名后的财政局")
    coded["unit"]["code"] = EXAMPLE["unit"]["code"]
    write_json(tmp_path / "in" / "a.json", coded)
    write_json(tmp_path / "in" / "b.json", submission("轮台县教育局"))
    roster = parse_rows(
        [
            ["单位名称", "统一社会信用代码"],
            ["轮台县财政局", EXAMPLE["unit"]["code"]],
            ["轮台县教育局", ""],
            ["轮台县 教育局", ""],
        ]
    )
    result = run_batch(tmp_path / "in", roster=roster, today=TODAY, jobs=1)
    by_file = {e["file"]: e for e in result.entries}
    assert by_file["a.json"]["status"] == "通过" and by_file["a.json"]["roster_name"] == "轮台县财政局"
    assert [f["rule"] for f in by_file["b.json"]["findings"]] == ["B.ambiguous_match"]
    assert result.missing == []  # one of the two did submit; the ambiguity is the finding
    states = [(row["unit"], row["state"]) for row in result.roster]
    assert states == [
        ("轮台县财政局", "已提交"),
        ("轮台县教育局", "无法唯一对应"),
        ("轮台县 教育局", "无法唯一对应"),
        ("轮台县教育局", "无法唯一对应"),
    ]


def test_output_folder_inside_input_is_not_reviewed(tmp_path: Path):
    write_json(tmp_path / "a.json", submission("甲局"))
    first = run_batch(tmp_path, today=TODAY, jobs=1, exclude=tmp_path / "review")
    write_outputs(first, tmp_path / "review")
    again = run_batch(tmp_path, today=TODAY, jobs=1, exclude=tmp_path / "review")
    assert [e["file"] for e in again.entries] == ["a.json"]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    """Headless Chromium on ``url``; console messages of the page are logged to stderr as
    ``…:CONSOLE(…)] "message", source: …``."""
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium 未安装（apt-get install -y chromium），跳过 index.html 的浏览器测试"
)
def test_index_opens_in_a_headless_browser(folder: Path, tmp_path: Path):
    result = run_batch(folder, roster=roster_of(*ROSTER), today=TODAY, jobs=1)
    write_outputs(result, tmp_path / "review")
    index = (tmp_path / "review" / "index.html").resolve()
    shown = _chromium(index.as_uri(), tmp_path / "profile", "--dump-dom")
    dom = shown.stdout
    assert '<span class="n">2</span>通过' in dom
    assert '<span class="n">4</span>有错误' in dom
    assert '<span class="n">3</span>无法读取' in dom
    assert '<span class="n">1</span>未提交' in dom
    assert "units/" in dom and "轮台县财政局" in dom
    assert _console_messages(shown.stderr) == []
    # every link of the overview leads to a page that exists, opened from disk without a server
    links = re.findall(r'href="([^"#]+)"', dom)
    assert len([link for link in links if link.startswith("units/")]) == len(result.entries)
    for link in links:
        assert (index.parent / unquote(link)).is_file(), link
    page = index.parent / unquote(next(link for link in links if link.startswith("units/")))
    unit = _chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert "返回总览" in unit.stdout and _console_messages(unit.stderr) == []
    png = tmp_path / "index.png"
    _chromium(index.as_uri(), tmp_path / "profile", f"--screenshot={png}", "--window-size=1280,1600")
    assert png.is_file() and png.stat().st_size > 10_000  # a rendered page, not a blank one


@pytest.mark.skipif(CHROMIUM is None, reason="chromium 未安装，无法确认控制台错误能被发现")
def test_the_browser_check_would_see_console_errors(tmp_path: Path):
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><p>x</p><script>console.error("坏");nosuch()</script>', encoding="utf-8")
    shown = _chromium(page.as_uri(), tmp_path / "profile", "--dump-dom")
    assert len(_console_messages(shown.stderr)) == 2
