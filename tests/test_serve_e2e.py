"""End to end: the real ``report-kit serve`` on 127.0.0.1, driven by headless system Chromium.

A clerk on a phone-width screen uploads a bad workbook with the file button, sees the marked
cell and the repair on 表三, drops the fixed workbook on the page, sees it pass and downloads
the .docx; the office page shows the unit as 通过. Playwright drives the Chromium that Debian
installs (``/usr/bin/chromium``): nothing is downloaded at run time.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from serve_support import BAD_POINTER, UNIT, links, workbooks

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live(tmp_path):
    """(root, base URL, books): the service running as the user starts it, stopped after."""
    roster = tmp_path / "名单.csv"
    roster.write_text(f"单位名称\n{UNIT}\n轮台县审计局\n", encoding="utf-8")
    root = tmp_path / "root"
    port = _free_port()
    command = [sys.executable, "-m", "report_kit", "serve", str(root), "--roster", str(roster)]
    command += ["--year", "2024", "--port", str(port), "--today", "2025-01-10", "--workers", "1"]
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/static/app.css", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "server.log").read_text("utf-8", "replace")) from None
                time.sleep(0.2)
        yield root, base, workbooks(tmp_path / "books"), tmp_path / "server.log"
    finally:
        workers = _children(server.pid)
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        left = _still_running(workers)
        for pid in left:  # never leave a process behind, even when the assertion fails
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        assert not left, f"worker processes outlived the service: {left}"


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _still_running(pids: list[int], wait: float = 5.0) -> list[int]:
    deadline = time.monotonic() + wait
    while True:
        left = [pid for pid in pids if Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].splitlines()[0]
    except (OSError, IndexError):
        return "zombie"


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
        except Exception as exc:  # a Chromium the driver cannot talk to
            pytest.skip(f"cannot start system Chromium through Playwright: {exc}")
        yield chromium
        chromium.close()


def test_clerk_uploads_sees_the_repair_fixes_and_downloads_the_docx(live, browser, tmp_path):
    root, base, (good, bad), log = live
    unit_url = base + links(root)[UNIT]
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(unit_url)
    assert page.locator("h1").inner_text() == UNIT

    # the bad workbook through the plain file button
    page.set_input_files("#file", str(bad))
    with page.expect_navigation():
        page.click("#send")
    page.wait_for_selector("td.cell-repair")
    cell = page.locator("td.cell-repair")
    assert cell.get_attribute("data-pointer") == BAD_POINTER
    assert "应为 1" in cell.inner_text()
    assert page.locator(".status.errors").is_visible()
    assert "最可能出错" in page.locator(".repairs").inner_text()
    # the page fits a phone: only the tables scroll sideways, in their own box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # the fixed workbook dropped on the page
    payload = base64.b64encode(good.read_bytes()).decode()
    with page.expect_navigation():
        page.evaluate(
            """([payload, name]) => {
                const bytes = Uint8Array.from(atob(payload), c => c.charCodeAt(0));
                const transfer = new DataTransfer();
                transfer.items.add(new File([bytes], name));
                const drop = document.getElementById('drop');
                drop.dispatchEvent(new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
            }""",
            [payload, good.name],
        )
    page.wait_for_selector(".status.passed")
    assert page.locator("td.cell-repair").count() == 0
    assert page.locator("#history tbody tr").count() == 2

    with page.expect_download() as download_info:
        page.click("text=Word版报告")
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    target = tmp_path / "report.docx"
    download.save_as(target)
    assert target.read_bytes()[:2] == b"PK"
    assert not problems, problems  # no script error, no CSP violation

    office = context.new_page()
    office.goto(base + links(root)["政务公开办"])
    row = office.locator("#unit-table tbody tr", has_text=UNIT)
    assert "通过" in row.inner_text()
    context.close()
    token = links(root)[UNIT].split("/")[2]
    assert token not in log.read_text("utf-8", "replace")  # the access log never shows a token


def test_old_browser_features_only_in_the_script():
    """The page script is ES5 (old domestic Chromium builds): no arrow functions, let/const,
    template strings, classes or fetch."""
    script = (
        Path(__file__).resolve().parent.parent / "report_kit" / "serve" / "static" / "app.js"
    ).read_text()
    code = "\n".join(line.split("//")[0] for line in script.splitlines())
    for modern in ("=>", "let ", "const ", "`", "class ", "fetch(", "async ", "await "):
        assert modern not in code, modern
    assert (
        os.path.getsize(Path(__file__).resolve().parent.parent / "report_kit" / "serve" / "static" / "app.js")
        < 10_000
    )
