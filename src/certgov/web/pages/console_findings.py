"""Findings for the regulators at ``/console/findings`` (ECS-4.2, ECS-6.2): filtered and
counted, triaged (confirm, dismiss with a reason, link to a case), and an enforcement case
opened from a confirmed finding. Other roles are refused (SYS-6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import REGULATORS, Actor
from certgov.context import Context
from certgov.enforcement import catalogue, triage
from certgov.enforcement import services as enforcement
from certgov.errors import CertgovError
from certgov.http.deps import ContextDep, SessionDep
from certgov.http.params import PathId
from certgov.i18n import N_, translate
from certgov.parties.models import Party
from certgov.store.engine import unit_of_work
from certgov.web.pages.common import (
    FormActor,
    PageActor,
    error_page,
    language_of,
    page_error,
    render,
    router,
    signed_in,
)

TRIAGE_TITLES = {
    triage.UNTRIAGED: N_("Not yet triaged"),
    triage.CONFIRMED: N_("Confirmed"),
    triage.DISMISSED: N_("Dismissed"),
}


def _refused(request: Request) -> Response:
    lang = language_of(request)
    return error_page(request, 403, [translate(lang, "Findings are triaged by the regulators.")])


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value and value.strip() else None
    except ValueError:
        return None


def _filter(request: Request) -> tuple[triage.FindingFilter, int]:
    q = request.query_params
    status = q.get("status", "open")
    return (
        triage.FindingFilter(
            status=status or None,
            triage=q.get("triage") or None,
            severity=q.get("severity") or None,
            party_id=_int(q.get("party")),
            province=q.get("province") or None,
            finding_id=_int(q.get("finding")),
        ),
        max(_int(q.get("page")) or 1, 1),
    )


def _link(request: Request, **changes: object) -> str:
    params = {k: v for k, v in request.query_params.items() if k != "lang"}
    params.pop("page", None)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "/console/findings" + (f"?{urlencode(params)}" if params else "")


def _page(
    request: Request,
    session: Session,
    ctx: Context,
    actor: Actor,
    status: int = 200,
    error: str | None = None,
) -> Response:
    flt, page = _filter(request)
    try:
        result = triage.list_findings(session, actor, flt, page=page)
    except CertgovError as refused:
        error = page_error(language_of(request), refused)
        flt = triage.FindingFilter()
        result = triage.list_findings(session, actor, flt)
        status = 422
    party_ids = {f.party_id for f in result.rows if f.party_id}
    if flt.party_id:
        party_ids.add(flt.party_id)
    parties = (
        {p.id: p.name for p in session.scalars(select(Party).where(Party.id.in_(party_ids)))}
        if party_ids
        else {}
    )
    violations = list(catalogue.catalogue(enforcement.ecs_rules(session, ctx)).values())
    return render(
        request,
        "console/findings.html",
        status=status,
        actor=actor,
        result=result,
        flt=flt,
        parties=parties,
        violations=violations,
        triage_titles=TRIAGE_TITLES,
        severities=triage.SEVERITY_ORDER,
        error=error,
        here=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        pages={
            "previous": _link(request, page=page - 1) if page > 1 else None,
            "next": _link(request, page=page + 1) if page < result.pages else None,
        },
    )


@router.get("/console/findings", response_class=HTMLResponse)
def findings_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    if actor.role not in REGULATORS:
        return _refused(request)
    return _page(request, session, ctx, actor)


def _back(back: str) -> str:
    """Where to return after an action: a findings or case page of ours, nothing else."""
    if back.startswith("/console/findings") or back.startswith("/console/cases/"):
        return back
    return "/console/findings"


def _act(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    back: str,
    action: Callable[[Session], Any],
) -> Response:
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    if actor.role not in REGULATORS:
        return _refused(request)
    try:
        with unit_of_work(ctx.sessions) as session:
            target = action(session)
    except CertgovError as refused:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _page(
                request,
                session,
                ctx,
                actor,
                status=422,
                error=page_error(language_of(request), refused),
            )
    return RedirectResponse(target or _back(back), status_code=303)


@router.post("/console/findings/{finding_id}/confirm", response_class=HTMLResponse)
def confirm(
    request: Request,
    finding_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    note: Annotated[str, Form(max_length=5000)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Confirm a finding: a problem to act on."""

    def act(session: Session) -> None:
        triage.confirm_finding(session, ctx, signed_in(actor), finding_id, note)

    return _act(request, ctx, actor, back, act)


@router.post("/console/findings/{finding_id}/dismiss", response_class=HTMLResponse)
def dismiss(
    request: Request,
    finding_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    reason: Annotated[str, Form(max_length=5000)] = "",
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Dismiss a finding with a reason; it stays closed."""

    def act(session: Session) -> None:
        triage.dismiss_finding(session, ctx, signed_in(actor), finding_id, reason)

    return _act(request, ctx, actor, back, act)


@router.post("/console/findings/{finding_id}/link", response_class=HTMLResponse)
def link(
    request: Request,
    finding_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    case_id: Annotated[int, Form(ge=1)],
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Link a finding to the case that deals with it."""

    def act(session: Session) -> None:
        triage.link_finding(session, ctx, signed_in(actor), finding_id, case_id)

    return _act(request, ctx, actor, back, act)


@router.post("/console/findings/{finding_id}/enforcement", response_class=HTMLResponse)
def open_enforcement(
    request: Request,
    finding_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    violation: Annotated[str, Form(max_length=64)],
    summary: Annotated[str, Form(max_length=5000)],
    back: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """ECS-6.2: open the enforcement case against the finding's party; on to its page."""

    def act(session: Session) -> str:
        case = triage.open_enforcement_from_finding(
            session, ctx, signed_in(actor), finding_id, violation=violation, summary=summary
        )
        return f"/console/cases/{case.id}"

    return _act(request, ctx, actor, back, act)
