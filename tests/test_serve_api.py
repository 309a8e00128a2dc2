"""``report-kit serve`` through Starlette's test client: links, the JSON API, pages, security."""

from __future__ import annotations

import json
import logging
import re
import threading

import pytest
from click.testing import CliRunner

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient  # noqa: E402

from report_kit.archive import Archive  # noqa: E402
from report_kit.cli import main  # noqa: E402
from report_kit.serve import links as links_module  # noqa: E402
from report_kit.serve.server import RedactTokens, redact  # noqa: E402
from report_kit.serve.store import NewUpload  # noqa: E402
from report_kit.serve.worker import JobFailed, WorkerPool  # noqa: E402

from hostile import write_zero_bomb  # noqa: E402
from serve_support import BAD_POINTER, OTHER, UNIT, links, make_app, workbooks  # noqa: E402


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "office"
    app, office = make_app(root)
    with TestClient(app) as client:
        yield client, root, office
    app.state.service.close()


@pytest.fixture
def books(tmp_path):
    return workbooks(tmp_path / "books")


def _post(client, path, file, name=None):
    with open(file, "rb") as handle:
        return client.post(path + "api/submissions", files={"file": (name or file.name, handle)})


# ---------------------------------------------------------------- links


def test_links_csv_has_a_bom_the_header_and_one_row_per_unit_plus_the_office(served):
    client, root, office = served
    raw = (root / "访问链接.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "单位名称,链接"
    names = [line.split(",")[0] for line in lines[1:]]
    assert sorted(names) == sorted([links_module.OFFICE_NAME, UNIT, OTHER])
    urls = [line.split(",")[1] for line in lines[1:]]
    assert office in urls
    for url in urls:
        token = re.fullmatch(r"http://127\.0\.0\.1:8765/k/([A-Za-z0-9_-]+)/", url).group(1)
        assert len(token) * 6 >= 128  # base64url characters carry 6 bits each
    assert len(set(urls)) == len(urls)


def test_tokens_persist_across_a_restart(tmp_path):
    root = tmp_path / "office"
    app, office = make_app(root)
    first = (root / "访问链接.csv").read_bytes()
    app.state.service.close()
    app, office_again = make_app(root)
    assert office_again == office
    assert (root / "访问链接.csv").read_bytes() == first
    app.state.service.close()


def test_serve_command_prints_the_office_link_and_binds_loopback(tmp_path, monkeypatch):
    seen = {}
    monkeypatch.setattr(
        "report_kit.serve.server.serve", lambda app, host, port: seen.update(host=host, port=port)
    )
    monkeypatch.setattr("report_kit.serve.worker.WorkerPool.start", lambda self: None)
    roster_file = tmp_path / "名单.csv"
    roster_file.write_text(f"单位名称\n{UNIT}\n{OTHER}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", str(tmp_path / "root"), "--roster", str(roster_file)])
    assert result.exit_code == 0, result.output
    assert seen == {"host": "127.0.0.1", "port": 8765}
    office = links(tmp_path / "root")[links_module.OFFICE_NAME]
    assert f"http://127.0.0.1:8765{office}" in result.output
    assert "2 个" in result.output


# ---------------------------------------------------------------- the unit's API


def test_upload_answers_exactly_what_check_json_prints(served, books, tmp_path):
    client, root, _ = served
    good, bad = books
    unit = links(root)[UNIT]
    for book in (bad, good):
        response = _post(client, unit, book)
        assert response.status_code == 200
        printed = CliRunner().invoke(main, ["check", "--format", "json", "--today", "2025-01-10", str(book)])
        expected = json.loads(printed.output)
        expected["file"] = book.name  # check names the path it was given; the service the uploaded name
        assert response.json() == expected
    assert not _post(client, unit, bad).json()["valid"]


