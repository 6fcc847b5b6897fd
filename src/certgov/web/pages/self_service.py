"""Self-service for CAs and app operators (SYS-7): a party's home (what needs doing now, recent
decisions, shortcuts), its findings, notifications and API tokens. The CA's pages are in
``self_service_ca``, the app operator's in ``self_service_app``. Each party sees only its own
records: every page reads through the domain services with the signed-in actor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as StarletteUpload

from certgov.actors import Actor, Role
from certgov.cases import services as cases
from certgov.cases.models import Case, CaseDeadline
from certgov.clock import CHINA_TZ
from certgov.context import Context
from certgov.errors import CertgovError, Forbidden
from certgov.findings import services as findings
from certgov.http.deps import ContextDep, SessionDep
from certgov.http.params import PathId
from certgov.i18n import N_, translate
from certgov.identity import services as identity
from certgov.identity.models import ApiToken
from certgov.notifications import services as notifications
from certgov.parties.models import Party
from certgov.store.engine import unit_of_work
from certgov.uploads import Checked, Kind, UploadRefused, check
from certgov.web.pages.common import FormActor, PageActor, language_of, page_error, render, router

PARTY_ROLES = (Role.CA_OPERATOR, Role.APP_OPERATOR)

#: Why an upload was refused, in words ({filename}, {limit}).
UPLOAD_REASONS = {
    "empty": N_("The file is empty."),
    "too_large": N_("The file is larger than {limit}."),
    "wrong_type": N_("This type of file is not accepted here (we read its content, not its name)."),
    "bad_pem": N_("The PEM file contains text that is not a certificate."),
    "zip_bomb": N_("The archive would expand far beyond its size; it was refused as unsafe."),
    "bad_archive": N_("The archive cannot be read."),
}


def size_words(size: int, lang: str) -> str:
    if size >= 1024 * 1024:
        return translate(lang, "{n} MB").format(n=f"{size / 1024 / 1024:.3g}")
    if size >= 1024:
        return translate(lang, "{n} KB").format(n=f"{size / 1024:.3g}")
    return translate(lang, "{n} bytes").format(n=size)


def upload_message(error: UploadRefused, lang: str) -> Markup:
    """Why an upload was refused, in words, after the file's name (shown as data)."""
    words = translate(lang, UPLOAD_REASONS.get(error.reason, UPLOAD_REASONS["wrong_type"]))
    limit = error.params.get("limit")
    text = words.format(limit=size_words(int(limit), lang) if limit else "")
    return Markup('<span class="data">{}</span>: {}').format(error.filename, text)


async def read_files(
    request: Request, field: str, max_bytes: int, allowed: frozenset[Kind]
) -> tuple[dict[str, str], list[Checked], list[UploadRefused]]:
    """The form's text fields, and the files of ``field`` checked (type by content, size)."""
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    checked: list[Checked] = []
    refused: list[UploadRefused] = []
    for item in form.getlist(field):
        if not isinstance(item, StarletteUpload):
            continue
        if not item.filename and not item.size:
            continue
        data = await item.read(max_bytes + 1)
        try:
            checked.append(check(data, item.filename or "upload", allowed, max_bytes))
        except UploadRefused as error:
            refused.append(error)
    return values, checked, refused


def party_of(actor: Actor | None) -> Actor | None:
    """The actor when it acts for a CA or an app operator, else None."""
    if actor is None or actor.role not in PARTY_ROLES or actor.party_id is None:
        return None
    return actor


def today(ctx: Context) -> dt.date:
    return ctx.clock.now().astimezone(CHINA_TZ).date()


def business_days_left(ctx: Context, row: CaseDeadline) -> int | None:
    """Business days until the deadline's day (negative when passed); None when paused."""
    if row.status != "running":
        return None
    due = row.due_on or (row.due_at.astimezone(CHINA_TZ).date() if row.due_at else None)
    if due is None:
        return None
    now = today(ctx)
    if due >= now:
        return ctx.calendar.business_days_between(now, due)
    return -ctx.calendar.business_days_between(due, now)


def deadline_rows(session: Session, ctx: Context, case: Case) -> list[dict[str, Any]]:
    process = ctx.processes.get(case.process_id)
    titles = {d.name: d.title for d in process.deadlines} if process else {}
    return [
        {
            "title": titles.get(row.name, row.name),
            "status": row.status,
            "due_on": row.due_on,
            "due_at": row.due_at,
            "left": business_days_left(ctx, row),
        }
        for row in cases.deadlines(session, case)
    ]


