"""The certification body's page of one app certification (APP-9, APP-10): its status with suspension (from a stated earlier day), reinstatement and revocation, special inspections, related cases and history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.appcert import (
    certifications,
    compliance,
    schemas,
)
from certgov.appcert.base import (
    INSPECTION_PROCESS,
    SELF_ASSESSMENT_PROCESS,
    SUSPENSION_PROCESS,
    rules_on,
    today,
)
from certgov.appcert.models import AppCertification
from certgov.cases.models import Case
from certgov.context import Context
from certgov.errors import CertgovError, Forbidden
from certgov.http.deps import ContextDep, SessionDep
from certgov.store.engine import unit_of_work
from certgov.web.pages.common import (
    FormActor,
    PageActor,
    language_of,
    page_error,
    render,
    router,
    signed_in,
)
from certgov.web.pages.console_appcert import CERTIFICATE_ACTIONS, _refused


def _certification_page(
    request: Request,
    session: Session,
    ctx: Context,
    actor: Actor,
    number: str,
    status: int = 200,
    error: str | None = None,
) -> Response:
    try:
        cert: AppCertification = certifications.get(session, number)
    except CertgovError as missing:
        return render(
            request,
            "not_found.html",
            status=404,
            actor=actor,
            what=page_error(language_of(request), missing),
        )
    body = schemas.certification_out(session, ctx, cert)
    related = [
        c
        for process_id in (SUSPENSION_PROCESS, SELF_ASSESSMENT_PROCESS, INSPECTION_PROCESS)
        for c in session.scalars(
            select(Case)
            .where(Case.process_id == process_id, Case.subject_party_id == cert.party_id)
            .order_by(Case.id)
        )
        if c.data.get("certification") == cert.number
    ]
    actions = {
        "valid": ("suspend", "revoke"),
        "suspended": ("reinstate", "revoke"),
    }.get(body["status"], ())
    rule_set = rules_on(session, ctx, today(ctx))
    return render(
        request,
        "console/app_certification.html",
        status=status,
        actor=actor,
        cert=body,
        related=related,
        processes=ctx.processes,
        actions=actions,
        action_titles=CERTIFICATE_ACTIONS,
        triggers=rule_set.items("special_inspection_triggers") if actions else (),
        application_case_id=cert.application_case_id,
        today=today(ctx),
        error=error,
    )


@router.get("/console/app/certifications/{number}", response_class=HTMLResponse)
def certification_page(
    request: Request, number: str, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    if actor.role is not Role.CERTIFICATION_BODY:
        return _refused(request)
    return _certification_page(request, session, ctx, actor, number[:64])


def _certification_action(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    number: str,
    action: Callable[[Session], object],
) -> Response:
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    if actor.role is not Role.CERTIFICATION_BODY:
        return _refused(request)
    target: object = None
    try:
        with unit_of_work(ctx.sessions) as session:
            target = action(session)
    except CertgovError as refused:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _certification_page(
                request,
                session,
                ctx,
                actor,
                number,
                status=422,
                error=page_error(language_of(request), refused),
            )
    if isinstance(target, Case):
        return RedirectResponse(f"/console/cases/{target.id}", status_code=303)
    return RedirectResponse(f"/console/app/certifications/{number}", status_code=303)


@router.post("/console/app/certifications/{number}/status", response_class=HTMLResponse)
def change_status(
    request: Request,
    number: str,
    ctx: ContextDep,
    actor: FormActor,
    action: Annotated[str, Form(max_length=16)],
    reason: Annotated[str, Form(max_length=10_000)],
    version: Annotated[int, Form()],
    effective_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """APP-10: suspend (from a stated earlier day if decided on paper, SYS-8), reinstate or
    revoke, with a reason."""
    body: dict[str, Any] = {"action": action, "reason": reason, "expected_version": version}
    if effective_on.strip():
        body["effective_on"] = effective_on.strip()

    def act(session: Session) -> object:
        if signed_in(actor).role is not Role.CERTIFICATION_BODY:
            raise Forbidden("only the certification body changes a certification's status")
        return certifications.change_status(session, ctx, signed_in(actor), number[:64], body)

    return _certification_action(request, ctx, actor, number[:64], act)


@router.post("/console/app/certifications/{number}/inspections", response_class=HTMLResponse)
def open_inspection(
    request: Request,
    number: str,
    ctx: ContextDep,
    actor: FormActor,
    trigger: Annotated[str, Form(max_length=200)],
    description: Annotated[str, Form(max_length=10_000)],
) -> Response:
    """APP-8: open a special inspection of a certified app; on to its case page."""
    return _certification_action(
        request,
        ctx,
        actor,
        number[:64],
        lambda session: compliance.open_inspection(
            session,
            ctx,
            signed_in(actor),
            number[:64],
            {"trigger": trigger, "description": description},
        ),
    )
