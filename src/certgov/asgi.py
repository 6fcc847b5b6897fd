"""The served application: the JSON API under /api/v1, the published logs and trusted list,
the pages, health and metrics. ``certgov serve`` runs :func:`create_app`."""

from __future__ import annotations

import anyio
from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from sqlalchemy import text

from certgov import __version__
from certgov.api.app import include_api
from certgov.bootstrap import build_context
from certgov.context import Context
from certgov.http.errors import install_error_handlers
from certgov.http.middleware import BodySizeLimit, Measure
from certgov.store.engine import unit_of_work
from certgov.web import pages


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

    install_error_handlers(app)

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

    include_api(app)
    app.include_router(pages.router)
    app.add_middleware(BodySizeLimit, limit=ctx.settings.max_upload_bytes)
    return app