def page(
    request: Request,
    session: Session,
    template: str,
    actor: Actor,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    """A self-service page: the party's name and the unread count in the header."""
    party = session.get(Party, actor.party_id) if actor.party_id else None
    return render(
        request,
        template,
        status,
        actor=actor,
        party=party,
        unread_notifications=notifications.unread_count(session, actor.party_id),
        **values,
    )


def or_not_found(
    request: Request, session: Session, actor: Actor, show: Callable[[], Response]
) -> Response:
    """``show()``, or the not-found page when the record is not there or not the party's
    (the domain refuses both alike, so another party's records are not revealed)."""
    try:
        return show()
    except CertgovError as error:
        return page(
            request,
            session,
            "not_found.html",
            actor,
            404,
            what=page_error(language_of(request), error),
        )


def state_title(ctx: Context, case: Case) -> str:
    process = ctx.processes.get(case.process_id)
    if process and case.state in process.states:
        return process.states[case.state].title
    return case.state


#: Where a party follows a case of each process on its own pages (else the console's case page).
SELF_CASE_PAGES = {
    "ca-incident": "/self/incidents/",
    "app-certification": "/self/apps/",
    "ca-licence-application": "/self/licence/",
    "ca-licence-modification": "/self/licence/",
    "ca-licence-renewal": "/self/licence/",
    "ca-operational-change": "/self/changes/",
    "ecs-withdrawal": "/self/withdrawal/",
    "app-self-assessment": "/self/assessments/",
}


def case_link(case: Case) -> str:
    """The page where the party follows ``case``."""
    return SELF_CASE_PAGES.get(case.process_id, "/console/cases/") + str(case.id)


def self_service_home(request: Request, session: Session, ctx: Context, actor: Actor) -> Response:
    """A CA's or app operator's home: what needs doing now (running deadlines in business
    days, open findings, requested documents), recent decisions and shortcuts."""
    visible = cases.list_cases(session, ctx, actor, limit=200)
    todo: list[dict[str, Any]] = []
    requested: list[Case] = []
    decisions: list[dict[str, Any]] = []
    for case in visible:
        if not case.closed:
            for row in deadline_rows(session, ctx, case):
                if row["status"] in ("running", "paused", "expired"):
                    todo.append({"case": case, "state": state_title(ctx, case), **row})
            if case.state in ("awaiting_documents", "suspended_verification", "suspended_onsite"):
                requested.append(case)
        elif len(decisions) < 8:
            decisions.append({"case": case, "state": state_title(ctx, case), "at": case.closed_at})
    todo.sort(key=lambda r: (r["left"] is None, r["left"] if r["left"] is not None else 0))
    open_findings = findings.visible_findings(session, actor, status="open", limit=50)
    return page(
        request,
        session,
        "self/home.html",
        actor,
        todo=todo,
        requested=requested,
        decisions=decisions,
        open_findings=open_findings,
        cases=visible[:20],
        processes=ctx.processes,
        state_title=lambda c: state_title(ctx, c),
        case_link=case_link,
    )


def _guarded(
    request: Request, session: Session, actor: Actor | None, view: Callable[[Actor], Response]
) -> Response:
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    party = party_of(actor)
    if party is None:
        return render(
            request,
            "error.html",
            403,
            actor=actor,
            heading=translate(language_of(request), "Not allowed"),
            problems=[
                translate(
                    language_of(request),
                    "These pages are for electronic certification service providers and app operators.",
                )
            ],
            back="/console",
        )
    return view(party)


@router.get("/self", response_class=HTMLResponse)
def home_page(request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor) -> Response:
    return _guarded(request, session, actor, lambda a: self_service_home(request, session, ctx, a))


@router.get("/self/findings", response_class=HTMLResponse)
def findings_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """Own findings with their explanation and the requirement and rule they cite."""

    def view(a: Actor) -> Response:
        rows = findings.visible_findings(session, a, limit=200)
        return page(request, session, "self/findings.html", a, findings=rows)

    return _guarded(request, session, actor, view)


# --- notifications ---------------------------------------------------------------------------


def _notifications_page(
    request: Request, session: Session, actor: Actor, status: int = 200, **values: Any
) -> Response:
    assert actor.party_id is not None
    lang = language_of(request)
    rows = notifications.notifications_of(session, actor.party_id)
    shown = [(row, *notifications.words(row, lang)) for row in rows]
    return page(
        request,
        session,
        "self/notifications.html",
        actor,
        status,
        notifications=shown,
        addresses=notifications.addresses_of(session, actor.party_id),
        **values,
    )


@router.get("/self/notifications", response_class=HTMLResponse)
def notifications_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    return _guarded(request, session, actor, lambda a: _notifications_page(request, session, a))


def form_action(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    action: Callable[[Session, Actor], object],
    done: str,
    on_error: Callable[[Session, Actor, str], Response],
) -> Response:
    """Run ``action`` in its own unit of work; on success to ``done`` (303), on a refusal the
    form again with the message, nothing written."""
    party = party_of(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    try:
        with unit_of_work(ctx.sessions) as session:
            action(session, party)
    except CertgovError as error:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return on_error(session, party, page_error(language_of(request), error))
    return RedirectResponse(done, status_code=303)


@router.post("/self/notifications/read", response_class=HTMLResponse)
def notifications_read(request: Request, ctx: ContextDep, actor: FormActor) -> Response:
    return form_action(
        request,
        ctx,
        actor,
        lambda s, a: notifications.mark_read(s, ctx, a.party_id or 0),
        "/self/notifications",
        lambda s, a, m: _notifications_page(request, s, a, 422, error=m),
    )


@router.post("/self/notifications/addresses", response_class=HTMLResponse)
def notifications_address(
    request: Request,
    ctx: ContextDep,
    actor: FormActor,
    email: Annotated[str, Form(max_length=254)],
    email_lang: Annotated[str, Form(max_length=8)] = "zh",
) -> Response:
    return form_action(
        request,
        ctx,
        actor,
        lambda s, a: notifications.add_address(s, ctx, a.party_id or 0, email, email_lang),
        "/self/notifications",
        lambda s, a, m: _notifications_page(
            request,
            s,
            a,
            422,
            error=translate(language_of(request), "This is not a usable e-mail address."),
        ),
    )


@router.post("/self/notifications/addresses/{address_id}/removal", response_class=HTMLResponse)
def notifications_address_removal(
    request: Request, address_id: PathId, ctx: ContextDep, actor: FormActor
) -> Response:
    return form_action(
        request,
        ctx,
        actor,
        lambda s, a: notifications.remove_address(s, a.party_id or 0, address_id),
        "/self/notifications",
        lambda s, a, m: _notifications_page(request, s, a, 404, error=m),
    )


# --- API tokens ------------------------------------------------------------------------------


def _tokens_page(
    request: Request, session: Session, actor: Actor, status: int = 200, **values: Any
) -> Response:
    own = list(
        session.scalars(
            select(ApiToken).where(ApiToken.party_id == actor.party_id).order_by(ApiToken.id)
        )
    )
    return page(request, session, "self/tokens.html", actor, status, tokens=own, **values)


@router.get("/self/tokens", response_class=HTMLResponse)
def tokens_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """API tokens for the party's own systems: create (the secret shown once), list, revoke."""
    return _guarded(request, session, actor, lambda a: _tokens_page(request, session, a))


@router.post("/self/tokens", response_class=HTMLResponse)
def token_create(
    request: Request,
    ctx: ContextDep,
    actor: FormActor,
    name: Annotated[str, Form(max_length=200)] = "",
    days: Annotated[int, Form(ge=1, le=3650)] = 365,
) -> Response:
    party = party_of(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    try:
        with unit_of_work(ctx.sessions) as session:
            secret, _token = identity.create_token(
                session,
                ctx.audit,
                by=party,
                name=name,
                grant=identity.Grant(party.role, "national", party.party_id),
                expires_at=ctx.clock.now() + dt.timedelta(days=days),
            )
    except CertgovError:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _tokens_page(
                request,
                session,
                party,
                422,
                error=translate(lang, "Give the token a name saying which system uses it."),
            )
    with unit_of_work(ctx.sessions, readonly=True) as session:
        return _tokens_page(request, session, party, 201, secret=secret)


@router.post("/self/tokens/{token_id}/revocation", response_class=HTMLResponse)
def token_revoke(request: Request, token_id: PathId, ctx: ContextDep, actor: FormActor) -> Response:
    def revoke(session: Session, a: Actor) -> None:
        token = session.get(ApiToken, token_id)
        if token is None or token.party_id != a.party_id:
            raise Forbidden("no API token {token} of yours", token=token_id)
        identity.revoke_token(session, ctx.audit, token_id, by=a)

    return form_action(
        request,
        ctx,
        actor,
        revoke,
        "/self/tokens",
        lambda s, a, m: _tokens_page(request, s, a, 404, error=m),
    )


def run_sync(function: Callable[..., Response], *args: Any) -> Any:
    return run_in_threadpool(function, *args)
