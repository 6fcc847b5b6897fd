"""The officials' and parties' console: login, the case list, process diagrams, case pages with reviews and transitions (SYS-1, SYS-7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.cases import services as cases
from certgov.cases.schemas import case_detail, event_out
from certgov.context import Context
from certgov.errors import CertgovError, TooManyRequests
from certgov.http.deps import SESSION_COOKIE, ContextDep, SessionDep
from certgov.http.params import PathId
from certgov.http.sessions import set_session_cookie
from certgov.i18n import translate
from certgov.identity import services as identity
from certgov.licensing import services as licensing
from certgov.store.engine import unit_of_work
from certgov.web.pages.common import (
    FormActor,
    PageActor,
    language_of,
    render,
    router,
    signed_in,
)
from certgov.workflow.diagram import render_svg


@router.get("/console", response_class=HTMLResponse)
def console(request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor) -> Response:
    if actor is None:
        return render(request, "login.html", actor=None, error=None)
    visible = cases.list_cases(session, ctx, actor, limit=100)
    return render(request, "console.html", actor=actor, cases=visible, processes=ctx.processes)


@router.post("/console/login", response_class=HTMLResponse)
def console_login(
    request: Request,
    ctx: ContextDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    client = request.client.host if request.client else "unknown"
    try:
        secret, _described = identity.attempt_login(ctx, username, password, client)
    except TooManyRequests as exc:
        wait = int(exc.details.get("retry_after", 1))
        refused = render(
            request,
            "login.html",
            status=429,
            actor=None,
            error=translate(
                language_of(request), "Too many failed logins: try again in {seconds} seconds."
            ).format(seconds=wait),
        )
        refused.headers["Retry-After"] = str(wait)
        return refused
    except CertgovError:
        return render(
            request,
            "login.html",
            status=401,
            actor=None,
            error=translate(language_of(request), "Wrong username or password."),
        )
    response = RedirectResponse("/console", status_code=303)
    set_session_cookie(response, secret, ctx)
    return response


@router.get("/console/login")
def console_login_page(request: Request) -> Response:
    """The login form lives at /console; links to this URL (e.g. the language switch on a
    failed-login page) land there with their query."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/console{query}", status_code=303)


@router.post("/console/logout")
def console_logout(request: Request, ctx: ContextDep, session: SessionDep) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        identity.log_out(session, ctx.clock, cookie)
    response = RedirectResponse("/console", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/console/processes/{process_id}", response_class=HTMLResponse)
def process_page(request: Request, process_id: str, ctx: ContextDep, actor: PageActor) -> Response:
    process = ctx.processes.get(process_id)
    if process is None:
        return render(request, "not_found.html", status=404, actor=actor, what=process_id)
    return render(request, "process.html", actor=actor, process=process, svg=render_svg(process))


def _case_page(
    request: Request, session: Session, ctx: Context, actor: Actor, case_id: int, **extra: Any
) -> Response:
    case = cases.get_case(session, ctx, actor, case_id)
    detail = case_detail(session, ctx, actor, case)
    detail["history"] = [event_out(e) for e in cases.history(session, case)]
    application = (
        licensing.application_view(session, ctx, actor, case_id)
        if case.process_id == licensing.PROCESS
        else None
    )
    may_review = (
        application is not None
        and actor.role in (Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR)
        and case.state in licensing.REVIEW_STATES
    )
    return render(
        request,
        "case.html",
        status=extra.pop("status", 200),
        actor=actor,
        case=detail,
        process=ctx.processes[case.process_id],
        application=application,
        may_review=may_review,
        **extra,
    )


@router.get("/console/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: PathId, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    try:
        return _case_page(request, session, ctx, actor, case_id, error=None)
    except CertgovError as error:
        return render(request, "not_found.html", status=404, actor=actor, what=error.message)


def _form_action(
    request: Request,
    case_id: int,
    ctx: Context,
    actor: Actor | None,
    action: Callable[[Session], object],
) -> Response:
    """Run ``action`` in its own unit of work; on success back to the case page (303), on a
    refusal the page again with the message, nothing written."""
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    try:
        with unit_of_work(ctx.sessions) as session:
            action(session)
    except CertgovError as error:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            try:
                return _case_page(
                    request, session, ctx, actor, case_id, error=error.message, status=422
                )
            except CertgovError as hidden:
                return render(
                    request, "not_found.html", status=404, actor=actor, what=hidden.message
                )
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)


@router.post("/console/cases/{case_id}/reviews", response_class=HTMLResponse)
def case_review(
    request: Request,
    case_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    item: Annotated[str, Form(max_length=64)],
    status: Annotated[str, Form(max_length=16)],
    note: Annotated[str, Form(max_length=2000)],
    version: Annotated[int, Form()],
) -> Response:
    """ECS-2.2: a reviewer's judgement on one item, from the case page."""
    return _form_action(
        request,
        case_id,
        ctx,
        actor,
        lambda session: licensing.review_item(
            session,
            ctx,
            signed_in(actor),
            case_id,
            item=item,
            status=status,
            note=note,
            expected_version=version,
        ),
    )


@router.post("/console/cases/{case_id}/transitions", response_class=HTMLResponse)
def case_transition(
    request: Request,
    case_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    transition: Annotated[str, Form(max_length=64)],
    version: Annotated[int, Form()],
    reason: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """SYS-1: take a transition from the case page."""
    return _form_action(
        request,
        case_id,
        ctx,
        actor,
        lambda session: cases.transition(
            session,
            ctx,
            signed_in(actor),
            case_id,
            transition,
            expected_version=version,
            reason=reason,
        ),
    )
