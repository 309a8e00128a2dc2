"""``report-kit serve --db postgresql://…``: the same service on a real PostgreSQL server,
shared by several service processes.

Needs a server: ``REPORT_KIT_TEST_PG`` holds its URL (``.ci/run`` starts Debian's cluster,
creates a role and a database and exports it). Each test works in a schema of its own.
"""

from __future__ import annotations

import os
import threading
import uuid
from urllib.parse import quote

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg (PostgreSQL driver) is not installed")
pytest.importorskip("httpx")

from starlette.testclient import TestClient  # noqa: E402

from report_kit.serve import links as links_module  # noqa: E402
from report_kit.serve.store import NewUpload, Store  # noqa: E402

from serve_support import OTHER, UNIT, links, make_app, workbooks  # noqa: E402

URL = os.environ.get("REPORT_KIT_TEST_PG", "")


def _reachable() -> str | None:
    if not URL:
        return "REPORT_KIT_TEST_PG is not set (no PostgreSQL server; .ci/run starts one)"
    try:
        psycopg.connect(URL, connect_timeout=5).close()
    except psycopg.Error as exc:
        return f"PostgreSQL at REPORT_KIT_TEST_PG is not reachable: {str(exc).strip().splitlines()[0]}"
    return None


_why_not = _reachable()
pytestmark = pytest.mark.skipif(_why_not is not None, reason=_why_not or "")


@pytest.fixture
def pg_url():
    schema = f"rk_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(URL, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in URL else "?"
    yield f"{URL}{separator}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(URL, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA {schema} CASCADE")


def _post(client, path, file):
    with open(file, "rb") as handle:
        return client.post(path + "api/submissions", files={"file": (file.name, handle)})


def test_the_service_runs_on_postgresql_and_a_restart_loses_nothing(tmp_path, pg_url):
    good, bad = workbooks(tmp_path / "books")
    root = tmp_path / "root"
    app, office = make_app(root, db_url=pg_url)
    assert app.state.service.store.backend == "postgresql"
    assert not (root / "服务状态.sqlite").exists()
    with TestClient(app) as client:
        unit = links(root)[UNIT]
        assert not _post(client, unit, bad).json()["valid"]
        assert _post(client, unit, good).json()["valid"]
        review = client.get(links(root)[links_module.OFFICE_NAME] + "api/review").json()
        assert {r["unit"]: r["status"] for r in review["roster_status"]} == {UNIT: "通过", OTHER: "未提交"}
    app.state.service.close()
    first = (root / "访问链接.csv").read_bytes()
    app, office_again = make_app(root, db_url=pg_url)
    assert office_again == office and (root / "访问链接.csv").read_bytes() == first
    with TestClient(app) as client:
        listed = client.get(unit + "api/submissions").json()
        assert [u["version"] for u in listed] == [2, 1]
        assert client.get(f"{unit}uploads/{listed[1]['id']}/original").content == bad.read_bytes()
    app.state.service.close()


def test_two_service_processes_share_one_database(tmp_path, pg_url):
    """Two services (each its own folder) on one database: the same links, each sees the
    other's uploads, a link revoked in one is dead in the other."""
    good, _ = workbooks(tmp_path / "books")
    first, _ = make_app(tmp_path / "a", db_url=pg_url)
    second, _ = make_app(tmp_path / "b", db_url=pg_url)
    assert links(tmp_path / "a") == links(tmp_path / "b")
    paths = links(tmp_path / "a")
    with TestClient(first) as a, TestClient(second) as b:
        assert _post(a, paths[UNIT], good).status_code == 200
        assert [u["version"] for u in b.get(paths[UNIT] + "api/submissions").json()] == [1]
        unit_id = second.state.service.store.read().one("SELECT id FROM serve_units WHERE name = ?", (UNIT,))[
            "id"
        ]
        links_module.revoke(first.state.service.store, unit_id)
        assert b.get(paths[UNIT]).status_code == 404
    first.state.service.close()
    second.state.service.close()


def test_concurrent_uploads_from_two_processes_all_get_their_own_version(tmp_path, pg_url):
    stores = [Store(pg_url), Store(pg_url)]
    app, _ = make_app(tmp_path / "root", db_url=pg_url)
    unit_id = stores[0].read().one("SELECT id FROM serve_units WHERE name = ?", (UNIT,))["id"]
    errors = []

    def add(i):
        try:
            upload = NewUpload(f"{i}.json", bytes([i]), "{}", {}, None, False, 1, 0)
            stores[i % 2].add_upload(unit_id, upload)
        except Exception as exc:  # pragma: no cover - the failure this test exists for
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(u["version"] for u in stores[1].uploads(unit_id)) == list(range(1, 21))
    for store in stores:
        store.close()
    app.state.service.close()
