"""The JSON API under /api/v1 and the published logs and trusted list (adapters only)."""

from __future__ import annotations

from fastapi import FastAPI

from certgov.api.routes import (
    appcert,
    auth,
    cases,
    complaints,
    conduct,
    credit,
    documents,
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
    documents.router,
    appcert.router,
    recognition.router,
    trustlist.router,
    supervision.router,
    complaints.router,
    enforcement.router,
    credit.router,
)


def include_api(app: FastAPI) -> None:
    """Mount every API router under :data:`API_PREFIX`, and the published logs (tiles) and
    trusted list at their own paths."""
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(logs.tiles_router)
    app.include_router(trustlist.publication_router)
