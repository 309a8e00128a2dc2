"""The ASGI application of ``report-kit serve`` (Starlette): pages, JSON API, downloads.

Every route lives below a secret link, ``/k/<token>/``; the token decides whether the unit's
or the office's pages answer, and any other token (unknown, revoked, malformed, or the other
role's route) answers the same 404. Blocking work (the database, the worker pool) runs in
Starlette's thread pool, so one slow upload never holds up another request.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import json
import logging
import re
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from report_kit import settings
from report_kit.serve import links as links_module
from report_kit.serve.archive_sync import archive_upload
from report_kit.serve.review import ReviewCache
from report_kit.serve.store import NewUpload, Store
from report_kit.serve.worker import JobFailed, WorkerPool, display_name

HERE = Path(__file__).resolve().parent
MULTIPART_SLACK = 64 * 1024  # form boundaries and headers around the file

log = logging.getLogger("report_kit.serve")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


@dataclass
class ServeConfig:
    root: Path
    base_url: str = "http://127.0.0.1:8765/"
    year: int | None = None
    deadline: dt.date | None = None
    today: dt.date | None = None  # fixed "today" for reproducible reviews (tests)
    db_url: str | None = None
    workers: int = 2
    max_upload: int = settings.MAX_INPUT_BYTES
    job_timeout: float = 60.0
    memory_limit: int = 2 * 1024**3
    plan: str | None = None
    extra: dict = field(default_factory=dict)

    def day(self) -> dt.date:
        return self.today or dt.date.today()


class Service:
    """What the routes share: the store, the worker pool, the review cache, the CSRF key."""

    def __init__(self, config: ServeConfig, store: Store | None = None, pool: WorkerPool | None = None):
        self.config = config
        config.root.mkdir(parents=True, exist_ok=True)
        self.store = store or Store.in_root(config.root, config.db_url)
        self.pool = pool or WorkerPool(config.workers, config.job_timeout, config.memory_limit)
        self.ledger = None
        if config.plan:
            from report_kit.plan.ledger import load_ledger

            self.ledger = load_ledger(config.plan)  # PlanError: the command says why in Chinese
        self.reviews = ReviewCache(self.store, self.ledger)
        self.csrf_key = self.store.setting("csrf_key", lambda: secrets.token_hex(32)).encode()
        self.templates = Jinja2Templates(directory=str(HERE / "pages"))
        self.templates.env.globals["static"] = "/static/"
        self._office_lock = threading.Lock()
        self._office_cache: tuple | None = None
        self._refresh_lock = threading.Lock()
        self._refresh_wanted = self._refreshing = self._closed = False

    def csrf(self, link: links_module.Link, purpose: str) -> str:
        message = f"{link.id}:{purpose}".encode()
        return hmac.new(self.csrf_key, message, "sha256").hexdigest()

    def csrf_ok(self, link: links_module.Link, purpose: str, given: str | None) -> bool:
        return isinstance(given, str) and hmac.compare_digest(self.csrf(link, purpose), given)

    def review(self):
        config = self.config
        return self.reviews.get(year=config.year, today=config.day(), deadline=config.deadline)

    def office_html(self, base: str) -> str:
        """The office page, rendered once per change of the data (an upload, a link, the day):
        the office reloads it often, the jurisdiction changes far less often."""
        from report_kit.serve.office import office_context

        key = (self.store.generation(), self.config.day(), base)
        with self._office_lock:
            if self._office_cache is not None and self._office_cache[0] == key:
                return self._office_cache[1]
            context = {**office_context(self), "base": base, "office": True, "static": "/static/"}
            html = self.templates.get_template("office.html").render(context)
            self._office_cache = (key, html)
            return html

    def refresh_soon(self) -> None:
        """After an upload: rebuild the review and the office page in the background (one
        rebuild at a time, the latest change wins), so the office rarely waits for it."""
        with self._refresh_lock:
            self._refresh_wanted = True
            if self._refreshing:
                return
            self._refreshing = True
        threading.Thread(target=self._refresh, name="office-refresh", daemon=True).start()

    def _refresh(self) -> None:
        while True:
            with self._refresh_lock:
                if not self._refresh_wanted or self._closed:
                    self._refreshing = False
                    return
                self._refresh_wanted = False
            with contextlib.suppress(Exception):  # a failure here only costs the cache
                office = links_module.listed_links(self.store)[0]
                if office["token"]:
                    self.office_html(links_module.link_path(office["token"]))

    def close(self) -> None:
        with self._refresh_lock:
            self._closed = True
        self.pool.close()
        self.store.close()


def _not_found() -> HTTPException:
    return HTTPException(404, "页面不存在")


async def _link(request: Request, role: str) -> links_module.Link:
    service: Service = request.app.state.service
    link = await run_in_threadpool(links_module.lookup, service.store, request.path_params.get("token", ""))
    if link is None or link.role != role:
        raise _not_found()
    return link


async def _any_link(request: Request) -> links_module.Link:
    service: Service = request.app.state.service
    link = await run_in_threadpool(links_module.lookup, service.store, request.path_params.get("token", ""))
    if link is None:
        raise _not_found()
    return link


def _same_origin(request: Request) -> bool:
    """A form post must come from the service's own pages (the browser says so in Origin)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


