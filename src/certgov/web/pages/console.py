"""The officials' and parties' console: login, the work queue (console_queue), process
diagrams, case pages with their substance (evaluation, complaint, enforcement), transitions,
deadline extensions, assignment, referral and evidence downloads (SYS-1, SYS-6, SYS-7)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.cases import queue
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.cases.queue import business_days_left
from certgov.cases.schemas import case_detail, event_out
from certgov.clock import china_date
from certgov.complaints import services as complaint_services
from certgov.context import Context
from certgov.enforcement import catalogue
from certgov.enforcement import services as enforcement
from certgov.errors import CertgovError, Forbidden, InvalidInput, TooManyRequests
from certgov.http.deps import SESSION_COOKIE, ContextDep, SessionDep
from certgov.http.params import PathId
from certgov.http.sessions import set_session_cookie
from certgov.i18n import N_, translate
from certgov.identity import services as identity
from certgov.identity.models import User
from certgov.licensing import services as licensing
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
from certgov.web.pages.console_queue import work_queue_page
from certgov.workflow.diagram import render_svg


def _party_home() -> Callable[..., Response] | None:
    """The CA's and app operator's own home, from the self-service pages once they exist."""
    try:
        from certgov.web.pages import self_service  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    home: Callable[..., Response] | None = getattr(self_service, "self_service_home", None)
    return home


@router.get("/console", response_class=HTMLResponse)
def console(request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor) -> Response:
    """The login form for a visitor; the work queue for an official; a party's own home."""
    if actor is None:
        return render(request, "login.html", actor=None, error=None)
    if actor.role in (Role.CA_OPERATOR, Role.APP_OPERATOR):
        home = _party_home()
        if home is not None:
            return home(request, session, ctx, actor)
        visible = cases.list_cases(session, ctx, actor, limit=100)
        return render(request, "console.html", actor=actor, cases=visible, processes=ctx.processes)
    return work_queue_page(request, session, ctx, actor)


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
    lang = language_of(request)
    svg = render_svg(process, words=lambda text: translate(lang, text))
    return render(request, "process.html", actor=actor, process=process, svg=svg)


#: Words of the history's kinds of line (other than transitions, which have their titles).
EVENT_KINDS = {
    "opened": N_("Case opened"),
    "assigned": N_("Assigned to an official"),
    "deadline_extended": N_("Deadline extended"),
    "deadline_started": N_("Deadline started"),
    "deadline_stopped": N_("Deadline stopped"),
    "deadline_restarted": N_("Deadline restarted"),
    "deadline_met": N_("Deadline met"),
    "deadline_expired": N_("Deadline passed"),
    "referred": N_("Referred to another regulator"),
    "item_reviewed": N_("Reviewer's judgement"),
    "agency_assigned": N_("Testing agency assigned"),
    "results_recorded": N_("Checklist results recorded"),
    "remedy_submitted": N_("Remedy submitted"),
    "remedy_reviewed": N_("Remedy reviewed"),
    "practices_declared": N_("Practices declared"),
    "sample_replaced": N_("Sample replaced"),
    "sample_compared": N_("Sample compared with the certified one"),
    "forced_exit": N_("Forced exit opened"),
    "business_offered": N_("Business offered to another CA"),
    "receiver_designated": N_("Receiving CA designated"),
    "handover_reported": N_("Handover reported"),
    "technical_review": N_("Technical review"),
}
#: Words of the outcomes of a penalty decision (the violation catalogue's codes).
OUTCOMES = {
    "warning": N_("Warning"),
    "fine": N_("Fine"),
    "order to correct": N_("Order to correct"),
    "licence revocation": N_("Revocation of the licence"),
}
#: Words the process diagram shows (certgov.workflow.diagram asks for them).
DIAGRAM_WORDS = (N_("current state"), N_("clock stopped"))
#: More of a case's substance by process, from the page modules of other areas (e.g.
#: console_appcert): each returns the template values its section of case.html reads.
CaseSection = Callable[[Session, Context, Actor, Case], dict[str, Any]]
CASE_SECTIONS: dict[str, CaseSection] = {}


