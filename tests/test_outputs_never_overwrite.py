"""Nothing a clerk made is overwritten or replaced behind their back: outputs refuse existing files, inputs are never modified."""

from __future__ import annotations

import contextlib
import csv
import json
from pathlib import Path

import openpyxl

from helpers import ROOT, run

EXAMPLES = ROOT / "examples"
UNIT = "轮台县市场监督管理局"
Y2024 = EXAMPLES / f"{UNIT}-2024.json"
Y2023 = EXAMPLES / "history" / f"{UNIT}-2023.yaml"


# ------------------------------------------------------------------ 1. template -o never overwrites


def test_template_refuses_an_existing_output_without_force(tmp_path):
    filled = tmp_path / "填好.xlsx"
    assert run("template", "--fill", Y2024, "-o", filled).exit_code == 0
    before = filled.read_bytes()
    result = run("template", "-o", filled, "--unit", "某局")
    assert result.exit_code == 2 and "已存在" in result.output and "--force" in result.output
    assert filled.read_bytes() == before
    forced = run("template", "-o", filled, "--unit", "某局", "--force")
    assert forced.exit_code == 0 and filled.read_bytes() != before


def test_template_never_writes_over_its_own_input_even_with_force(tmp_path):
    filled = tmp_path / "填好.xlsx"
    assert run("template", "--fill", Y2024, "-o", filled).exit_code == 0
    before = filled.read_bytes()
    for option in ("--previous", "--fill"):
        result = run("template", "-o", filled, option, filled, "--force")
        assert result.exit_code == 2 and "输入文件" in result.output, result.output
        assert filled.read_bytes() == before


def test_template_from_the_archive_refuses_existing_output_and_the_archive(tmp_path):
    db = tmp_path / "库.sqlite"
    assert run("archive", "add", Y2023, "--archive", db).exit_code == 0
    archived = db.read_bytes()
    result = run("template", "--archive", db, "--unit", UNIT, "-o", db, "--force")
    assert result.exit_code == 2 and db.read_bytes() == archived
    out = tmp_path / "模板.xlsx"
    out.write_bytes(b"filled")
    result = run("template", "--archive", db, "--unit", UNIT, "-o", out)
    assert result.exit_code == 2 and out.read_bytes() == b"filled"
    assert run("template", "--archive", db, "--unit", UNIT, "-o", out, "--force").exit_code == 0


def test_template_roster_writes_nothing_when_a_workbook_exists(tmp_path):
    roster = tmp_path / "名单.csv"
    with roster.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["单位名称"], ["甲局"], ["乙局"]])
    out = tmp_path / "模板"
    assert run("template", "--roster", roster, "-o", out, "--year", "2024").exit_code == 0
    first = sorted(out.iterdir())
    assert len(first) == 2
    first[0].write_bytes(b"filled by the unit")
    result = run("template", "--roster", roster, "-o", out, "--year", "2024")
    assert result.exit_code == 2 and "--force" in result.output
    assert first[0].read_bytes() == b"filled by the unit"
    assert run("template", "--roster", roster, "-o", out, "--year", "2024", "--force").exit_code == 0
    assert first[0].read_bytes() != b"filled by the unit"
    assert json.loads(json.dumps(sorted(p.name for p in out.iterdir()))) == [p.name for p in first]


# ------------------------------------------------------------------ 2. export never replaces the archive


def test_export_refuses_to_replace_the_archive(tmp_path):
    db = tmp_path / "库.sqlite"
    assert run("archive", "add", Y2023, Y2024, "--archive", db).exit_code == 0
    before = db.read_bytes()
    for output in (db, tmp_path / "." / "库.sqlite"):
        result = run("archive", "export", "--archive", db, "-o", output)
        assert result.exit_code == 2 and "年报库" in result.output
        assert db.read_bytes() == before
    other = tmp_path / "另一个库.sqlite"
    assert run("archive", "add", Y2023, "--archive", other).exit_code == 0
    kept = other.read_bytes()
    assert run("archive", "export", "--archive", db, "-o", other).exit_code == 2
    assert other.read_bytes() == kept