async def _limited_form(request: Request, limit: int):
    """The multipart form, refusing (413) a body larger than the upload limit — before it is
    read when Content-Length says so, else as soon as the stream passes it."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit + MULTIPART_SLACK:
                raise HTTPException(413, "文件过大")
        except ValueError:
            raise HTTPException(400, "请求无效") from None
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit + MULTIPART_SLACK:
            raise HTTPException(413, "文件过大")
        chunks.append(chunk)
    body = b"".join(chunks)

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    replay = Request(request.scope, receive)
    try:
        return await replay.form(max_files=1, max_fields=8)
    except Exception:  # a malformed multipart body
        raise HTTPException(400, "上传内容格式无效") from None


async def _upload_from(request: Request, link: links_module.Link) -> tuple[dict, dict]:
    """Read the form's ``file``, check it in a worker, keep it; returns (check result, upload row)."""
    service: Service = request.app.state.service
    config = service.config
    form = await _limited_form(request, config.max_upload)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise HTTPException(400, "请选择要上传的文件（表单字段 file）")
    content = await upload.read(config.max_upload + 1)
    if len(content) > config.max_upload:
        raise HTTPException(413, "文件过大")
    return await run_in_threadpool(_keep, service, link, display_name(upload.filename or ""), content)


def _keep(service: Service, link: links_module.Link, file_name: str, content: bytes) -> tuple[dict, dict]:
    config = service.config
    job = service.pool.check(content, file_name, config.day(), config.deadline, config.plan)
    counts = job["counts"]
    row = service.store.add_upload(
        link.unit_id,
        NewUpload(
            file_name=file_name,
            content=content,
            result=job["result"],
            entry=job["entry"],
            submission=job["submission"],
            valid=job["valid"],
            errors=counts.get("error", 0),
            warnings=counts.get("warning", 0),
        ),
    )
    archive_upload(service, row["id"], file_name, content, job["submission"], job["entry"])
    service.refresh_soon()
    return job, row


def _upload_listing(row: dict) -> dict:
    return {
        "id": row["id"],
        "version": row["version"],
        "file": row["file_name"],
        "size": row["size"],
        "sha256": row["sha256"],
        "received_at": row["received_at"],
        "valid": bool(row["valid"]),
        "errors": row["errors"],
        "warnings": row["warnings"],
    }


# ---------------------------------------------------------------- unit routes


async def api_submissions(request: Request) -> Response:
    link = await _link(request, links_module.ROLE_UNIT)
    service: Service = request.app.state.service
    if request.method == "POST":
        job, _ = await _upload_from(request, link)
        return Response(job["result"], media_type="application/json; charset=utf-8")
    rows = await run_in_threadpool(service.store.uploads, link.unit_id)
    return JSONResponse([_upload_listing(row) for row in rows])