def _deadlines(
    ctx: Context, actor: Actor, case: Case, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The case's deadlines with their titles, business days left and who may extend them."""
    process = ctx.processes[case.process_id]
    today = china_date(ctx.clock.now())
    out = []
    for row in rows:
        try:
            spec = process.deadline(row["name"])
        except KeyError:
            spec = None
        due = dt.date.fromisoformat(row["due_on"]) if row["due_on"] else None
        out.append(
            {
                **row,
                "title": spec.title if spec else row["name"],
                "may_extend": spec is not None
                and actor.role.value in spec.extendable_by
                and row["status"] in ("running", "paused"),
                "days_left": business_days_left(ctx, today, due)
                if due is not None and row["status"] == "running"
                else None,
            }
        )
    return out


def _parties(session: Session, ids: set[int]) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {p.id: p.name for p in session.scalars(select(Party).where(Party.id.in_(ids)))}


def _case_page(
    request: Request, session: Session, ctx: Context, actor: Actor, case_id: int, **extra: Any
) -> Response:
    case = cases.get_case(session, ctx, actor, case_id)
    process = ctx.processes[case.process_id]
    detail = case_detail(session, ctx, actor, case)
    detail["title_text"] = case.title_text  # for the title in the reader's language
    detail["history"] = [event_out(e) for e in cases.history(session, case)]
    detail["deadlines"] = _deadlines(ctx, actor, case, detail["deadlines"])
    application = (
        licensing.application_view(session, ctx, actor, case_id)
        if case.process_id == licensing.PROCESS
        else None
    )
    regulator = actor.role in (Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR)
    may_review = application is not None and regulator and case.state in licensing.REVIEW_STATES
    complaint = (
        complaint_services.complaint_view(session, ctx, actor, case_id)
        if case.process_id == complaint_services.PROCESS and regulator
        else None
    )
    enforcement_case = (
        enforcement.enforcement_view(session, ctx, actor, case_id)
        if case.process_id == enforcement.PROCESS
        else None
    )
    violations: list[Any] = []
    if complaint is not None and case.state == "accepted":
        violations = list(catalogue.catalogue(enforcement.ecs_rules(session, ctx)).values())
    officials = queue.assignable_officials(session, ctx, actor, case) if not case.closed else []
    assigned = session.get(User, case.assigned_user_id) if case.assigned_user_id else None
    section = CASE_SECTIONS.get(case.process_id)
    if section is not None:
        extra = {**section(session, ctx, actor, case), **extra}
    lang = language_of(request)
    return render(
        request,
        "console/case.html",
        status=extra.pop("status", 200),
        actor=actor,
        case=detail,
        process=process,
        svg=render_svg(process, current=case.state, words=lambda text: translate(lang, text)),
        application=application,
        may_review=may_review,
        complaint=complaint,
        enforcement=enforcement_case,
        violations=violations,
        outcomes=OUTCOMES,
        event_kinds=EVENT_KINDS,
        officials=officials,
        assigned=assigned,
        parties=_parties(session, {case.subject_party_id or 0, case.assignee_party_id or 0}),
        may_state_date=actor.is_official,
        today=china_date(ctx.clock.now()),
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
    except Forbidden as refused:
        return error_page(request, 403, [page_error(language_of(request), refused)])
    except CertgovError as error:
        return render(
            request,
            "not_found.html",
            status=404,
            actor=actor,
            what=page_error(language_of(request), error),
        )


def form_action(
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
                    request,
                    session,
                    ctx,
                    actor,
                    case_id,
                    error=page_error(language_of(request), error),
                    status=422,
                )
            except Forbidden as hidden:
                return error_page(request, 403, [page_error(language_of(request), hidden)])
            except CertgovError as hidden:
                return render(
                    request,
                    "not_found.html",
                    status=404,
                    actor=actor,
                    what=page_error(language_of(request), hidden),
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
    return form_action(
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


def _whole(value: str, field: str) -> int | None:
    text = value.replace(",", "").replace("，", "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput("{field}: a whole number of yuan", details={"field": field}, field=field)
    return int(text)


@router.post("/console/cases/{case_id}/transitions", response_class=HTMLResponse)
def case_transition(
    request: Request,
    case_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    transition: Annotated[str, Form(max_length=64)],
    version: Annotated[int, Form()],
    reason: Annotated[str, Form(max_length=10_000)] = "",
    stated_on: Annotated[str, Form(max_length=10)] = "",
    violation: Annotated[str, Form(max_length=64)] = "",
    outcomes: Annotated[list[str] | None, Form(max_length=32)] = None,
    fine_yuan: Annotated[str, Form(max_length=20)] = "",
    illegal_gains_yuan: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """SYS-1: take a transition from the case page; an official may state the day it took
    effect (SYS-8). A complaint's ``open_enforcement`` names the violation; an enforcement
    case's ``decide`` the outcomes and the fine (ECS-6.2)."""

    def act(session: Session) -> object:
        payload: dict[str, Any] = {}
        if violation:
            payload["violation"] = violation
        if outcomes:
            payload["outcomes"] = list(outcomes)
            fine = _whole(fine_yuan, "fine_yuan")
            gains = _whole(illegal_gains_yuan, "illegal_gains_yuan")
            if fine is not None:
                payload["fine_yuan"] = fine
            if gains is not None:
                payload["illegal_gains_yuan"] = gains
        return cases.transition(
            session,
            ctx,
            signed_in(actor),
            case_id,
            transition,
            expected_version=version,
            reason=reason,
            payload=payload or None,
            stated_on=stated_on.strip() or None,
        )

    return form_action(request, case_id, ctx, actor, act)


@router.post("/console/cases/{case_id}/extensions", response_class=HTMLResponse)
def case_extension(
    request: Request,
    case_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    deadline: Annotated[str, Form(max_length=64)],
    days: Annotated[int, Form(ge=1, le=365)],
    reason: Annotated[str, Form(max_length=2000)],
    version: Annotated[int, Form()],
) -> Response:
    """SYS-1: extend a deadline by some days, with the reason recorded in the history."""
    return form_action(
        request,
        case_id,
        ctx,
        actor,
        lambda session: cases.extend_deadline(
            session,
            ctx,
            signed_in(actor),
            case_id,
            deadline,
            amount=days,
            reason=reason,
            expected_version=version,
        ),
    )


@router.post("/console/cases/{case_id}/assignment", response_class=HTMLResponse)
def case_assignment(
    request: Request,
    case_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    version: Annotated[int, Form()],
    user_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Assign the case to an official of the competent authority (empty: nobody)."""
    chosen = int(user_id) if user_id.strip().isdigit() else None
    return form_action(
        request,
        case_id,
        ctx,
        actor,
        lambda session: queue.assign_case(
            session, ctx, signed_in(actor), case_id, chosen, expected_version=version
        ),
    )


@router.post("/console/cases/{case_id}/referral", response_class=HTMLResponse)
def case_referral(
    request: Request,
    case_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    to: Annotated[str, Form(max_length=16)],
    reason: Annotated[str, Form(max_length=2000)],
    version: Annotated[int, Form()],
) -> Response:
    """ECS-4.3, ECS-5.2: refer a complaint to another regulator."""
    return form_action(
        request,
        case_id,
        ctx,
        actor,
        lambda session: complaint_services.refer(
            session,
            ctx,
            signed_in(actor),
            case_id,
            {"to": to, "reason": reason, "expected_version": version},
        ),
    )


@router.get("/console/cases/{case_id}/evidence/{evidence_id}")
def evidence_download(
    request: Request,
    case_id: PathId,
    evidence_id: PathId,
    ctx: ContextDep,
    session: SessionDep,
    actor: PageActor,
) -> Response:
    """ECS-5.2: a complaint's evidence file, for its regulators only, always as a download
    of an opaque type (never rendered by the browser: it came from the public)."""
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    try:
        evidence = complaint_services.evidence_file(session, ctx, actor, case_id, evidence_id)
    except Forbidden as refused:
        return error_page(request, 403, [page_error(language_of(request), refused)])
    except CertgovError as missing:
        return render(
            request,
            "not_found.html",
            status=404,
            actor=actor,
            what=page_error(language_of(request), missing),
        )
    ascii_name = (
        "".join(
            c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in evidence.filename
        )
        or "evidence"
    )
    return Response(
        evidence.content,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(evidence.filename, safe='')}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
