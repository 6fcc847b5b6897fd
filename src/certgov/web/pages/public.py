"""Public pages: the landing page, which says who the portal is for and what to do next. The
portal's record pages are in ``portal_records``, verification in ``portal_verify``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from certgov.http.deps import ContextDep
from certgov.web.pages.common import PageActor, render, router


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ctx: ContextDep, actor: PageActor) -> HTMLResponse:
    return render(
        request,
        "public/home.html",
        actor=actor,
        processes=sorted(ctx.processes.values(), key=lambda p: p.id),
    )