async def unit_upload_form(request: Request) -> Response:
    link = await _link(request, links_module.ROLE_UNIT)
    service: Service = request.app.state.service
    if not _same_origin(request):
        raise HTTPException(403, "请求来源无效")
    form = await _limited_form(request, service.config.max_upload)
    if not service.csrf_ok(link, "upload", form.get("csrf")):
        raise HTTPException(403, "页面已过期，请刷新后重新上传")
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return RedirectResponse(links_module.link_path(link.token) + "?empty=1", status_code=303)
    content = await upload.read(service.config.max_upload + 1)
    if len(content) > service.config.max_upload:
        raise HTTPException(413, "文件过大")
    await run_in_threadpool(_keep, service, link, display_name(upload.filename), content)
    return RedirectResponse(links_module.link_path(link.token) + "#result", status_code=303)


def _unit_context(service: Service, link: links_module.Link, unit_id: int, upload_id: int | None = None):
    from report_kit.serve.views import unit_sections

    store = service.store
    uploads = store.uploads(unit_id)
    chosen = None
    if uploads:
        wanted = upload_id if upload_id is not None else uploads[0]["id"]
        chosen = store.upload(unit_id, wanted)
    body = None
    result = None
    if chosen is not None:
        result = json.loads(chosen["result"])
        submission = json.loads(chosen["submission"]) if chosen["submission"] else None
        body = unit_sections(result, submission)
    return {
        "uploads": [_upload_listing(row) for row in uploads],
        "chosen": _upload_listing(chosen) if chosen else None,
        "result": result,
        "body": body,
    }


async def page(request: Request) -> Response:
    link = await _any_link(request)
    service: Service = request.app.state.service
    templates: Jinja2Templates = request.app.state.templates
    base = links_module.link_path(link.token)
    if link.role == links_module.ROLE_OFFICE:
        return await _office_page(request, link, service, templates, base)
    chosen = request.query_params.get("v")
    upload_id = int(chosen) if chosen and chosen.isdigit() else None
    context = await run_in_threadpool(_unit_context, service, link, link.unit_id, upload_id)
    if upload_id is not None and (context["chosen"] is None or context["chosen"]["id"] != upload_id):
        raise _not_found()
    return templates.TemplateResponse(
        request,
        "unit.html",
        {
            **context,
            "unit": link.unit_name,
            "base": base,
            "csrf": service.csrf(link, "upload"),
            "year": service.config.year,
            "deadline": service.config.deadline,
            "max_mb": service.config.max_upload // (1024 * 1024),
            "empty": bool(request.query_params.get("empty")),
            "office": False,
        },
    )


async def download(request: Request) -> Response:
    link = await _any_link(request)
    service: Service = request.app.state.service
    kind = request.path_params["kind"]
    upload_id = request.path_params["upload_id"]
    unit_id = link.unit_id
    if link.role == links_module.ROLE_OFFICE:
        unit_id = request.path_params.get("unit_id")
        if unit_id is None:
            raise _not_found()
    elif "unit_id" in request.path_params:
        raise _not_found()
    row = await run_in_threadpool(service.store.upload, unit_id, upload_id, content=True)
    if row is None or kind not in ("annotated.xlsx", "report.docx", "report.html", "original"):
        raise _not_found()
    from report_kit.serve import worker

    config = service.config
    stem = Path(row["file_name"]).stem or "上传文件"
    try:
        if kind == "original":
            data, name = row["content"], row["file_name"]
        elif kind == "annotated.xlsx":
            data = await run_in_threadpool(
                service.pool.run,
                worker.annotate_job,
                row["content"],
                row["file_name"],
                config.day(),
                config.deadline,
            )
            name = f"{stem}-标注.xlsx"
        else:
            suffix = kind.split(".")[1]
            data = await run_in_threadpool(
                service.pool.run,
                worker.report_job,
                row["content"],
                row["file_name"],
                config.day(),
                config.deadline,
                suffix,
            )
            submission = json.loads(row["submission"]) if row["submission"] else None
            from report_kit.report_content import default_filename

            name = default_filename(submission, f".{suffix}") if submission else f"{stem}.{suffix}"
    except JobFailed as failed:
        return _message(request, f"无法生成：{failed.reason}", 422)
    if isinstance(data, str):
        return _message(request, data, 422)
    return _attachment(data, name)


