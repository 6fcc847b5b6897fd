"""The JSON API under /api/v1 and the published logs and trusted list (adapters only)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from certgov.actors import Role
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
    official_documents,
    parties,
    portal,
    recognition,
    reference,
    supervision,
    trustlist,
)
from certgov.http.deps import Allow

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
    portal.router,
    official_documents.router,
)


def include_api(app: FastAPI) -> None:
    """Mount every API router under :data:`API_PREFIX`, and the published logs (tiles) and
    trusted list at their own paths."""
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(logs.tiles_router)
    app.include_router(trustlist.publication_router)


_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "a stable code, e.g. not_found"},
        "message": {"type": "string", "description": "what was expected and what was found"},
        "hint": {"type": "string", "description": "what to do"},
        "details": {"type": "object"},
        "template": {
            "type": "string",
            "description": "the message before its parameters were put in: the same template "
            "is the same kind of refusal, whatever the record (for translation or matching)",
        },
        "params": {
            "type": "object",
            "description": "the parameters of the template; a code to be read in words comes "
            'as {"term": kind, "code": code}',
        },
    },
}
_ERRORS = {
    "401": "not authenticated: log in or present an API token",
    "403": "authenticated, but this role may not do this (SYS-6), or a cross-site or "
    "cookie-authenticated write without its CSRF token",
    "404": "no such record, or none this caller may see",
    "409": "conflicts with the current state (changed meanwhile, wrong state, duplicate)",
    "413": "the request body is larger than the limit",
    "415": "a write authenticated by the session cookie must send JSON",
    "422": "the input is malformed or breaks a rule; details name the field",
    "429": "too many requests: wait the Retry-After seconds",
}


def _roles(route: APIRoute) -> frozenset[Role]:
    def allows(dependant: Any) -> list[Allow]:
        found = [dependant.call] if isinstance(dependant.call, Allow) else []
        for sub in dependant.dependencies:
            found.extend(allows(sub))
        return found

    declared = allows(route.dependant)
    return frozenset.intersection(*(a.roles for a in declared)) if declared else frozenset()


def api_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document with its security schemes (bearer token; session cookie with
    its CSRF header) and, on every operation, the error answers it can give."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
    components["securitySchemes"] = {
        "bearerToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "an API token of a machine client (certgov admin token create)",
        },
        "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "certgov_session"},
        "csrfToken": {
            "type": "apiKey",
            "in": "header",
            "name": "X-CSRF-Token",
            "description": "with the session cookie, on every write (see /api/v1/auth/me)",
        },
    }
    roles_by_operation: dict[tuple[str, str], frozenset[Role]] = {}
    routers = [(API_PREFIX, router) for router in API_ROUTERS]
    routers += [("", logs.tiles_router), ("", trustlist.publication_router)]
    for prefix, router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute):
                for method in route.methods or ():
                    path = re.sub(r"{(\w+):\w+}", r"{\1}", prefix + route.path)
                    roles_by_operation[(path, method.lower())] = _roles(route)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            roles = roles_by_operation.get((path, method))
            if roles is None:
                continue
            writes = method in ("post", "put", "patch", "delete")
            security: list[dict[str, list[str]]] = [
                {"bearerToken": []},
                {"sessionCookie": [], "csrfToken": []} if writes else {"sessionCookie": []},
            ]
            if Role.PUBLIC in roles:
                security.append({})
            operation["security"] = security
            # A service may answer "nothing there" for a query's subject too (no rule set in
            # force on that date, no such party): 404 is possible everywhere.
            codes = ["404", "422", "429"]
            if Role.PUBLIC not in roles or len(roles) == 1:
                codes += ["401", "403"]
            else:
                codes += ["401"]
            if writes:
                codes += ["403", "409", "413", "415"]
            responses = operation.setdefault("responses", {})
            for code in sorted(set(codes)):
                responses.setdefault(
                    code,
                    {
                        "description": _ERRORS[code],
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    app.openapi_schema = document
    return document
