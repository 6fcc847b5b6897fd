"""The HTTP application: API under /api/v1, health, metrics, web console (adapters only)."""

from __future__ import annotations

import logging
import time

import anyio
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from sqlalchemy import text
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from certgov import __version__
from certgov.api.routes import (
    appcert,
    auth,
    cases,
    complaints,
    conduct,
    credit,
    ecs,
    enforcement,
    filings,
    licences,
    logs,
    parties,
    recognition,
    reference,
    supervision,
    trustlist,
)
from certgov.context import Context, build_context
from certgov.errors import (
    CertgovError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from certgov.store.engine import unit_of_work
from certgov.web import pages

log = logging.getLogger("certgov.api")

API_PREFIX = "/api/v1"
#: Every router of the JSON API; the route × role test walks these.
API_ROUTERS = (
    reference.router,
    auth.router,
    parties.router,
    cases.router,
    logs.router,
    ecs.router,
    licences.router,
    conduct.router,
    filings.router,
    appcert.router,
    recognition.router,
    trustlist.router,
    supervision.router,
    complaints.router,
    enforcement.router,
    credit.router,
)

STATUS = {
    InvalidInput: 422,
    NotFound: 404,
    Unauthenticated: 401,
    Forbidden: 403,
    Conflict: 409,
}


def status_of(error: CertgovError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


class BodySizeLimit:
    """Refuse request bodies above the configured size with 413, before reading them whole."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._refuse(send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse(
            {
                "error": "too_large",
                "message": f"the request body is larger than the limit of {self.limit} bytes",
            },
            status_code=413,
        )
        await response({"type": "http"}, _no_receive, send)


class Measure:
    """Counts requests and their latency per route (Prometheus) and marks every response
    ``X-Content-Type-Options: nosniff``; plain ASGI, so it costs a function call per request,
    not the task and stream of an ``@app.middleware("http")``."""

    def __init__(self, app: ASGIApp, requests: Counter, latency: Histogram) -> None:
        self.app = app
        self.requests = requests
        self.latency = latency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            name = getattr(scope.get("route"), "path", "unmatched")
            self.requests.labels(scope["method"], name, str(status)).inc()
            self.latency.labels(name).observe(time.perf_counter() - started)


class _TooLarge(Exception):
    pass


async def _no_receive() -> Message:  # pragma: no cover - responses never read
    return {"type": "http.disconnect"}


def create_app(ctx: Context | None = None) -> FastAPI:
    ctx = ctx or build_context()
    app = FastAPI(
        title="certgov",
        version=__version__,
        description=(
            "Supervision of electronic certification service providers and app security "
            "certification. Machine clients authenticate with `Authorization: Bearer <token>`; "
            "people log in at `/api/v1/auth/login` (session cookie)."
        ),
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.state.verify_limiter = anyio.CapacityLimiter(ctx.settings.verify_threads)
    registry = CollectorRegistry()
    requests = Counter(
        "certgov_http_requests", "HTTP requests", ["method", "route", "status"], registry=registry
    )
    latency = Histogram(
        "certgov_http_request_seconds", "HTTP request latency", ["route"], registry=registry
    )

    app.add_middleware(Measure, requests=requests, latency=latency)

    @app.exception_handler(CertgovError)
    async def certgov_error(_request: Request, exc: CertgovError) -> JSONResponse:
        status = status_of(exc)
        if status == 500:
            log.error("unexpected certgov error: %s", exc.message)
        return JSONResponse(exc.as_dict(), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "where": ".".join(str(p) for p in err.get("loc", ())),
                "problem": err.get("msg", ""),
            }
            for err in exc.errors()
        ]
        summary = "; ".join(f"{p['where']}: {p['problem']}" for p in problems[:5])
        return JSONResponse(
            {
                "error": "invalid_input",
                "message": f"invalid request: {summary}",
                "details": {"problems": problems},
            },
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(
            {"error": code, "message": str(exc.detail)}, status_code=exc.status_code
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return JSONResponse(
            {"error": "internal", "message": "an unexpected error occurred; it has been logged"},
            status_code=500,
        )

    @app.get("/healthz", tags=["operations"], include_in_schema=True)
    def healthz() -> dict[str, str]:
        """Liveness and database reachability (no authentication)."""
        with unit_of_work(ctx.sessions, readonly=True) as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    def metrics() -> Response:
        """Prometheus metrics: request counts and latencies only, no case data."""
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(logs.tiles_router)
    app.include_router(trustlist.publication_router)
    app.include_router(pages.router)
    app.add_middleware(BodySizeLimit, limit=ctx.settings.max_upload_bytes)
    return app