async def template_download(request: Request) -> Response:
    link = await _link(request, links_module.ROLE_UNIT)
    service: Service = request.app.state.service
    from report_kit.serve import worker

    submission = None
    if request.query_params.get("filled"):
        rows = await run_in_threadpool(service.store.uploads, link.unit_id)
        for listed in rows:
            row = await run_in_threadpool(service.store.upload, link.unit_id, listed["id"])
            if row and row["submission"]:
                submission = json.loads(row["submission"])
                break
    try:
        data = await run_in_threadpool(
            service.pool.run, worker.template_job, submission, link.unit_name, service.config.year
        )
    except JobFailed as failed:
        return _message(request, f"无法生成：{failed.reason}", 422)
    year = service.config.year
    name = f"{link.unit_name}{year or ''}{'年' if year else ''}政府信息公开工作年度报告填报表.xlsx"
    return _attachment(data, name)


# ---------------------------------------------------------------- office routes


async def api_review(request: Request) -> Response:
    await _link(request, links_module.ROLE_OFFICE)
    service: Service = request.app.state.service
    review = await run_in_threadpool(service.review)
    body = json.dumps(review.data, ensure_ascii=False, default=str) + "\n"
    return Response(body, media_type="application/json; charset=utf-8")


async def _office_page(request, link, service: Service, templates, base) -> Response:
    html = await run_in_threadpool(service.office_html, base)
    return HTMLResponse(html)


async def links_page(request: Request) -> Response:
    link = await _link(request, links_module.ROLE_OFFICE)
    service: Service = request.app.state.service
    from report_kit.serve.office import links_context

    context = await run_in_threadpool(links_context, service, link)
    base = links_module.link_path(link.token)
    return service.templates.TemplateResponse(
        request, "links.html", {**context, "base": base, "office": True}
    )


async def office_unit(request: Request) -> Response:
    link = await _link(request, links_module.ROLE_OFFICE)
    service: Service = request.app.state.service
    unit_id = request.path_params["unit_id"]
    row = await run_in_threadpool(
        service.store.read().one, "SELECT id, name FROM serve_units WHERE id = ?", (unit_id,)
    )
    if row is None:
        raise _not_found()
    chosen = request.query_params.get("v")
    upload_id = int(chosen) if chosen and chosen.isdigit() else None
    context = await run_in_threadpool(_unit_context, service, link, unit_id, upload_id)
    base = links_module.link_path(link.token)
    return request.app.state.templates.TemplateResponse(
        request,
        "unit.html",
        {
            **context,
            "unit": row["name"],
            "base": base,
            "unit_base": f"{base}units/{unit_id}/",
            "csrf": "",
            "year": service.config.year,
            "deadline": service.config.deadline,
            "max_mb": 0,
            "empty": False,
            "office": True,
        },
    )


async def review_xlsx(request: Request) -> Response:
    await _link(request, links_module.ROLE_OFFICE)
    service: Service = request.app.state.service

    def make() -> bytes:
        import tempfile

        from report_kit.batch.outputs_xlsx import write_review_workbook

        review = service.reviews.fresh_copy(
            year=service.config.year, today=service.config.day(), deadline=service.config.deadline
        )
        with tempfile.TemporaryDirectory(prefix="report-kit-review-") as folder:
            target = Path(folder) / "review.xlsx"
            write_review_workbook(review.result, target)
            return target.read_bytes()

    return _attachment(await run_in_threadpool(make), "审核结果.xlsx")


