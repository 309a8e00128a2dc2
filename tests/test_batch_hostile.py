"""Batch review against hostile names and paths, interrupted writes, and the sum of its parts."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from report_kit.batch import outputs as outputs_module
from report_kit.batch.aggregate import cell_pointers
from report_kit.batch.outputs import write_outputs
from report_kit.batch.roster import normalise_name, parse_rows
from report_kit.batch.run import run_batch
from report_kit.cli import main

from helpers import write_json
from strategies import get_pointer, valid_submissions

EXAMPLE = json.loads(
    (Path(__file__).parent.parent / "examples" / "轮台县市场监督管理局-2024.json").read_text(encoding="utf-8")
)
TODAY = dt.date(2025, 6, 1)


def submission(name: str) -> dict:
    document = copy.deepcopy(EXAMPLE)
    document["unit"]["name"] = name
    document["unit"].pop("code", None)
    return document


@pytest.mark.skipif(os.name != "posix", reason="file names that are not UTF-8 exist only on POSIX")
def test_names_that_no_writer_accepts_as_they_are(tmp_path: Path):
    root = tmp_path / "in"
    write_json(root / "ctrl.json", submission("控制\x07字符\x00局"))
    write_json(root / "surrogate.json", submission("代理\ud800局"), ascii_only=True)  # "\ud800" escape
    write_json(root / "long.json", submission("长" * 40000))
    write_json(root / "dash.json", submission("-1+1"))
    bad_dir = os.fsencode(root) + b"/bad\xffdir"
    os.makedirs(bad_dir)
    with open(bad_dir + b"/x\xfe.json", "w", encoding="utf-8") as handle:
        json.dump(submission("坏名局"), handle, ensure_ascii=False)
    (
        root / "notes\udcff.txt".encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")
    ).write_text("x")
    result = run_batch(root, today=TODAY, jobs=1)
    write_outputs(result, tmp_path / "out")

    files = [e["file"] for e in result.entries]
    assert "bad\\xffdir/x\\xfe.json" in files
    assert result.skipped == ["notes\\xff.txt"]
    data = json.loads((tmp_path / "out" / "审核结果.json").read_text(encoding="utf-8"))
    units = {row["file"]: row["unit"] for row in data["summary"]}
    assert units["ctrl.json"] == "控制字符局"
    assert units["surrogate.json"] == "代理\ufffd局"
    assert units["dash.json"] == "-1+1"
    wb = load_workbook(tmp_path / "out" / "审核结果.xlsx")
    cells = {row[3]: row[0] for row in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert cells["dash.json"] == "'-1+1"  # neutralised: Excel would compute -1+1
    assert len(cells["long.json"]) <= 32767  # an Excel cell holds no more
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "坏名局" in index and "\x00" not in index
    for page in (tmp_path / "out" / "units").iterdir():
        assert len(page.name.encode()) < 255
    # --build re-reads the file under its real (non-UTF-8) name
    outcome = CliRunner().invoke(
        main, ["batch", str(root), "-o", str(tmp_path / "built"), "--today", "2025-06-01", "--build"]
    )
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit), outcome.output
    assert "x\\xfe.json”生成报告失败" not in outcome.stderr
    assert "坏名局2024年政府信息公开工作年度报告.docx" in {
        p.name for p in (tmp_path / "built" / "reports").iterdir()
    }


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlinks_never_lead_out_of_the_folder(tmp_path: Path):
    outside = write_json(tmp_path / "outside" / "secret.json", submission("外部单位"))
    root = tmp_path / "in"
    write_json(root / "a.json", submission("甲局"))
    (root / "link.json").symlink_to(outside)
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "inside.json").symlink_to(root / "a.json")
    result = run_batch(root, today=TODAY, jobs=1)
    assert [e["file"] for e in result.entries] == ["a.json", "inside.json"]
    assert result.skipped == ["link.json"]


def test_every_spreadsheet_format_is_reviewed_not_skipped(tmp_path: Path):
    root = tmp_path / "in"
    root.mkdir()
    for name in ("a.xls", "b.et", "c.ods", "D.XLSX", "e.yml"):
        (root / name).write_bytes(b"not really")
    (root / "f.docx").write_bytes(b"x")  # a published report's type (ingest.md): reviewed too
    (root / "g.png").write_bytes(b"x")
    result = run_batch(root, today=TODAY, jobs=1)
    assert [e["file"] for e in result.entries] == ["D.XLSX", "a.xls", "b.et", "c.ods", "e.yml", "f.docx"]
    assert all(e["status"] == "无法读取" and e["findings"] for e in result.entries)
    assert result.skipped == ["g.png"]


def test_an_interrupted_write_leaves_the_previous_review(tmp_path: Path, monkeypatch):
    root = tmp_path / "in"
    write_json(root / "a.json", submission("甲局"))
    review = tmp_path / "review"
    write_outputs(run_batch(root, today=TODAY, jobs=1), review)
    before = {p.relative_to(review): p.read_bytes() for p in review.rglob("*") if p.is_file()}

    write_json(root / "b.json", submission("乙局"))

    def crash(result, target):
        target.write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs_module, "write_review_workbook", crash)
    with pytest.raises(OSError):
        write_outputs(run_batch(root, today=TODAY, jobs=1), review)
    after = {p.relative_to(review): p.read_bytes() for p in review.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left


def test_cli_reports_an_unwritable_review_folder_in_chinese(tmp_path: Path):
    root = tmp_path / "in"
    write_json(root / "a.json", submission("甲局"))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    outcome = CliRunner().invoke(main, ["batch", str(root), "-o", str(blocker / "review")])
    assert outcome.exit_code == 1
    assert "无法写入审核结果文件夹" in outcome.stderr and "Traceback" not in outcome.output


def test_json_has_each_file_in_the_check_contract_shape(tmp_path: Path):
    root = tmp_path / "in"
    write_json(root / "a.json", submission("甲局"))
    wrong = submission("乙局")
    wrong["applications"]["received"]["natural_person"] += 1
    write_json(root / "b.json", wrong)
    (root / "c.json").write_text("{", encoding="utf-8")
    result = run_batch(root, today=TODAY, jobs=1)
    write_outputs(result, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "审核结果.json").read_text(encoding="utf-8"))
    by_file = {report["file"]: report for report in data["files"]}
    assert set(by_file) == {"a.json", "b.json", "c.json"}
    assert by_file["a.json"]["valid"] is True and by_file["a.json"]["counts"]["error"] == 0
    b = by_file["b.json"]
    assert b["valid"] is False and b["unit"] == "乙局" and b["year"] == 2024
    balance = next(f for f in b["findings"] if f["rule"] == "T3.balance")
    assert balance["severity"] == "error" and balance["locations"][0]["pointer"].startswith("/applications/")
    assert (
        by_file["c.json"]["status"] == "无法读取" and by_file["c.json"]["findings"][0]["rule"] == "F.syntax"
    )
    assert data["counts"] == {
        "files": 3,
        "passed": 1,
        "errors": 1,
        "unreadable": 1,
        "missing": 0,
        "skipped": 0,
        "late": 0,
    }


def test_review_outcomes_are_charted(tmp_path: Path):
    root = tmp_path / "in"
    write_json(root / "a.json", submission("甲局"))
    (root / "b.json").write_text("{", encoding="utf-8")
    result = run_batch(root, roster=parse_rows([["单位名称"], ["甲局"], ["乙局"]]), today=TODAY, jobs=1)
    write_outputs(result, tmp_path / "out")
    sheet = load_workbook(tmp_path / "out" / "审核结果.xlsx")["汇总数据"]
    titles = ["".join(r.t for p in c.title.tx.rich.p for r in (p.r or [])) for c in sheet._charts]
    assert titles[0] == "本批次审核结果" and any("规则" in t for t in titles) and len(titles) == 3
    table = {}
    for row in sheet.iter_rows(values_only=True):
        for at, value in enumerate(row[:-1]):
            if value in ("通过", "有错误", "无法读取", "名单内未提交"):  # the label spans a few columns
                table[value] = next(v for v in row[at + 1 :] if v is not None)
    assert table == {"通过": 1, "有错误": 0, "无法读取": 1, "名单内未提交": 1}


@pytest.mark.parametrize(
    ("roster_name", "submitted_name"),
    [("轮台县财政局", "輪臺縣財政局"), ("乌鲁木齐市人力资源和社会保障局", "烏魯木齊市人力資源和社會保障局")],
)
def test_traditional_spellings_match_the_roster(tmp_path: Path, roster_name, submitted_name):
    assert normalise_name(roster_name) == normalise_name(submitted_name)
    write_json(tmp_path / "in" / "a.json", submission(submitted_name))
    result = run_batch(tmp_path / "in", roster=parse_rows([["单位名称"], [roster_name]]), today=TODAY, jobs=1)
    assert result.entries[0]["status"] == "通过" and result.missing == []
    assert result.roster[0]["state"] == "已提交"


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(parts=st.lists(valid_submissions(), min_size=1, max_size=4), broken=st.booleans())
def test_batch_aggregate_is_the_sum_of_the_passing_parts(tmp_path_factory, parts, broken):
    root = tmp_path_factory.mktemp("batch")
    for i, part in enumerate(parts):
        part = copy.deepcopy(part)
        part["year"], part["scope"] = 2024, "agency"
        part["published_on"] = "2025-01-15"
        part["unit"]["name"] = f"测试单位{i}"
        part["unit"].pop("code", None)
        write_json(root / f"{i}.json", part)
        parts[i] = part
    if broken:  # a file with an error is not summed
        wrong = copy.deepcopy(parts[0])
        wrong["unit"]["name"] = "有错误的单位"
        wrong["applications"]["received"]["total"] += 1
        write_json(root / "wrong.json", wrong)
    result = run_batch(root, today=TODAY, jobs=1)
    passed = [e for e in result.entries if e["status"] == "通过"]
    assert len(passed) == len(parts) == result.aggregate_count
    for pointer, value_type in cell_pointers():
        expected = sum(get_pointer(p, pointer) for p in parts)
        actual = get_pointer(result.aggregate, pointer)
        if value_type == "count":
            assert actual == expected, pointer
        else:
            assert actual == pytest.approx(expected, abs=1e-4), pointer


def test_a_stray_year_is_flagged_even_without_year_option(tmp_path: Path):
    write_json(tmp_path / "in" / "a.json", submission("甲局"))
    write_json(tmp_path / "in" / "b.json", submission("乙局"))
    old = submission("丙局") | {"year": 2023, "published_on": "2024-01-20"}
    write_json(tmp_path / "in" / "c.json", old)
    roster = parse_rows([["单位名称"], ["甲局"], ["乙局"], ["丙局"]])
    result = run_batch(tmp_path / "in", roster=roster, today=TODAY, jobs=1)
    assert result.year == 2024
    by_file = {e["file"]: e for e in result.entries}
    assert [f["rule"] for f in by_file["c.json"]["findings"]] == ["B.year_mismatch"]
    assert by_file["c.json"]["status"] == "有错误"
    # 丙局 sent a report, of the wrong year: shown as such (issue 13), not as 未提交
    assert result.missing == []
    assert {r["unit"]: r["state"] for r in result.roster}["丙局"] == "年度不符"
    assert result.aggregate_count == 2


@pytest.mark.skipif(os.name != "posix", reason="needs fork to monkeypatch inside workers")
def test_a_file_that_hangs_is_stopped_and_reported(tmp_path: Path, monkeypatch):
    import time

    from report_kit import check as check_module

    for i in range(40):
        write_json(tmp_path / "in" / f"{i:02d}.json", submission(f"单位{i}"))
    real = check_module.check_file

    def hangs(path, **kwargs):
        if str(path).endswith("13.json"):
            time.sleep(3600)
        return real(path, **kwargs)

    monkeypatch.setattr(check_module, "check_file", hangs)
    started = time.monotonic()
    result = run_batch(tmp_path / "in", today=TODAY, jobs=2, pool_threshold=0, timeout=1.5)
    assert time.monotonic() - started < 60
    assert [e["file"] for e in result.entries] == [f"{i:02d}.json" for i in range(40)]
    stuck = [e for e in result.entries if e["status"] != "通过"]
    assert [e["file"] for e in stuck] == ["13.json"]
    assert stuck[0]["findings"][0]["rule"] == "F.internal" and "1.5秒" in stuck[0]["findings"][0]["message"]


@pytest.mark.skipif(os.name != "posix", reason="needs fork to monkeypatch inside workers")
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_dying_file_in_a_small_batch_does_not_kill_the_batch(tmp_path: Path, monkeypatch, jobs):
    from report_kit import check as check_module

    for name in ("a", "b", "c"):
        write_json(tmp_path / "in" / f"{name}.json", submission(f"单位{name}"))
    real = check_module.check_file

    def deadly(path, **kwargs):
        if str(path).endswith("b.json"):
            os._exit(9)
        if str(path).endswith("c.json"):
            raise SystemExit(3)
        return real(path, **kwargs)

    monkeypatch.setattr(check_module, "check_file", deadly)
    result = run_batch(tmp_path / "in", today=TODAY, jobs=jobs)  # default threshold, --jobs as given
    statuses = [(e["file"], e["status"]) for e in result.entries]
    assert statuses == [("a.json", "通过"), ("b.json", "无法读取"), ("c.json", "无法读取")]
    assert "退出码 9" in result.entries[1]["findings"][0]["message"]
    assert "SystemExit" in result.entries[2]["findings"][0]["message"]


def test_an_unreadable_file_counts_for_the_unit_its_name_names(tmp_path: Path):
    root = tmp_path / "in"
    write_json(root / "a.json", submission("轮台县财政局"))
    (root / "轮台县审计局-2024年报.json").write_text("{", encoding="utf-8")
    (root / "轮台县财政局（旧）.json").write_text("{", encoding="utf-8")  # the unit also sent a good one
    (root / "乱码.json").write_text("{", encoding="utf-8")
    roster = parse_rows([["单位名称"], ["轮台县财政局"], ["轮台县审计局"], ["轮台县统计局"]])
    result = run_batch(root, roster=roster, today=TODAY, jobs=1)
    states = {row["unit"]: (row["state"], row["files"]) for row in result.roster}
    assert states["轮台县审计局"] == ("已提交", ["轮台县审计局-2024年报.json"])
    assert states["轮台县财政局"] == ("已提交", ["a.json"])
    assert states["轮台县统计局"] == ("未提交", [])
    assert [f["unit"] for f in result.missing] == ["轮台县统计局"]
    by_file = {e["file"]: e["status"] for e in result.entries}
    assert by_file["轮台县审计局-2024年报.json"] == "无法读取" and by_file["a.json"] == "通过"
    write_outputs(result, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "审核结果.json").read_text(encoding="utf-8"))
    units = {row["file"]: row["unit"] for row in data["summary"]}
    assert units["轮台县审计局-2024年报.json"] == "轮台县审计局" and units["乱码.json"] == ""


def test_hostile_rosters_are_refused_with_a_reason(tmp_path: Path):
    from openpyxl import Workbook

    from report_kit.batch.roster import RosterError, read_roster

    from hostile import inject_doctype, write_zero_bomb

    write_zero_bomb(tmp_path / "bomb.xlsx", 300 * 1024 * 1024)
    Workbook().save(tmp_path / "plain.xlsx")
    inject_doctype(tmp_path / "plain.xlsx", tmp_path / "entities.xlsx")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    for name in ("bomb.xlsx", "entities.xlsx", "broken.xlsx"):
        with pytest.raises(RosterError, match=name):
            read_roster(tmp_path / name)
    write_json(tmp_path / "in" / "a.json", submission("甲局"))
    outcome = CliRunner().invoke(
        main,
        ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "r"), "--roster", str(tmp_path / "bomb.xlsx")],
    )
    assert outcome.exit_code == 2 and "压缩炸弹" in outcome.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.skipif(os.name != "posix", reason="needs fork to monkeypatch inside workers")
def test_a_hang_inside_a_big_chunk_is_found_quickly(tmp_path: Path, monkeypatch):
    import time

    from report_kit import check as check_module
    from report_kit.batch import execute

    monkeypatch.setattr(execute, "TARGET_CHUNKS_PER_WORKER", 1)  # chunks of 20 files
    for i in range(40):
        write_json(tmp_path / "in" / f"{i:02d}.json", submission(f"单位{i}"))
    real = check_module.check_file

    def hangs(path, **kwargs):
        if str(path).endswith("31.json"):
            time.sleep(3600)
        return real(path, **kwargs)

    monkeypatch.setattr(check_module, "check_file", hangs)
    started = time.monotonic()
    result = run_batch(tmp_path / "in", today=TODAY, jobs=2, timeout=1.5)
    assert time.monotonic() - started < 30  # not 20 files × the timeout
    assert [e["file"] for e in result.entries if e["status"] != "通过"] == ["31.json"]
    assert len(result.entries) == 40
