"""Black-box attack on issue 13's data-loss items (1–5): every command run as its own process,
the way a clerk types it, with the spellings of one path a shell allows (relative, ``..``,
symlink, hard link). An input is never written over; the review folder is never half new."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time

import openpyxl
import pytest
import yaml

from attack import COMMAND, PLAN_TEXT, UNIT, Y2023, Y2024, example, no_traceback, rk, said, sha, write_report

# ------------------------------------------------------------------ 1. no output over an input


@pytest.fixture
def filled(tmp_path):
    path = tmp_path / "填好.xlsx"
    assert rk("template", "--fill", Y2024, "-o", path).returncode == 0
    return path


def _spellings(tmp_path, target):
    """Other names of ``target``: ./x, dir/../dir/x, a symlink and a hard link to it."""
    link = tmp_path / "链接.xlsx"
    link.symlink_to(target.name)
    hard = tmp_path / "硬链接.xlsx"
    os.link(target, hard)
    return [f"./{target.name}", f"../{tmp_path.name}/{target.name}", link.name, hard.name]


def test_template_never_writes_over_a_filled_workbook_or_its_own_input(tmp_path, filled):
    before = sha(filled)
    refused = rk("template", "-o", filled.name, "--unit", "某局", cwd=tmp_path)
    assert refused.returncode == 2 and "已存在" in said(refused) and "--force" in said(refused)
    for spelling in _spellings(tmp_path, filled):
        for option in ("--previous", "--fill"):
            result = rk("template", "-o", spelling, option, filled.name, "--force", cwd=tmp_path)
            assert result.returncode == 2 and "输入文件" in said(result), (spelling, said(result))
            no_traceback(result)
        assert rk("template", "-o", spelling, "--unit", "某局", cwd=tmp_path).returncode == 2
    assert sha(filled) == before


def test_template_force_replaces_only_the_named_file(tmp_path, filled):
    other = tmp_path / "另一份.xlsx"
    other.write_bytes(b"old")
    result = rk("template", "-o", other, "--unit", "某局", "--force")
    assert result.returncode == 0 and other.read_bytes() != b"old"
    assert openpyxl.load_workbook(other).sheetnames


def test_check_and_build_never_write_over_last_years_report_or_the_plan(tmp_path):
    report = write_report(tmp_path / "本年.json", example())
    last = tmp_path / "上年"
    last.mkdir()
    previous = last / "上年.json"
    previous.write_text(Y2023.read_text(encoding="utf-8"), encoding="utf-8")
    plan = tmp_path / "台账.json"
    assert rk("plan", "read", PLAN_TEXT, "-o", plan).returncode == 0
    db = tmp_path / "库.json"  # an archive may carry any name
    assert rk("archive", "add", Y2023, "--archive", db).returncode == 0
    kept = {p: sha(p) for p in (report, previous, plan, db)}
    attempts = [
        ("check", report, "--previous", previous, "-o", previous),
        ("check", report, "--previous", last, "-o", previous),  # a file inside the folder
        ("check", report, "--previous", previous, "--annotate", tmp_path / "x.xlsx", "-o", previous),
        ("check", report, "--plan", plan, "-o", plan),
        ("check", report, "--archive", db, "-o", db),
        ("build", report, "--previous", previous, "--errors", previous),
        ("build", report, "--previous", last, "--errors", previous),
        ("build", report, "--plan", plan, "--errors", plan),
        ("build", report, "--archive", db, "--errors", db),
        ("build", report, "-o", report),
        ("build", report, "--html", report),
        ("check", report, "-o", report),
        ("import", report, "-o", report),
        ("plan", "read", PLAN_TEXT, "-o", PLAN_TEXT),
    ]
    for args in attempts:
        result = rk(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, said(result))
        no_traceback(result)
    assert {p: sha(p) for p in kept} == kept
    # a new file beside last year's reports is fine
    assert rk("check", report, "--previous", last, "-o", last / "结果.txt").returncode == 0


# ------------------------------------------------------------------ 2. export never replaces the archive


@pytest.fixture
def archive(tmp_path):
    db = tmp_path / "年报库.sqlite"
    draft = yaml.safe_load(Y2023.read_text(encoding="utf-8"))
    draft["applications"]["carried_forward"]["natural_person"] += 5
    draft_path = write_report(tmp_path / "草稿.json", json.loads(json.dumps(draft, default=str)))
    assert rk("archive", "add", Y2023, draft_path, Y2024, "--archive", db).returncode == 0
    assert rk("archive", "alias", UNIT, "轮台县市场监管局", "--archive", db).returncode == 0
    return db


def test_export_over_the_archive_is_refused_by_every_spelling(tmp_path, archive):
    before = sha(archive)
    link = tmp_path / "链接"
    link.symlink_to(archive.name)
    hard = tmp_path / "硬链接"
    os.link(archive, hard)
    for output in (archive.name, f"./{archive.name}", f"../{tmp_path.name}/{archive.name}", link, hard):
        for fmt in ("json", "xlsx"):
            result = rk(
                "archive", "export", "--archive", archive, "-o", output, "--format", fmt, cwd=tmp_path
            )
            assert result.returncode == 2 and "年报库" in said(result), said(result)
    default = rk("archive", "export", "-o", archive.name, cwd=tmp_path)  # the default archive name
    assert default.returncode == 2
    env = rk("archive", "export", "-o", archive, env={"REPORT_KIT_ARCHIVE": str(archive)})
    assert env.returncode == 2
    importing_itself = rk("archive", "import", archive, "--archive", archive)
    assert importing_itself.returncode == 2 and "FILE" not in said(importing_itself)
    assert sha(archive) == before


@pytest.mark.parametrize("current_only", [False, True])
def test_export_import_round_trip_keeps_list_and_history(tmp_path, archive, current_only):
    exported = tmp_path / "导出.json"
    extra = ["--current-only"] if current_only else []
    assert rk("archive", "export", "--archive", archive, "-o", exported, *extra).returncode == 0
    copy = tmp_path / "新库.sqlite"
    restored = rk("archive", "import", exported, "--archive", copy)
    assert restored.returncode == 0, said(restored)
    commands = [["history", UNIT, "--format", "json"]]
    if not current_only:  # a current-only export holds no older versions to restore
        commands = [["archive", "list"], ["archive", "list", "--format", "json"], ["history", UNIT]]
        commands += [["history", UNIT, "--format", "json"], ["history", "轮台县市场监管局"]]
    for command in commands:
        assert rk(*command, "--archive", copy).stdout == rk(*command, "--archive", archive).stdout, command
    again = rk("archive", "export", "--archive", copy, "-o", tmp_path / "再导出.json", *extra)
    assert again.returncode == 0
    assert json.loads((tmp_path / "再导出.json").read_text(encoding="utf-8")) == json.loads(
        exported.read_text(encoding="utf-8")
    )


def test_an_xlsx_export_is_no_import_and_says_so(tmp_path, archive):
    exported = tmp_path / "导出.xlsx"
    assert rk("archive", "export", "--archive", archive, "-o", exported).returncode == 0
    target = tmp_path / "新库.sqlite"
    result = rk("archive", "import", exported, "--archive", target)
    assert result.returncode == 1 and "JSON" in said(result) and not target.exists()
    no_traceback(result)


# ------------------------------------------------------------------ 3. an erroneous version is no reference


def test_only_an_erroneous_last_year_is_said_everywhere(tmp_path):
    db = tmp_path / "库.sqlite"
    draft = yaml.safe_load(Y2023.read_text(encoding="utf-8"))
    draft["applications"]["carried_forward"]["natural_person"] += 5
    assert (
        rk(
            "archive",
            "add",
            write_report(tmp_path / "d.json", json.loads(json.dumps(draft, default=str))),
            "--archive",
            db,
        ).returncode
        == 0
    )
    report = write_report(tmp_path / "in" / "a.json", example())
    for command in (["check", report], ["build", report, "-o", tmp_path / "x.docx"]):
        result = rk(*command, "--archive", db)
        assert "H.carry_over" in said(result) and "校验有错误" in said(result), said(result)
    review = tmp_path / "review"
    rk("batch", report.parent, "-o", review, "--archive", db, "--today", "2025-06-01")
    findings = json.loads((review / "审核结果.json").read_text(encoding="utf-8"))["findings"]
    carry = [f for f in findings if f["rule"] == "H.carry_over"]
    assert carry and all("校验有错误" in f["suggestion"] for f in carry)
    history = rk("history", UNIT, "--archive", db)
    assert "2023*" in history.stdout and "校验有错误" in history.stdout


# ------------------------------------------------------------------ 4. the batch deadline is local

DEADLINE_CASES = [
    # kind, level, published, --deadline, which deadline is missed (None: on time)
    ("department", "county", "2025-02-20", "2025-03-31", "法定期限2025-01-31"),
    ("department", "county", "2025-02-01", None, "法定期限2025-01-31"),
    ("department", "county", "2025-01-25", "2025-01-20", "本地期限2025-01-20"),
    ("department", "county", "2025-01-25", "2025-03-31", None),
    ("department", "county", "2025-01-31", "2025-01-31", None),
    ("government", "county", "2025-02-20", "2025-03-31", None),
    ("government", "county", "2025-04-02", "2025-06-30", "法定期限2025-03-31"),
    ("township", "township", "2025-02-20", "2025-01-20", "本地期限2025-01-20"),
    ("township", "township", "2025-02-20", "2025-03-31", None),
    ("subdistrict", "township", "2025-04-20", "2025-03-31", "本地期限2025-03-31"),
    ("township", "township", "2025-12-20", None, None),
]


@pytest.mark.parametrize(("kind", "level", "published", "deadline", "missed"), DEADLINE_CASES)
def test_which_deadline_is_missed_in_batch_and_check(tmp_path, kind, level, published, deadline, missed):
    data = example(kind=kind, level=level)
    data["published_on"] = published
    report = write_report(tmp_path / "in" / "a.json", data)
    extra = ["--deadline", deadline] if deadline else []
    rk("batch", report.parent, "-o", tmp_path / "review", "--today", "2026-06-01", *extra)
    findings = json.loads((tmp_path / "review" / "审核结果.json").read_text(encoding="utf-8"))["findings"]
    late = [f["message"] for f in findings if f["rule"] == "D.late"]
    checked = json.loads(rk("check", report, "--format", "json", "--today", "2026-06-01", *extra).stdout)
    checked = checked[0] if isinstance(checked, list) else checked
    assert late == [f["message"] for f in checked["findings"] if f["rule"] == "D.late"]
    if missed is None:
        assert late == []
    else:
        assert len(late) == 1 and missed in late[0], late


# ------------------------------------------------------------------ 5. kill -9 while publishing


def _review_state(review):
    """('ok', n) when JSON, workbook, unit pages and overview all hold the same run of n units."""
    summary = json.loads((review / "审核结果.json").read_text(encoding="utf-8"))["summary"]
    names = {row["unit"] for row in summary}
    sheet = openpyxl.load_workbook(review / "审核结果.xlsx")["汇总"]
    rows = {str(cell.value) for cell in next(sheet.iter_cols(min_row=2)) if cell.value} & names
    pages = list((review / "units").iterdir())
    index = (review / "index.html").read_text(encoding="utf-8")
    prefix = next(iter(names))[:2]
    assert len(rows) == len(names) == len(pages), (len(rows), len(names), len(pages))
    assert all(name in index for name in names) and all(p.name.startswith(prefix) for p in pages)
    return len(names)


@pytest.mark.slow
def test_kill_9_at_random_moments_of_a_batch_never_mixes_two_reviews(tmp_path):
    inboxes = {}
    for prefix, count in (("甲", 30), ("乙", 45)):
        inbox = tmp_path / prefix
        for i in range(count):
            data = example(name=f"{prefix}测试局{i:03d}")
            data["unit"].pop("code", None)
            write_report(inbox / f"{i}.json", data)
        inboxes[prefix] = inbox
    review = tmp_path / "review"
    assert rk("batch", inboxes["甲"], "-o", review, "--today", "2025-06-01", "--jobs", "1").returncode == 0
    (review / "说明.txt").write_text("clerk's notes", encoding="utf-8")
    started = time.monotonic()
    rk("batch", inboxes["乙"], "-o", tmp_path / "timing", "--today", "2025-06-01", "--jobs", "1")
    whole = time.monotonic() - started
    chance = random.Random(13)
    seen = set()
    for attempt in range(30):
        inbox = inboxes["乙" if attempt % 2 == 0 else "甲"]
        args = [*COMMAND, "batch", str(inbox), "-o", str(review), "--today", "2025-06-01", "--jobs", "1"]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.3, whole * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        seen.add(_review_state(review))
        assert (review / "说明.txt").read_text(encoding="utf-8") == "clerk's notes"
    assert seen and seen <= {30, 45}, seen
