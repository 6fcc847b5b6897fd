"""The app operator's certificates and ongoing compliance (APP-7, APP-9): each certification
with its status in words and the certification mark's QR code (the public verification page's
address); events that require a self-assessment report, and the report by upload before its
deadline."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import segno
from fastapi import Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.appcert import certifications, compliance
from certgov.appcert.base import SELF_ASSESSMENT_PROCESS, rules_on
from certgov.cases import services as cases
from certgov.context import Context
from certgov.errors import CertgovError
from certgov.http.deps import ContextDep, SessionDep
from certgov.http.params import PathId
from certgov.i18n import N_, translate
from certgov.store.engine import unit_of_work
from certgov.uploads import Checked, UploadRefused, store
from certgov.uploads.services import DOCUMENTS
from certgov.web.pages.common import FormActor, PageActor, language_of, router
from certgov.web.pages.self_service import (
    _guarded,
    deadline_rows,
    or_not_found,
    page,
    party_of,
    read_files,
    size_words,
    state_title,
    today,
    upload_message,
)

#: The rule set's events requiring a self-assessment report, in words.
TRIGGERS = {
    "distribution channel changed": N_("The distribution channel changed"),
    "certification mark used differently from the application": N_(
        "The certification mark is used differently from the application"
    ),
    "update changes the purpose, data types or means of collecting, processing or using "
    "personal information": N_(
        "An update changes the purpose, types of data or means of collecting, processing or "
        "using personal information"
    ),
    "recipient, means or purpose of sharing, transfer or public disclosure changed": N_(
        "The recipient, means or purpose of sharing, transfer or public disclosure changed"
    ),
    "operator received complaints about the app": N_("You received complaints about the app"),
}


def _operator(actor: Actor | None) -> Actor | None:
    party = party_of(actor)
    return party if party is not None and party.role is Role.APP_OPERATOR else None


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (segno writes it; the template marks it safe)."""
    return str(segno.make(url, error="m").svg_inline(scale=4, title=None))


def _certificates_page(
    request: Request, session: Session, ctx: Context, actor: Actor, status: int = 200, **values: Any
) -> Response:
    own = certifications.list_certifications(session, party_id=actor.party_id)
    base = str(request.base_url).rstrip("/")
    day = today(ctx)
    shown = []
    for cert in own:
        url = f"{base}/apps/certificates/{cert.number}"
        shown.append(
            {
                "cert": cert,
                "status": certifications.effective_status(cert, day),
                "url": url,
                "qr": qr_svg(url),
            }
        )
    assessments = cases.list_cases(
        session, ctx, actor, process_id=SELF_ASSESSMENT_PROCESS, limit=100
    )
    values.setdefault("form", {})
    return page(
        request,
        session,
        "self/certificates.html",
        actor,
        status,
        certificates=shown,
        live=[s["cert"] for s in shown if s["status"] in ("valid", "suspended")],
        triggers=[
            (t, TRIGGERS.get(t))
            for t in rules_on(session, ctx, day).items("self_assessment_triggers")
        ],
        trigger_words=TRIGGERS,
        assessments=[(c, state_title(ctx, c), deadline_rows(session, ctx, c)) for c in assessments],
        today=day,
        **values,
    )


@router.get("/self/certificates", response_class=HTMLResponse)
def certificates_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """APP-9: the operator's certifications, status and mark; APP-7: self-assessment events."""

    def view(a: Actor) -> Response:
        if a.role is not Role.APP_OPERATOR:
            return RedirectResponse("/self", status_code=303)
        return _certificates_page(request, session, ctx, a)

    return _guarded(request, session, actor, view)