def test_get_lists_the_units_own_uploads_newest_first(served, books):
    client, root, _ = served
    good, bad = books
    paths = links(root)
    _post(client, paths[UNIT], bad)
    _post(client, paths[UNIT], good)
    _post(client, paths[OTHER], good)
    listed = client.get(paths[UNIT] + "api/submissions").json()
    assert [u["version"] for u in listed] == [2, 1]
    assert [u["file"] for u in listed] == [good.name, bad.name]
    assert [u["valid"] for u in listed] == [True, False]
    assert len(client.get(paths[OTHER] + "api/submissions").json()) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/k/{bogus}/",
        "/k/{bogus}/api/submissions",
        "/k/short/api/submissions",
        "/k//api/submissions",
        "/api/submissions",
        "/k/{office}api/submissions",  # the office's token on a unit route
        "/k/{unit}api/review",  # a unit's token on the office's route
        "/k/{unit}review.xlsx",
        "/",
    ],
)
def test_any_wrong_token_answers_404(served, path):
    client, root, office = served
    paths = links(root)
    target = path.format(bogus="A" * 43, office=paths[links_module.OFFICE_NAME][3:], unit=paths[UNIT][3:])
    assert client.get(target).status_code == 404
    assert client.post(target, files={"file": ("a.json", b"{}")}).status_code in (404, 405)


def test_revoked_link_answers_404_and_reissue_gives_a_working_one(served, books):
    client, root, _ = served
    good, _ = books
    paths = links(root)
    office = paths[links_module.OFFICE_NAME]
    page = client.get(office + "links").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    unit_id = client.app.state.service.store.read().one("SELECT id FROM serve_units WHERE name = ?", (UNIT,))[
        "id"
    ]
    answer = client.post(
        office + "links/revoke", data={"csrf": csrf, "unit": str(unit_id)}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert client.get(paths[UNIT]).status_code == 404
    assert _post(client, paths[UNIT], good).status_code == 404
    assert links(root)[UNIT] == ""  # 访问链接.csv rewritten: the unit has no live link
    client.post(office + "links/reissue", data={"csrf": csrf, "unit": str(unit_id)})
    fresh = links(root)[UNIT]
    assert fresh and fresh != paths[UNIT]
    assert _post(client, fresh, good).status_code == 200
    assert client.get(paths[UNIT]).status_code == 404


def test_state_changing_forms_need_the_csrf_token_and_the_same_origin(served, books):
    client, root, _ = served
    good, _ = books
    paths = links(root)
    office = paths[links_module.OFFICE_NAME]
    unit_id = client.app.state.service.store.read().one("SELECT id FROM serve_units WHERE name = ?", (UNIT,))[
        "id"
    ]
    assert client.post(office + "links/revoke", data={"unit": str(unit_id)}).status_code == 403
    assert (
        client.post(office + "links/revoke", data={"csrf": "0" * 64, "unit": str(unit_id)}).status_code == 403
    )
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(office + "links").text).group(1)
    foreign = {"origin": "http://evil.example"}
    answer = client.post(office + "links/revoke", data={"csrf": csrf, "unit": str(unit_id)}, headers=foreign)
    assert answer.status_code == 403
    assert client.get(paths[UNIT]).status_code == 200  # nothing was revoked
    with open(good, "rb") as handle:
        assert client.post(paths[UNIT] + "upload", files={"file": (good.name, handle)}).status_code == 403
    unit_csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(paths[UNIT]).text).group(1)
    assert unit_csrf != csrf  # bound to the link and the purpose
    with open(good, "rb") as handle:
        answer = client.post(
            paths[UNIT] + "upload",
            data={"csrf": unit_csrf},
            files={"file": (good.name, handle)},
            follow_redirects=False,
        )
    assert answer.status_code == 303
    assert len(client.get(paths[UNIT] + "api/submissions").json()) == 1


def test_upload_over_the_limit_answers_413(tmp_path, books):
    app, _ = make_app(tmp_path / "office", max_upload=10_000)
    good, _ = books
    with TestClient(app) as client:
        unit = links(tmp_path / "office")[UNIT]
        assert _post(client, unit, good).status_code == 413
        # a body sent without Content-Length (chunked) is cut off as it streams
        body = iter([b"x" * 50_000, b"y" * 50_000])
        answer = client.post(
            unit + "api/submissions",
            content=body,
            headers={"content-type": "multipart/form-data; boundary=b"},
        )
        assert answer.status_code == 413
        assert client.get(unit + "api/submissions").json() == []
    app.state.service.close()