def test_export_import_round_trip(tmp_path):
    import yaml

    db = tmp_path / "库.sqlite"
    draft = yaml.safe_load(Y2023.read_text(encoding="utf-8"))
    draft["applications"]["carried_forward"]["natural_person"] += 5
    draft_path = tmp_path / "草稿2023.json"
    draft_path.write_text(json.dumps(draft, ensure_ascii=False, default=str), encoding="utf-8")
    assert run("archive", "add", Y2023, draft_path, Y2024, "--archive", db).exit_code == 0
    assert run("archive", "alias", UNIT, "轮台县市场监管局", "--archive", db).exit_code == 0
    exported = tmp_path / "导出.json"
    assert run("archive", "export", "--archive", db, "-o", exported).exit_code == 0
    copy = tmp_path / "新库.sqlite"
    result = run("archive", "import", exported, "--archive", copy)
    assert result.exit_code == 0 and "3份" in result.output, result.output
    for command in (["archive", "list", "--format", "json"], ["history", UNIT, "--format", "json"]):
        original = run(*command, "--archive", db)
        restored = run(*command, "--archive", copy)
        assert original.exit_code == 0 and restored.output == original.output
    assert run("archive", "list", "--archive", copy).output == run("archive", "list", "--archive", db).output
    again = run("archive", "import", exported, "--archive", copy)
    assert again.exit_code == 0 and "导入0份" in again.output
    bad = tmp_path / "坏.json"
    bad.write_text('[{"unit": "甲局"}]', encoding="utf-8")
    refused = run("archive", "import", bad, "--archive", tmp_path / "空.sqlite")
    assert refused.exit_code == 1 and "未导入" in refused.output and "Traceback" not in refused.output


# ------------------------------------------------------------------ 3. a draft with errors is no reference


def _draft_2023(tmp_path):
    import yaml

    draft = yaml.safe_load(Y2023.read_text(encoding="utf-8"))
    draft["applications"]["carried_forward"]["natural_person"] += 5  # breaks T3.balance
    path = tmp_path / "草稿2023.json"
    path.write_text(json.dumps(draft, ensure_ascii=False, default=str), encoding="utf-8")
    return path


def _check_rules(*args):
    result = run("check", *args, "--format", "json")
    data = json.loads(result.stdout)
    data = data[0] if isinstance(data, list) else data
    return [f["rule"] for f in data["findings"]], result


def test_a_later_draft_with_errors_does_not_replace_the_clean_reference(tmp_path):
    db = tmp_path / "库.sqlite"
    assert run("archive", "add", Y2023, "--archive", db).exit_code == 0
    added = run("archive", "add", _draft_2023(tmp_path), "--archive", db)
    assert "第2版" in added.output and "第1版为准" in added.output, added.output
    rules, _ = _check_rules(Y2024, "--archive", db)
    assert "H.carry_over" not in rules and "H.no_previous" not in rules
    out = tmp_path / "模板.xlsx"
    result = run("template", "--archive", db, "--unit", UNIT, "-o", out)
    assert result.exit_code == 0 and "已按年报库中2023年度报告预填" in result.output
    records = json.loads(run("archive", "list", "--archive", db, "--format", "json").output)
    assert [(r["version"], r["current"]) for r in records] == [(1, True), (2, False)]


def test_only_erroneous_versions_are_used_but_said_and_marked(tmp_path):
    db = tmp_path / "库.sqlite"
    assert run("archive", "add", _draft_2023(tmp_path), "--archive", db).exit_code == 0
    rules, result = _check_rules(Y2024, "--archive", db)
    assert "H.carry_over" in rules
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    carry = [f for f in report["findings"] if f["rule"] == "H.carry_over"]
    assert carry and all("校验有错误" in f["suggestion"] for f in carry)
    out = tmp_path / "模板.xlsx"
    result = run("template", "--archive", db, "--unit", UNIT, "-o", out)
    assert result.exit_code == 0 and "校验有错误" in result.output and "请逐项核对" in result.output
    history = run("history", UNIT, "--archive", db)
    assert "2023*" in history.output and "校验有错误" in history.output
    years = json.loads(run("history", UNIT, "--archive", db, "--format", "json").output)["years"]
    assert years[0]["valid"] is False


# ------------------------------------------------------------------ 4. the batch deadline is local


