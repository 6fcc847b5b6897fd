"""Public pages: the landing page and the registry of licensed CAs (SYS-4)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from certgov.http.deps import ContextDep, SessionDep
from certgov.publication.registry import ca_registry
from certgov.web.pages.common import PageActor, render, router


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ctx: ContextDep, actor: PageActor) -> HTMLResponse:
    return render(
        request,
        "home.html",
        actor=actor,
        processes=sorted(ctx.processes.values(), key=lambda p: p.id),
    )


@router.get("/registry", response_class=HTMLResponse)
def registry_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """SYS-4: the public registry of licensed CAs."""
    return render(request, "registry.html", actor=actor, entries=ca_registry(session, ctx))
