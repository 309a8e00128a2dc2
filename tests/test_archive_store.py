"""The archive: versions, no-op re-adds, unit aliases, foreign files left alone, migrations."""

from __future__ import annotations

import copy
import json
import sqlite3

import pytest
from test_history_helpers import next_year, to_2019

from report_kit.archive import Archive, ArchiveError
from report_kit.archive import db as archive_db
from report_kit.check import check_file

from strategies import first_example, valid_submissions


@pytest.fixture(scope="module")
def base():
    submission = first_example(
        valid_submissions(), lambda s: s["applications"]["carried_forward"]["total"] > 0
    )
    submission = copy.deepcopy(submission)
    submission.update(year=2023, published_on="2024-01-20")
    return submission


def write(path, submission):
    path.write_text(json.dumps(submission, ensure_ascii=False), encoding="utf-8")
    return path


def add(archive, path):
    return archive.add(check_file(path), path)


def test_new_version_keeps_history_and_same_bytes_are_a_no_op(tmp_path, base):
    first = write(tmp_path / "a.json", base)
    changed = copy.deepcopy(base)
    changed["text"]["problems"] += "补充说明。"
    second = write(tmp_path / "b.json", changed)
    with Archive(tmp_path / "库.sqlite") as archive:
        one = add(archive, first)
        assert (one.version, one.added) == (1, True)
        again = add(archive, first)
        assert (again.version, again.added) == (1, False)
        assert "未重复入库" in again.message
        two = add(archive, second)
        assert two.version == 2 and two.message.endswith("已存为第2版（保留历史版本）。")
        assert archive.report_for(base["unit"], 2023)["text"]["problems"].endswith("补充说明。")
        rows = archive.rows(all_versions=True)
        assert [(r["version"], r["current"]) for r in rows] == [(1, 0), (2, 1)]
        assert len(archive.rows()) == 1


def test_units_match_by_code_then_name_then_alias(tmp_path, base):
    old = copy.deepcopy(base)
    old["unit"].pop("code", None)
    old["unit"]["name"] = "测试县工商行政管理局"
    renamed = next_year(old, base)
    renamed["unit"]["name"] = "测试县市场监督管理局"
    with Archive(tmp_path / "库.sqlite") as archive:
        add(archive, write(tmp_path / "old.json", old))
        assert archive.previous_for(renamed["unit"], 2024) is None
        message = archive.alias("测试县工商行政管理局", "测试县市场监督管理局")
        assert "更名" in message
        assert archive.previous_for(renamed["unit"], 2024)["year"] == 2023
        add(archive, write(tmp_path / "new.json", renamed))
        assert [s["year"] for s in archive.history("测试县工商行政管理局")] == [2023, 2024]
        assert [s["year"] for s in archive.history("测试县 市场监督管理局")] == [2023, 2024]  # normalised


def test_alias_merges_units_already_archived_under_both_names(tmp_path, base):
    old = copy.deepcopy(base)
    old["unit"].pop("code", None)
    old["unit"]["name"] = "甲局"
    new = next_year(old, base)
    new["unit"]["name"] = "乙局"
    with Archive(tmp_path / "库.sqlite") as archive:
        add(archive, write(tmp_path / "old.json", old))
        add(archive, write(tmp_path / "new.json", new))
        assert archive.previous_for({"name": "乙局"}, 2024) is None
        archive.alias("甲局", "乙局")
        assert archive.previous_for({"name": "乙局"}, 2024)["unit"]["name"] == "甲局"
        clash = copy.deepcopy(old)
        clash["unit"]["name"] = "丙局"
        add(archive, write(tmp_path / "clash.json", clash))
        with pytest.raises(ArchiveError, match="都有报告"):
            archive.alias("甲局", "丙局")


def test_code_wins_over_name_and_2019_reports_are_archived(tmp_path, base):
    coded = copy.deepcopy(base)
    coded["unit"]["code"] = "11652822MB1234567X"
    old = to_2019(coded)
    old.update(year=2020, published_on="2021-01-20")
    old["unit"]["name"] = "旧名称"
    with Archive(tmp_path / "库.sqlite") as archive:
        add(archive, write(tmp_path / "old.json", old))
        found = archive.report_for({"name": "完全不同的名字", "code": "11652822MB1234567X"}, 2020)
        assert found["format"] == "2019"


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, I am a text file\n" * 20, b"SQLite format 3\x00" + b"\x00" * 200],
    ids=["empty", "text", "broken-sqlite"],
)
def test_foreign_or_corrupt_file_is_refused_and_left_untouched(tmp_path, content):
    path = tmp_path / "年报库.sqlite"
    path.write_bytes(content)
    with pytest.raises(ArchiveError) as caught:
        Archive(path)
    assert "年报库" in str(caught.value)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["年报库.sqlite"]


def test_other_programs_sqlite_database_is_refused_and_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(ArchiveError, match="其他程序的SQLite数据库"):
        Archive(path)
    assert path.read_bytes() == before


def test_missing_archive_is_not_created_by_readers(tmp_path):
    with pytest.raises(ArchiveError, match="不存在"):
        Archive(tmp_path / "none.sqlite", create=False)
    assert not (tmp_path / "none.sqlite").exists()


def test_schema_version_and_application_id(tmp_path, monkeypatch):
    path = tmp_path / "库.sqlite"
    Archive(path).close()
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA application_id").fetchone()[0] == archive_db.APPLICATION_ID
    assert connection.execute("PRAGMA user_version").fetchone()[0] == archive_db.SCHEMA_VERSION
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()
    # a later release adds a migration: an existing archive is upgraded in place, data kept
    monkeypatch.setattr(
        archive_db, "MIGRATIONS", [*archive_db.MIGRATIONS, ["CREATE TABLE notes (id INTEGER PRIMARY KEY)"]]
    )
    monkeypatch.setattr(archive_db, "SCHEMA_VERSION", len(archive_db.MIGRATIONS))
    with Archive(path) as archive:
        assert archive.connection.execute("PRAGMA user_version").fetchone()[0] == archive_db.SCHEMA_VERSION
        archive.connection.execute("SELECT * FROM notes").fetchall()


def test_archive_from_a_newer_release_is_refused(tmp_path):
    path = tmp_path / "库.sqlite"
    Archive(path).close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {archive_db.SCHEMA_VERSION + 1}")
    connection.commit()
    connection.close()
    with pytest.raises(ArchiveError, match="请升级"):
        Archive(path)


def test_default_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("REPORT_KIT_ARCHIVE", str(tmp_path / "env.sqlite"))
    assert archive_db.default_path() == tmp_path / "env.sqlite"
    monkeypatch.delenv("REPORT_KIT_ARCHIVE")
    assert str(archive_db.default_path()) == "年报库.sqlite"


def test_damaged_archive_is_refused_before_any_write(tmp_path, base):
    path = tmp_path / "库.sqlite"
    with Archive(path) as archive:
        add(archive, write(tmp_path / "a.json", base))
    data = bytearray(path.read_bytes())
    page = 4096
    data[page : page + 64] = b"\xff" * 64  # scribble over the second page
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="损坏"):
        Archive(path)
    assert path.read_bytes() == bytes(data)