def _late_findings(tmp_path, published_on, deadline, **unit):
    data = json.loads(Y2024.read_text(encoding="utf-8"))
    data["published_on"] = published_on
    data["unit"].update(unit)
    inbox = tmp_path / "in"
    inbox.mkdir(exist_ok=True)
    (inbox / "a.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    review = tmp_path / "review"
    run("batch", inbox, "-o", review, "--deadline", deadline, "--today", "2025-06-01")
    data = json.loads((review / "审核结果.json").read_text(encoding="utf-8"))
    return [f for f in data["findings"] if f["rule"] == "D.late"]


def test_a_later_batch_deadline_does_not_excuse_a_late_department(tmp_path):
    late = _late_findings(tmp_path, "2025-02-20", "2025-03-31")
    assert len(late) == 1 and "法定期限2025-01-31" in late[0]["message"]
    assert "第四十九条" in late[0]["suggestion"]


def test_an_earlier_batch_deadline_applies_to_departments_as_local(tmp_path):
    late = _late_findings(tmp_path, "2025-01-25", "2025-01-20")
    assert len(late) == 1 and "本地期限2025-01-20" in late[0]["message"]
    assert "本地" in late[0]["suggestion"] and "第四十九条" not in late[0]["suggestion"]


def test_the_batch_deadline_is_the_only_one_for_townships(tmp_path):
    late = _late_findings(tmp_path, "2025-04-20", "2025-03-31", kind="township", level="township")
    assert len(late) == 1 and "本地期限2025-03-31" in late[0]["message"]
    assert _late_findings(tmp_path, "2025-03-20", "2025-03-31", kind="township", level="township") == []


# ------------------------------------------------------------------ 5. the review is published as one unit


def _review(tmp_path, *units):
    from report_kit.batch.run import run_batch

    inbox = tmp_path / "in"
    inbox.mkdir(exist_ok=True)
    data = json.loads(Y2024.read_text(encoding="utf-8"))
    for name in units:
        data["unit"]["name"] = name
        (inbox / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    import datetime as dt

    return run_batch(inbox, today=dt.date(2025, 6, 1), jobs=1)


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_kill_during_publishing_never_mixes_two_runs(tmp_path, monkeypatch):
    """Every rename of the publishing step is a possible kill -9: the folder is wholly old or
    wholly new at each of them (SystemExit stands for the kill; nothing is cleaned up after)."""
    import os

    from report_kit.batch import outputs

    review = tmp_path / "review"
    outputs.write_outputs(_review(tmp_path, "甲局"), review)
    (review / "说明.txt").write_text("clerk's own notes", encoding="utf-8")
    old = _snapshot(review)
    second = _review(tmp_path, "甲局", "乙局")
    real_replace, real_rename = os.replace, os.rename
    for fail_at in range(1, 6):
        calls = {"n": 0}

        def killed(src, dst, *, _real, _fail_at=fail_at, _calls=calls):
            _calls["n"] += 1
            if _calls["n"] == _fail_at:
                raise SystemExit("killed")
            return _real(src, dst)

        monkeypatch.setattr(outputs.os, "replace", lambda a, b: killed(a, b, _real=real_replace))
        monkeypatch.setattr(outputs.os, "rename", lambda a, b: killed(a, b, _real=real_rename))
        monkeypatch.setattr(outputs.shutil, "rmtree", lambda *a, **k: None)  # killed: no clean-up
        with contextlib.suppress(SystemExit):
            outputs.write_outputs(second, review)
        monkeypatch.undo()
        now = _snapshot(review) if review.exists() else {}
        assert now, fail_at
        if now == old:
            continue
        # new: JSON, workbook, pages and overview all of the second run, the notes kept
        assert len(json.loads(now[Path("审核结果.json")])["summary"]) == 2, fail_at
        assert openpyxl.load_workbook(review / "审核结果.xlsx")["汇总"].max_row == 3, fail_at
        assert len(list((review / "units").iterdir())) == 2, fail_at
        assert "乙局" in (review / "index.html").read_text(encoding="utf-8"), fail_at
        assert (review / "说明.txt").read_text(encoding="utf-8") == "clerk's own notes"
        break
    final = _snapshot(review)
    assert final[Path("说明.txt")] == b"clerk's own notes"


def test_without_a_system_swap_the_review_is_still_old_or_new(tmp_path, monkeypatch):
    from report_kit.batch import outputs

    review = tmp_path / "review"
    outputs.write_outputs(_review(tmp_path, "甲局"), review)
    monkeypatch.setattr(outputs, "exchange", lambda a, b: False)
    outputs.write_outputs(_review(tmp_path, "甲局", "乙局"), review)
    data = json.loads((review / "审核结果.json").read_text(encoding="utf-8"))
    assert len(data["summary"]) == 2 and len(list((review / "units").iterdir())) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