def test_hostile_file_gets_checks_findings_and_file_names_never_decide_storage(served, tmp_path):
    client, root, _ = served
    bomb = write_zero_bomb(tmp_path / "bomb.xlsx", 300 * 1024 * 1024)
    unit = links(root)[UNIT]
    answer = _post(client, unit, bomb, name="../../逃逸.xlsx")
    assert answer.status_code == 200
    result = answer.json()
    assert result["file"] == "逃逸.xlsx" and not result["valid"]
    printed = json.loads(CliRunner().invoke(main, ["check", "--format", "json", str(bomb)]).output)
    assert [f["rule"] for f in result["findings"]] == [f["rule"] for f in printed["findings"]]
    assert not any(p.name == "逃逸.xlsx" for p in tmp_path.rglob("*"))
    assert client.get(unit + "api/submissions").json()[0]["file"] == "逃逸.xlsx"
    page = client.get(unit)
    assert page.status_code == 200 and result["findings"][0]["message"] in page.text


def test_restart_loses_nothing_and_uploads_go_into_the_archive(tmp_path, books):
    good, bad = books
    root = tmp_path / "office"
    app, _ = make_app(root)
    with TestClient(app) as client:
        unit = links(root)[UNIT]
        _post(client, unit, bad)
        _post(client, unit, good)
    app.state.service.close()
    app, _ = make_app(root)
    with TestClient(app) as client:
        listed = client.get(unit + "api/submissions").json()
        assert [u["version"] for u in listed] == [2, 1]
        original = client.get(f"{unit}uploads/{listed[1]['id']}/original")
        assert original.content == bad.read_bytes()
    app.state.service.close()
    with Archive(root / "年报库.sqlite", create=False) as archive:
        rows = archive.rows(all_versions=True)
        assert [(r["unit_name"], r["version"], r["errors"] > 0) for r in rows] == [
            (UNIT, 1, True),
            (UNIT, 2, False),
        ]
        assert {r["source_name"] for r in rows} == {good.name, bad.name}


def test_twenty_concurrent_uploads_are_all_kept_with_distinct_versions(served):
    client, root, _ = served
    store = client.app.state.service.store
    unit_id = store.read().one("SELECT id FROM serve_units WHERE name = ?", (UNIT,))["id"]
    upload = NewUpload("a.json", b"{}", "{}", {"findings": []}, None, False, 1, 0)
    errors = []

    def add(i):
        try:
            store.add_upload(unit_id, NewUpload(f"{i}.json", bytes([i]), "{}", {}, None, False, 1, 0))
        except Exception as exc:  # pragma: no cover - the failure this test exists for
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    rows = store.uploads(unit_id)
    assert sorted(r["version"] for r in rows) == list(range(1, 21))
    assert upload.file_name == "a.json"


# ---------------------------------------------------------------- pages


def marked_cells(html: str, css: str) -> list[str]:
    """The pointers of the table cells that carry the class ``css``."""
    cells = re.findall(r"<td[^>]*>", html)
    return [
        re.search(r'data-pointer="([^"]+)"', cell).group(1)
        for cell in cells
        if re.search(rf'class="[^"]*\b{css}\b', cell) and "data-pointer" in cell
    ]


def test_unit_page_marks_the_bad_cell_and_offers_the_downloads(served, books):
    client, root, _ = served
    good, bad = books
    unit = links(root)[UNIT]
    result = _post(client, unit, bad).json()
    page = client.get(unit)
    assert page.status_code == 200
    pointed = {loc["pointer"] for f in result["findings"] for loc in f["locations"]}
    marked = marked_cells(page.text, "cell-error") + marked_cells(page.text, "cell-repair")
    assert marked and set(marked) <= pointed | {BAD_POINTER}
    assert BAD_POINTER in marked_cells(page.text, "cell-repair")
    assert "未通过" in page.text and "表三" in page.text
    for kind in ("annotated.xlsx", "report.docx", "report.html"):
        href = re.search(rf'href="({re.escape(unit)}uploads/\d+/{re.escape(kind)})"', page.text).group(1)
        answer = client.get(href)
        assert answer.status_code == 200 and len(answer.content) > 1000
        assert "attachment" in answer.headers["content-disposition"]
    docx = client.get(re.search(r'href="([^"]+report\.docx)"', page.text).group(1))
    assert docx.content.startswith(b"PK")
    blank = client.get(unit + "template.xlsx").content
    assert blank.startswith(b"PK")
    from report_kit.readers import read_submission

    (tmp_path := root.parent / "blank.xlsx").write_bytes(blank)
    prefilled = read_submission(tmp_path).submission
    assert prefilled["unit"]["name"] == UNIT and prefilled["year"] == 2024
    assert client.get(unit + "template.xlsx?filled=1").content.startswith(b"PK")