@router.post("/self/assessments", response_class=HTMLResponse)
def event_report(
    request: Request,
    ctx: ContextDep,
    actor: FormActor,
    number: Annotated[str, Form(max_length=64)] = "",
    trigger: Annotated[str, Form(max_length=300)] = "",
    occurred_on: Annotated[str, Form(max_length=10)] = "",
    description: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """APP-7: report an event that requires a self-assessment report."""
    party = _operator(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    form = {
        "number": number,
        "trigger": trigger,
        "occurred_on": occurred_on,
        "description": description,
    }
    problem = None
    if not description.strip():
        problem = N_("Say what happened.")
    else:
        try:
            if occurred_on and dt.date.fromisoformat(occurred_on) > today(ctx):
                problem = N_("Give the day it happened; it cannot be in the future.")
        except ValueError:
            problem = N_("Give the day it happened; it cannot be in the future.")
    if problem is None:
        body: dict[str, Any] = {"trigger": trigger, "description": description.strip()}
        if occurred_on:
            body["occurred_on"] = occurred_on
        try:
            with unit_of_work(ctx.sessions) as session:
                case = compliance.report_event(session, ctx, party, number, body)
                case_id = case.id
        except CertgovError:
            problem = N_("Choose one of your valid or suspended certifications and the event.")
    if problem is not None:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _certificates_page(
                request, session, ctx, party, 422, form=form, error=translate(lang, problem)
            )
    return RedirectResponse(f"/self/assessments/{case_id}", status_code=303)


def _assessment_page(
    request: Request,
    session: Session,
    ctx: Context,
    actor: Actor,
    case_id: int,
    status: int = 200,
    **values: Any,
) -> Response:
    case = cases.get_case(session, ctx, actor, case_id)
    if case.process_id != SELF_ASSESSMENT_PROCESS:
        raise CertgovError("case {case} is not a self-assessment", case=case_id)
    names = {t.name for t in cases.available_transitions(ctx, actor, case)}
    return page(
        request,
        session,
        "self/assessment.html",
        actor,
        status,
        case=case,
        state=state_title(ctx, case),
        deadlines=deadline_rows(session, ctx, case),
        trigger_words=TRIGGERS,
        may_submit="submit_report" in names,
        history=[e for e in cases.history(session, case) if e.reason],
        max_size=size_words(ctx.settings.upload_max_bytes, language_of(request)),
        **values,
    )


@router.get("/self/assessments/{case_id}", response_class=HTMLResponse)
def assessment_page(
    request: Request, case_id: PathId, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    def view(a: Actor) -> Response:
        return or_not_found(
            request, session, a, lambda: _assessment_page(request, session, ctx, a, case_id)
        )

    return _guarded(request, session, actor, view)


@router.post("/self/assessments/{case_id}/report", response_class=HTMLResponse)
async def assessment_report(
    request: Request, case_id: PathId, ctx: ContextDep, actor: FormActor
) -> Response:
    """APP-7: the self-assessment report (a summary and the report's file)."""
    values, checked, refused = await read_files(
        request, "document", ctx.settings.upload_max_bytes, DOCUMENTS
    )
    return await run_in_threadpool(_report, request, ctx, actor, case_id, values, checked, refused)


def _report(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    case_id: int,
    values: dict[str, str],
    checked: list[Checked],
    refused: list[UploadRefused],
) -> Response:
    party = _operator(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)

    def again(status: int, **shown: Any) -> Response:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return or_not_found(
                request,
                session,
                party,
                lambda: _assessment_page(request, session, ctx, party, case_id, status, **shown),
            )

    summary = values.get("summary", "").strip()
    if refused:
        return again(422, errors=[upload_message(e, lang) for e in refused], summary=summary)
    if not checked or not summary:
        return again(
            422,
            error=translate(lang, "Write a summary and choose the report's file."),
            summary=summary,
        )
    document = checked[0]
    version = int(values["version"]) if values.get("version", "").isdigit() else None
    try:
        with unit_of_work(ctx.sessions) as session:
            store(
                session,
                ctx.settings,
                ctx.clock,
                party,
                document,
                purpose="self-assessment-report",
                party_id=party.party_id,
            )
            cases.transition(
                session,
                ctx,
                party,
                case_id,
                "submit_report",
                expected_version=version,
                payload={
                    "report": {
                        "summary": summary,
                        "sha256": document.sha256,
                        "size": document.size,
                        "filename": document.filename,
                    }
                },
            )
    except CertgovError:
        return again(
            409,
            error=translate(
                lang,
                "The report could not be submitted: it may have been submitted already, or "
                "the page was out of date. The page now shows the current state.",
            ),
        )
    return RedirectResponse(f"/self/assessments/{case_id}", status_code=303)
