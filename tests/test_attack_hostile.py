"""Black-box attack on issue 13's crash, leak and message items (6, 7, 8, 10, 13): hostile text in
every field and format, damaged archives under every command, escape sequences on the terminal
and in file names, file modes under a strict umask, and the help of every command."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import stat

import openpyxl
import pytest

from attack import PLAN_TEXT, UNIT, Y2023, example, no_traceback, rk, said, sha, write_report

HOSTILE = {
    "fffe": "\ufffe",
    "ffff": "\uffff",
    "nul": "\x00",
    "vt": "\x0b",
    "osc52": "\x1b]52;c;aGVsbG8=\x07",
    "c1": "\x85\x9b31m",
    "rlo": "\u202e",
    "surrogate": "\udc80",
}
# what must never reach a terminal or a file name: C0/C1 controls (bar tab/newline), bidi controls
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _hostile_report(tag: str, char: str) -> dict:
    data = example(name=f"轮台{char}县局{tag}", region=f"新疆{char}轮台县")
    data["unit"].pop("code")
    for key, value in data["text"].items():
        if isinstance(value, dict):
            data["text"][key] = {k: v[:5] + char + v[5:] for k, v in value.items()}
        else:
            data["text"][key] = value[:5] + char + value[5:]
    return data


@pytest.fixture(scope="module")
def hostile_inbox(tmp_path_factory):
    inbox = tmp_path_factory.mktemp("hostile") / "in"
    inbox.mkdir()
    for tag, char in HOSTILE.items():
        # ensure_ascii: a lone surrogate can only travel as a JSON escape
        (inbox / f"{tag}.json").write_text(json.dumps(_hostile_report(tag, char)), encoding="utf-8")
    return inbox


# ------------------------------------------------------------------ 6. hostile text never crashes a writer


def test_batch_build_and_archive_export_survive_hostile_text(tmp_path, hostile_inbox):
    review, db = tmp_path / "review", tmp_path / "库.sqlite"
    result = rk("batch", hostile_inbox, "-o", review, "--build", "--archive", db, "--today", "2025-06-01")
    no_traceback(result)
    data = json.loads((review / "审核结果.json").read_text(encoding="utf-8"))
    assert len(data["summary"]) == len(HOSTILE)
    assert openpyxl.load_workbook(review / "审核结果.xlsx")["汇总"].max_row == len(HOSTILE) + 1
    assert len(list((review / "reports").glob("*.docx"))) == len(HOSTILE)
    for output in ("导出.xlsx", "导出.json"):
        exported = rk("archive", "export", "--archive", db, "-o", tmp_path / output)
        assert exported.returncode == 0, said(exported)
    assert openpyxl.load_workbook(tmp_path / "导出.xlsx").sheetnames


@pytest.mark.parametrize("tag", sorted(HOSTILE))
def test_template_fill_and_build_survive_hostile_text(tmp_path, hostile_inbox, tag):
    source = hostile_inbox / f"{tag}.json"
    filled = tmp_path / "模板.xlsx"
    result = rk("template", "--fill", source, "-o", filled)
    assert result.returncode == 0, said(result)
    assert openpyxl.load_workbook(filled).sheetnames
    checked = rk("check", filled)
    no_traceback(checked)
    built = rk(
        "build",
        source,
        "-o",
        tmp_path / "r.docx",
        "--html",
        tmp_path / "r.html",
        "--errors",
        tmp_path / "e.xlsx",
        "--force",
    )
    assert built.returncode == 0 and (tmp_path / "r.docx").exists(), said(built)
    unit = rk("template", "--unit", f"甲{HOSTILE[tag]}局".replace("\x00", ""), "-o", tmp_path / "u.xlsx")
    assert unit.returncode == 0, said(unit)


def test_a_roster_with_nul_huge_fields_or_utf16_is_read(tmp_path, hostile_inbox):
    rosters = {
        "nul.csv": "单位名称\n甲局\n乙\x00局\n".encode(),
        "huge.csv": ("单位名称,备注\n甲局," + "x" * 200_000 + "\n乙局,\n").encode(),
        "huge_name.csv": ('单位名称\n"甲' + "局" * 140_000 + '"\n乙\ufffe局\n').encode(),
        "utf16.csv": "单位名称\t备注\r\n甲局\t\r\n乙局\t\r\n".encode("utf-16"),  # Excel 「Unicode 文本」
    }
    for name, content in rosters.items():
        roster = tmp_path / name
        roster.write_bytes(content)
        review = tmp_path / f"review-{name}"
        result = rk("batch", hostile_inbox, "-o", review, "--roster", roster, "--today", "2025-06-01")
        no_traceback(result)
        assert (review / "审核结果.xlsx").exists(), (name, said(result))
        templates = rk("template", "--roster", roster, "-o", tmp_path / f"模板-{name}", "--year", "2024")
        assert templates.returncode == 0, (name, said(templates))
        assert len(list((tmp_path / f"模板-{name}").iterdir())) == 2, name


# ------------------------------------------------------------------ 7. damaged archives: refused, unchanged


def _damaged(tmp_path):
    good = tmp_path / "好.sqlite"
    assert rk("archive", "add", Y2023, "--archive", good).returncode == 0
    application_id = sqlite3.connect(good).execute("PRAGMA application_id").fetchone()[0]
    made = {}
    for table in ("reports", "units", "aliases"):
        path = tmp_path / f"drop_{table}.sqlite"
        shutil.copy(good, path)
        with sqlite3.connect(path) as connection:
            connection.execute(f'DROP TABLE "{table}"')
        made[path.name] = path
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as connection:
        connection.execute(f"PRAGMA application_id = {application_id}")
        connection.execute("CREATE TABLE x(a)")
    made[foreign.name] = foreign
    data = good.read_bytes()
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(data[:4096] + b"\xa5" * 4096 + data[8192:])  # page 2: the first table's root
    made[corrupt.name] = corrupt
    truncated = tmp_path / "truncated.sqlite"
    truncated.write_bytes(data[: len(data) // 2])
    made[truncated.name] = truncated
    future = tmp_path / "future.sqlite"
    shutil.copy(good, future)
    with sqlite3.connect(future) as connection:
        connection.execute("PRAGMA user_version = 999")
    made[future.name] = future
    return made


def test_every_command_refuses_a_damaged_archive_in_chinese_without_writing(tmp_path):
    report = write_report(tmp_path / "in" / "a.json", example())
    exported = tmp_path / "导出.json"
    good = tmp_path / "g.sqlite"
    assert rk("archive", "add", Y2023, "--archive", good).returncode == 0
    assert rk("archive", "export", "--archive", good, "-o", exported).returncode == 0
    commands = [
        ["check", report],
        ["build", report, "-o", tmp_path / "r.docx"],
        ["batch", report.parent, "-o", tmp_path / "review"],
        ["archive", "list"],
        ["archive", "add", report],
        ["archive", "export", "-o", tmp_path / "e.json"],
        ["archive", "import", exported],
        ["archive", "alias", "甲", "乙"],
        ["history", UNIT],
        ["template", "--unit", UNIT, "-o", tmp_path / "t.xlsx", "--force"],
        ["plan", "read", PLAN_TEXT, "-o", tmp_path / "p.json"],
    ]
    for name, path in _damaged(tmp_path).items():
        before = sha(path)
        for command in commands:
            result = rk(*command, "--archive", path)
            assert result.returncode in (1, 2), (name, command, said(result))
            assert "年报库" in said(result), (name, command, said(result))
            no_traceback(result)
            assert "sqlite3." not in said(result)
            assert sha(path) == before, (name, command)


# ------------------------------------------------------------------ 8. no escape reaches a terminal or a file name


def test_escape_sequences_never_reach_stdout_stderr_or_default_file_names(tmp_path):
    evil = "甲\x1b]52;c;aGVsbG8=\x07\x1b[2J\x9b31m\x85\u202e\u2066局"
    data = example(name=evil, region=evil)
    data["unit"].pop("code")
    data["text"]["problems"] += evil
    data["applications"]["carried_over"]["natural_person"] += 1  # an error: the name is printed
    report = write_report(tmp_path / "in" / "r.json", data)
    roster = tmp_path / "名单.csv"
    roster.write_text(f"单位名称\n{evil}\n乙\x1b]0;title\x07局\n", encoding="utf-8")
    db = tmp_path / "库.sqlite"
    commands = [
        ["check", report],
        ["check", report, "--format", "csv"],
        ["build", report, "--force"],
        ["batch", report.parent, "-o", "review", "--roster", roster, "--build", "--archive", db],
        ["archive", "add", report, "--archive", db],
        ["archive", "list", "--archive", db],
        ["history", evil, "--archive", db],
        ["archive", "alias", evil, "乙\x1b[31m局", "--archive", db],
        ["archive", "alias", "--archive", db],
        ["template", "--unit", evil, "-o", "t.xlsx"],
        ["template", "--roster", roster, "-o", "模板"],
        ["template", "--fill", report, "-o", "t2.xlsx"],
        ["check", f"{evil}.json"],
        ["import", f"{evil}.html"],
        ["template", "--unit", "x", "--kind", evil, "-o", "t3.xlsx"],
        ["check", report, "--today", evil],
    ]
    for command in commands:
        result = rk(*command, cwd=tmp_path)
        for stream in (result.stdout, result.stderr):
            assert not CONTROLS.search(stream.replace("\n", "").replace("\t", "")), (command, stream[-500:])
    names = [p.name for p in tmp_path.rglob("*")]
    assert any(name.endswith("年度报告.docx") for name in names)
    assert not [name for name in names if CONTROLS.search(name)]


# ------------------------------------------------------------------ 10. modes follow the umask; odd files listed


@pytest.fixture
def strict_umask():
    old = os.umask(0o027)
    yield 0o640
    os.umask(old)


def test_every_output_follows_the_umask(tmp_path, strict_umask):
    report = write_report(tmp_path / "in" / "a.json", example())
    db = tmp_path / "库.sqlite"
    runs = [
        ["archive", "add", report, "--archive", db],
        ["archive", "export", "--archive", db, "-o", "e.json"],
        ["archive", "export", "--archive", db, "-o", "e.xlsx"],
        ["template", "-o", "t.xlsx"],
        ["template", "--fill", report, "-o", "f.xlsx"],
        ["build", report, "-o", "b.docx", "--html", "b.html", "--errors", "e.csv"],
        ["check", report, "-o", "c.txt"],
        ["check", "f.xlsx", "--annotate", "a.xlsx"],
        ["plan", "read", PLAN_TEXT, "-o", "p.json"],
        ["plan", "read", PLAN_TEXT, "-o", "p.xlsx"],
        ["batch", report.parent, "-o", "review", "--build", "--today", "2025-06-01"],
    ]
    for command in runs:
        rk(*command, cwd=tmp_path)
    files = [p for p in tmp_path.rglob("*") if p.is_file() and "in" not in p.relative_to(tmp_path).parts[:1]]
    assert len(files) >= 16
    wrong = {str(p.relative_to(tmp_path)): oct(stat.S_IMODE(p.stat().st_mode)) for p in files}
    assert {k: v for k, v in wrong.items() if v != oct(strict_umask)} == {}


def test_odd_entries_of_a_batch_folder_are_listed_as_skipped(tmp_path):
    inbox = tmp_path / "in"
    write_report(inbox / "a.json", example())
    os.mkfifo(inbox / "管道.json")
    (inbox / "断链.json").symlink_to(tmp_path / "不存在.json")
    (inbox / "设备.json").symlink_to("/dev/null")
    result = rk("batch", inbox, "-o", tmp_path / "review", "--today", "2025-06-01", timeout=60)
    no_traceback(result)
    data = json.loads((tmp_path / "review" / "审核结果.json").read_text(encoding="utf-8"))
    assert sorted(data["skipped"]) == ["断链.json", "管道.json", "设备.json"]
    assert len(data["skipped_reasons"]) == 3
    for factor in ("nan", "inf", "-inf", "-1", "1", "1e309", "abc"):
        refused = rk("batch", inbox, "-o", tmp_path / "r2", f"--change-factor={factor}")
        assert refused.returncode == 2 and "--change-factor" in said(refused), factor


# ------------------------------------------------------------------ 13. help a clerk can read

COMMANDS = [
    [],
    ["check"],
    ["build"],
    ["template"],
    ["batch"],
    ["archive"],
    ["archive", "add"],
    ["archive", "alias"],
    ["archive", "export"],
    ["archive", "import"],
    ["archive", "list"],
    ["import"],
    ["plan"],
    ["plan", "read"],
    ["history"],
    ["rules"],
    ["serve"],
]
ENGLISH = re.compile(
    r"\b(?:Usage|Options|Commands|Arguments|TEXT|INTEGER|FLOAT|PATH|FILENAME|RANGE|BOOLEAN|required|default)\b"
    r"|\b[A-Z][A-Z_]{2,}\b(?:\.\.\.)?"
)
ALLOWED = {
    "JSON",
    "YAML",
    "HTML",
    "CSV",
    "PDF",
    "UTC",
    "SQLite",
    "REPORT_KIT_ARCHIVE",
    "YYYY",
    "UTF",
    "CPU",
    "WPS",
}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: "-".join(c) or "main")
def test_help_and_usage_errors_have_no_english_placeholders(command):
    shown = rk(*command, "--help").stdout
    english = {m for m in ENGLISH.findall(shown) if m not in ALLOWED}
    assert not english, (command, english)
    if command and command[-1] not in ("archive", "plan", "rules", "alias", "list", "export"):
        usage = said(rk(*command))
        assert not {m for m in ENGLISH.findall(usage) if m not in ALLOWED}, usage
