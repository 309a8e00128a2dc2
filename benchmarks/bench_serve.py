"""``report-kit serve`` speed and load (issue 15), run by hand: ``python benchmarks/bench_serve.py``.

Everything runs against the real service (``python -m report_kit serve`` on 127.0.0.1, a
fresh process) over loopback only:
- upload latency: a filled workbook posted to ``api/submissions`` one after another (target
  ≤ 100 ms p50 on 2 cores);
- load: 200 uploads from 20 concurrent clients (one unit each, ten uploads per client); every
  upload must be listed afterwards with its own version; p50/p95 reported;
- the office page of a 500-unit jurisdiction (every unit with a current upload, stored
  directly into the service's SQLite store before the server starts): first render after a
  change (the review rebuilt) and later renders (cached), target ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import csv
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "轮台县市场监督管理局-2024.json"


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Server:
    def __init__(self, root: Path, roster: Path, workers: int = 2, db: str | None = None) -> None:
        self.port = _port()
        command = [sys.executable, "-m", "report_kit", "serve", str(root), "--roster", str(roster)]
        command += ["--year", "2024", "--port", str(self.port), "--workers", str(workers)]
        if db:
            command += ["--db", db]
        self.log = open(root.parent / f"server-{self.port}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(self.base + "/static/app.css", timeout=2).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the service did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _links(root: Path) -> dict[str, str]:
    with open(root / "访问链接.csv", encoding="utf-8-sig", newline="") as handle:
        return {name: url for name, url in list(csv.reader(handle))[1:]}


def _roster(folder: Path, names: list[str]) -> Path:
    path = folder / "名单.csv"
    path.write_text("单位名称\n" + "\n".join(names) + "\n", encoding="utf-8")
    return path


def _workbook(folder: Path) -> bytes:
    from report_kit.writers.template_xlsx import write_workbook

    path = folder / "填报.xlsx"
    write_workbook(path, json.loads(EXAMPLE.read_text(encoding="utf-8")))
    return path.read_bytes()


def bench_uploads(count: int = 50, clients: int = 20, per_client: int = 10, db: str | None = None) -> dict:
    import httpx

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        names = [f"测试县第{i + 1}局" for i in range(clients)]
        root = tmp / "root"
        server = Server(root, _roster(tmp, names), db=db)
        data = _workbook(tmp)
        urls = _links(root)
        try:
            with httpx.Client(timeout=120) as client:
                first = urls[names[0]] + "api/submissions"
                client.post(first, files={"file": ("填报.xlsx", data)})  # warm-up
                single = []
                for _ in range(count):
                    start = time.perf_counter()
                    answer = client.post(first, files={"file": ("填报.xlsx", data)})
                    single.append(time.perf_counter() - start)
                    assert answer.status_code == 200 and answer.json()["valid"], answer.text[:200]

            timings: list[float] = []
            failures: list[str] = []
            lock = threading.Lock()

            def client_run(name: str) -> None:
                with httpx.Client(timeout=300) as client:
                    for _ in range(per_client):
                        start = time.perf_counter()
                        try:
                            answer = client.post(
                                urls[name] + "api/submissions", files={"file": ("填报.xlsx", data)}
                            )
                            ok = answer.status_code == 200
                        except httpx.HTTPError as exc:
                            ok, answer = False, exc
                        with lock:
                            timings.append(time.perf_counter() - start)
                            if not ok:
                                failures.append(str(answer)[:200])

            threads = [threading.Thread(target=client_run, args=(name,)) for name in names]
            wall = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - wall
            kept = 0
            with httpx.Client(timeout=60) as client:
                for name in names:
                    listed = client.get(urls[name] + "api/submissions").json()
                    versions = sorted(u["version"] for u in listed)
                    expected = per_client + (count + 1 if name == names[0] else 0)
                    assert versions == list(range(1, expected + 1)), (name, versions)
                    kept += len(listed)
        finally:
            server.stop()
    return {
        "upload_p50_ms": round(statistics.median(single) * 1000, 1),
        "upload_p95_ms": round(_quantile(single, 0.95) * 1000, 1),
        "load_uploads": clients * per_client,
        "load_clients": clients,
        "load_failures": len(failures),
        "load_kept": kept - count - 1,
        "load_p50_ms": round(statistics.median(timings) * 1000, 1),
        "load_p95_ms": round(_quantile(timings, 0.95) * 1000, 1),
        "load_throughput_per_s": round(len(timings) / wall, 1),
    }


def _populate(root: Path, names: list[str], data: bytes) -> None:
    """Every unit with one current upload, written straight into the store (500 uploads over
    HTTP would measure the upload again, not the office page)."""
    from report_kit.batch.roster import RosterUnit
    from report_kit.serve import links
    from report_kit.serve.store import NewUpload, Store
    from report_kit.serve.worker import check_job

    job = check_job(data, "填报.xlsx", None, None)
    root.mkdir(parents=True, exist_ok=True)
    store = Store.in_root(root)
    links.sync_roster(store, [RosterUnit(i, name) for i, name in enumerate(names)])
    rows = store.read().all("SELECT id, name FROM serve_units")
    for row in rows:
        entry = dict(job["entry"], unit=row["name"])
        upload = NewUpload("填报.xlsx", data, job["result"], entry, job["submission"], True, 0, 0)
        store.add_upload(row["id"], upload)
    store.close()


def bench_office(units: int = 500, repeats: int = 20) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        names = [f"测试县第{i + 1}局" for i in range(units)]
        root = tmp / "root"
        _populate(root, names, _workbook(tmp))
        server = Server(root, _roster(tmp, names))
        office = _links(root)["政务公开办"]
        try:
            start = time.perf_counter()
            page = urllib.request.urlopen(office, timeout=120).read()
            cold = time.perf_counter() - start
            warm = []
            for _ in range(repeats):
                start = time.perf_counter()
                urllib.request.urlopen(office, timeout=120).read()
                warm.append(time.perf_counter() - start)
            start = time.perf_counter()
            review = urllib.request.urlopen(office + "api/review", timeout=120).read()
            review_time = time.perf_counter() - start
        finally:
            server.stop()
    return {
        "office_units": units,
        "office_page_kb": round(len(page) / 1024),
        "office_first_ms": round(cold * 1000, 1),
        "office_p50_ms": round(statistics.median(warm) * 1000, 1),
        "office_p95_ms": round(_quantile(warm, 0.95) * 1000, 1),
        "review_json_ms": round(review_time * 1000, 1),
        "review_json_kb": round(len(review) / 1024),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--db", help="postgresql://… to run the upload and load part on PostgreSQL")
    args = parser.parse_args(argv)
    results = {**bench_uploads(db=args.db), **bench_office(args.units)}
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return results


if __name__ == "__main__":
    main()