def test_the_repair_is_drawn_in_the_cell_it_names(served, books):
    """check's ``repairs`` (the likely wrong cell) are written into that cell, with the hint."""
    client, root, _ = served
    _, bad = books
    unit = links(root)[UNIT]
    result = _post(client, unit, bad).json()
    hints = [f["repair_hint"] for f in result["findings"] if f.get("repair_hint")]
    assert hints
    page = client.get(unit).text
    assert marked_cells(page, "cell-repair") == [BAD_POINTER]
    suggested = next(r["suggested"] for r in result["repairs"] if r["pointer"] == BAD_POINTER)
    assert f"应为 {suggested}" in page
    assert hints[0] in page


def test_office_sees_roster_status_review_and_workbook(tmp_path, books):
    import datetime as dt

    good, bad = books
    root = tmp_path / "office"
    app, _ = make_app(root, deadline=dt.date(2025, 1, 5))
    with TestClient(app) as client:
        paths = links(root)
        _post(client, paths[UNIT], bad)
        office = paths[links_module.OFFICE_NAME]
        review = client.get(office + "api/review").json()
        states = {row["unit"]: row["status"] for row in review["roster_status"]}
        assert states == {UNIT: "有错误", OTHER: "逾期"}
        assert review["counts"]["files"] == 1 and review["counts"]["errors"] == 1
        assert {"summary", "findings", "files", "roster", "aggregate"} <= set(review)
        _post(client, paths[UNIT], good)
        review = client.get(office + "api/review").json()
        assert {row["unit"]: row["status"] for row in review["roster_status"]}[UNIT] == "通过"
        assert review["aggregate"]["submissions"] == 1
        page = client.get(office).text
        assert "通过" in page and "逾期" in page and "审核结果.xlsx" in page
        workbook = client.get(office + "review.xlsx")
        assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
        unit_id = review_unit_id(client)
        assert client.get(f"{office}units/{unit_id}/").status_code == 200
    app.state.service.close()


def review_unit_id(client):
    return client.app.state.service.store.read().one("SELECT id FROM serve_units WHERE name = ?", (UNIT,))[
        "id"
    ]


def test_security_headers_on_pages_errors_and_static_files(served):
    client, root, _ = served
    for path in (links(root)[UNIT], "/k/nothing/", "/static/app.js"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        csp = headers["content-security-policy"]
        script = re.search(r"script-src ([^;]+)", csp).group(1)
        assert script.strip() == "'self'"
    page = client.get(links(root)[UNIT]).text
    assert "<script>" not in page and " on" not in re.sub(r"<[^>]*>", "", page)[:0]
    assert not re.search(r"<script(?![^>]*src=)", page)
    assert not re.search(r"\son[a-z]+=", page)
    assert "http://" not in page.replace("http://127.0.0.1", "") and "https://" not in page


def test_access_log_never_shows_a_token():
    token = links_module.new_token()
    assert token not in redact(f'127.0.0.1:5000 - "GET /k/{token}/api/submissions HTTP/1.1" 200')
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4", "GET", f"/k/{token}/", "1.1", 200),
        None,
    )
    RedactTokens().filter(record)
    assert token not in record.getMessage()


# ---------------------------------------------------------------- the worker pool


def _sleep(seconds):
    import time

    time.sleep(seconds)
    return "done"


def _die():
    import os

    os._exit(3)


def _allocate(size):
    return len(bytearray(size))


def test_worker_time_limit_memory_limit_and_death_are_contained():
    pool = WorkerPool(1, timeout=1.0, memory_limit=512 * 1024 * 1024)
    try:
        with pytest.raises(JobFailed, match="超过1秒"):
            pool.run(_sleep, 10)
        assert pool.run(_sleep, 0) == "done"  # a fresh pool took over
        with pytest.raises(JobFailed, match="意外退出"):
            pool.run(_die)
        with pytest.raises(MemoryError):
            pool.run(_allocate, 1024**3)
        assert pool.run(_allocate, 1024) == 1024
    finally:
        pool.close()