async def manage_link(request: Request) -> Response:
    link = await _link(request, links_module.ROLE_OFFICE)
    service: Service = request.app.state.service
    action = request.path_params["action"]
    if action not in ("revoke", "reissue") or not _same_origin(request):
        raise HTTPException(403 if action in ("revoke", "reissue") else 404, "请求无效")
    form = await _limited_form(request, 4096)
    if not service.csrf_ok(link, "links", form.get("csrf")):
        raise HTTPException(403, "页面已过期，请刷新后重试")
    target = form.get("unit")
    if target == "office" and action == "reissue":
        token = await run_in_threadpool(links_module.reissue, service.store, None)
        await run_in_threadpool(_write_links, service)
        return RedirectResponse(links_module.link_path(token) + "links", status_code=303)
    if not isinstance(target, str) or not target.isdigit():
        raise HTTPException(400, "请求无效")
    unit = await run_in_threadpool(
        service.store.read().one,
        "SELECT id FROM serve_units WHERE id = ? AND position IS NOT NULL",
        (int(target),),
    )
    if unit is None:
        raise _not_found()
    if action == "revoke":
        await run_in_threadpool(links_module.revoke, service.store, unit["id"])
    else:
        await run_in_threadpool(links_module.reissue, service.store, unit["id"])
    await run_in_threadpool(_write_links, service)
    return RedirectResponse(links_module.link_path(link.token) + "links", status_code=303)


def _write_links(service: Service) -> None:
    links_module.write_links_csv(service.store, service.config.root, service.config.base_url)


# ---------------------------------------------------------------- plumbing


def _attachment(data: bytes, name: str) -> Response:
    media = {
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".html": "text/html; charset=utf-8",
        ".json": "application/json",
    }.get(Path(name).suffix.lower(), "application/octet-stream")
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", name.encode("ascii", "ignore").decode()) or "download"
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media, headers={"content-disposition": disposition})


def _message(request: Request, text: str, status: int) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "message.html", {"message": text}, status_code=status)


_STATUS_TEXT = {400: "请求无效", 403: "禁止访问", 404: "页面不存在", 405: "不支持该请求方式", 413: "文件过大"}


async def http_error(request: Request, exc: HTTPException) -> Response:
    service: Service = request.app.state.service
    text = (
        exc.detail
        if isinstance(exc.detail, str) and exc.status_code != 404
        else _STATUS_TEXT.get(exc.status_code, "请求无效")
    )
    if exc.status_code == 413:
        text = f"文件过大：上传文件不能超过{service.config.max_upload // (1024 * 1024) or 1}MB。"
    if "/api/" in request.url.path or "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"error": text}, status_code=exc.status_code)
    return PlainTextResponse(text, status_code=exc.status_code)


class SecurityHeaders:
    """Pure ASGI middleware: the same headers on every answer, errors and static files too."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.decode().lower() not in SECURITY_HEADERS
                ]
                headers.extend((k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items())
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


def create_app(
    config: ServeConfig, *, store: Store | None = None, pool: WorkerPool | None = None
) -> Starlette:
    service = Service(config, store, pool)
    token = "/k/{token}"
    routes = [
        Route(f"{token}/", page),
        Route(f"{token}/api/submissions", api_submissions, methods=["GET", "POST"]),
        Route(f"{token}/upload", unit_upload_form, methods=["POST"]),
        Route(f"{token}/uploads/{{upload_id:int}}/{{kind}}", download),
        Route(f"{token}/template.xlsx", template_download),
        Route(f"{token}/api/review", api_review),
        Route(f"{token}/review.xlsx", review_xlsx),
        Route(f"{token}/units/{{unit_id:int}}/", office_unit),
        Route(f"{token}/units/{{unit_id:int}}/uploads/{{upload_id:int}}/{{kind}}", download),
        Route(f"{token}/links", links_page),
        Route(f"{token}/links/{{action}}", manage_link, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        # uvicorn re-raises SIGTERM/SIGINT once it has shut down, so the workers are stopped
        # here, during the shutdown, not after uvicorn.run returns
        await run_in_threadpool(service.close)

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error}, lifespan=lifespan)
    app.state.service = service
    app.state.templates = service.templates
    app.add_middleware(SecurityHeaders)
    return app
