"""The served application: the JSON API under /api/v1, the published logs and trusted list,
the pages, health and metrics. ``certgov serve`` runs :func:`create_app`."""

from __future__ import annotations

import anyio
import swagger_ui_bundle
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

from certgov import __version__
from certgov.api.app import api_openapi, include_api
from certgov.bootstrap import build_context
from certgov.context import Context
from certgov.http import errors
from certgov.http.deps import SESSION_COOKIE
from certgov.http.errors import install_error_handlers
from certgov.http.middleware import Measure
from certgov.http.security import Protect
from certgov.store.engine import unit_of_work
from certgov.web import pages
from certgov.web.pages.common import error_page, error_problems

#: Paths answered in JSON (or raw data): everything else is a page for people.
_MACHINE_PATHS = ("/api/", "/healthz", "/metrics", "/logs/", "/trust-list.xml")


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith(_MACHINE_PATHS)


def install_page_errors(app: FastAPI) -> None:
    """Errors on a page's address are pages in the reader's language, not JSON."""

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if not _is_page(request):
            return await errors.http_error(request, exc)
        detail = exc.detail if isinstance(exc.detail, str) else None
        return error_page(
            request, exc.status_code, error_problems(request, exc.status_code, detail)
        )

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if not _is_page(request):
            return await errors.validation_error(request, exc)
        problems = [
            f"{'.'.join(str(p) for p in err.get('loc', ())[1:]) or '—'}: {err.get('msg', '')}"
            for err in exc.errors()
        ]
        return error_page(request, 422, problems)

    async def unexpected(request: Request, exc: Exception) -> Response:
        response = await errors.unexpected(request, exc)
        if not _is_page(request):
            return response
        return error_page(request, 500, error_problems(request, 500))

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected)


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
        docs_url=None,
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

    install_error_handlers(app)
    install_page_errors(app)

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

    # The pages first: a page is matched in a few dozen route checks instead of after every
    # API route (about 180); no page lives under /api, so no API path is shadowed.
    app.include_router(pages.router)
    include_api(app)
    app.openapi = lambda: api_openapi(app)  # type: ignore[method-assign]
    # The API's documentation from the packaged Swagger UI (swagger-ui-bundle): no CDN.
    app.mount(
        "/api/docs/assets",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger-ui",
    )

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> Response:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="certgov API",
            swagger_js_url="/api/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/api/docs/assets/swagger-ui.css",
            swagger_favicon_url="/api/docs/assets/favicon-32x32.png",
        )

    app.mount(
        "/static",
        StaticFiles(packages=[("certgov.web", "static")]),
        name="static",
    )
    # Outermost: nothing reaches the application before the body is bounded and a cross-site
    # write refused; every response, errors included, gets the security headers.
    app.add_middleware(
        Protect,
        limit=ctx.settings.max_upload_bytes,
        session_cookie=SESSION_COOKIE,
        hsts=ctx.settings.secure_cookies,
    )
    return app