def test_work_plan_coverage_with_a_ledger(tmp_path, books):
    """--plan: the unit's upload is checked against its tasks (as check --plan), and the office
    sees each task's coverage (as batch --plan), each finding once."""
    from report_kit.plan import Ledger, Task

    good, _ = books
    ledger = Ledger(
        {"title": "轮台县2024年政务公开工作要点", "year": 2024},
        [
            Task("1", [], "加强政务新媒体矩阵建设和管理", units=[UNIT], resolved=[UNIT], id="T1"),
            Task("2", [], "按季度公开食品安全监督抽检结果", units=[UNIT], resolved=[UNIT], id="T2"),
            Task("3", [], "做好行政处罚信息公开工作", units=[OTHER], resolved=[OTHER], id="T3"),
        ],
    )
    plan = tmp_path / "台账.json"
    plan.write_text(ledger.to_json(), encoding="utf-8")
    root = tmp_path / "office"
    app, _ = make_app(root, plan=str(plan))
    with TestClient(app) as client:
        paths = links(root)
        result = _post(client, paths[UNIT], good).json()
        printed = CliRunner().invoke(
            main, ["check", "--format", "json", "--today", "2025-01-10", "--plan", str(plan), str(good)]
        )
        assert [f["rule"] for f in result["findings"]] == [
            f["rule"] for f in json.loads(printed.output)["findings"]
        ]
        review = client.get(paths[links_module.OFFICE_NAME] + "api/review").json()
        assert [t["id"] for t in review["plan"]["tasks"]] == ["T1", "T2", "T3"]
        rules = [f["rule"] for f in review["files"][0]["findings"]]
        planned = [f["rule"] for f in result["findings"] if f["rule"].startswith("P.")]
        assert planned == ["P.task_not_addressed"]  # T1 unanswered, T2 answered
        assert rules.count("P.task_not_addressed") == 1
        page = client.get(paths[links_module.OFFICE_NAME]).text
        assert "工作要点落实情况" in page and "加强政务新媒体" in page
    app.state.service.close()


def test_hostile_unit_names_are_escaped_in_pages_and_neutralised_in_the_csv(tmp_path):
    from report_kit.batch.roster import RosterUnit

    name = '=HYPERLINK("x")<script>alert(1)</script>局'
    root = tmp_path / "office"
    app, _ = make_app(root, units=[RosterUnit(0, name)])
    with TestClient(app) as client:
        rows = (root / "访问链接.csv").read_text(encoding="utf-8-sig").splitlines()
        assert any(row.startswith("\"'=HYPERLINK") for row in rows)
        unit = next(path for label, path in links(root).items() if "HYPERLINK" in label)
        page = client.get(unit).text
        assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        office = client.get(links(root)[links_module.OFFICE_NAME]).text
        assert "<script>alert" not in office
    app.state.service.close()


def _dying_check(*args):
    import os

    os._exit(9)


def test_a_file_that_kills_its_worker_gets_a_finding_and_the_service_goes_on(tmp_path, books, monkeypatch):
    good, bad = books
    monkeypatch.setattr("report_kit.serve.worker.check_job", _dying_check)
    root = tmp_path / "office"
    app, _ = make_app(root)
    with TestClient(app) as client:
        unit = links(root)[UNIT]
        answer = _post(client, unit, bad)
        assert answer.status_code == 200
        result = answer.json()
        assert [f["rule"] for f in result["findings"]] == ["F.internal"] and not result["valid"]
        assert len(client.get(unit + "api/submissions").json()) == 1  # kept, with its finding
        monkeypatch.undo()
        app.state.service.pool.close()  # the next pool forks with the real check
        assert _post(client, unit, good).json()["valid"]
    app.state.service.close()


def test_a_unit_never_reaches_another_units_uploads(served, books):
    client, root, _ = served
    good, _ = books
    paths = links(root)
    _post(client, paths[UNIT], good)
    upload = client.get(paths[UNIT] + "api/submissions").json()[0]["id"]
    for kind in ("original", "report.docx", "annotated.xlsx"):
        assert client.get(f"{paths[OTHER]}uploads/{upload}/{kind}").status_code == 404
        assert client.get(f"{paths[UNIT]}uploads/{upload}/{kind}").status_code == 200
    assert client.get(f"{paths[OTHER]}?v={upload}").status_code == 404
    assert client.get(paths[OTHER] + "api/submissions").json() == []
