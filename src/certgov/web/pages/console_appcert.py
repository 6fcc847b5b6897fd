"""The app security certification workbenches (issue 17; APP-2 to APP-10, SYS-6).

``/console/app`` is the certification body's workbench (appointed testing agencies, the
applications by state, certifications, self-assessments and special inspections) and the
testing agency's (the cases assigned to it). An application's case page gains its substance
here (:data:`certgov.web.pages.console.CASE_SECTIONS`): documents, the assignment, the GB/T 35273
checklist as a form for the stage's assessor (its posts in ``console_checklist``: results and
evidence files), deficiencies with their deadlines and remedies,
and the APK analysis report of the sample. ``/console/app/certifications/{number}`` is a
certification's status with its history, suspension (optionally from a stated day),
reinstatement, revocation and special inspections. Other roles are refused.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.appcert import (
    agencies,
    analysis,
    applications,
    certifications,
    schemas,
    technical_verification,
)
from certgov.appcert.base import (
    APPLICATION_PROCESS,
    INSPECTION_PROCESS,
    SELF_ASSESSMENT_PROCESS,
    SUSPENSION_PROCESS,
    today,
)
from certgov.appcert.models import DeficiencyStatus, Stage
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.cases.queue import business_days_left
from certgov.context import Context
from certgov.errors import CertgovError
from certgov.http.deps import ContextDep, SessionDep
from certgov.http.params import PathId
from certgov.i18n import N_, translate
from certgov.parties.models import Party, PartyKind
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
from certgov.web.pages.console import CASE_SECTIONS, form_action

WORKBENCH_ROLES = frozenset({Role.CERTIFICATION_BODY, Role.TESTING_AGENCY})
#: The order an application moves through, for the workbench's table.
STATE_ORDER = (
    "submitted",
    "accepted",
    "technical_verification",
    "suspended_verification",
    "onsite_review",
    "suspended_onsite",
    "decision_pending",
    "granted",
    "denied",
    "not_accepted",
    "refused_ineligible",
    "withdrawn",
)
#: The stage each assessor records results in, and the state it does so.
STAGE_OF_ROLE = {
    Role.TESTING_AGENCY: "technical_verification",
    Role.CERTIFICATION_BODY: "onsite_review",
}
STAGE_TITLES = {
    "technical_verification": N_("Technical verification"),
    "onsite_review": N_("On-site review"),
}
#: What the checklist form offers, in the words an assessor uses.
RESULT_CHOICES = {
    "conforms": N_("Met"),
    "deficient": N_("Not met"),
    "not_applicable": N_("Not applicable"),
}
CERTIFICATE_ACTIONS = {
    "suspend": N_("Suspend the certification"),
    "reinstate": N_("Reinstate after remedy"),
    "revoke": N_("Revoke the certification"),
}
#: At most this many call sites are listed on the page (the JSON report has them all).
CALL_SITES_SHOWN = 40


def _refused(request: Request) -> Response:
    lang = language_of(request)
    return error_page(
        request,
        403,
        [translate(lang, "This workbench is for the certification body and testing agencies.")],
    )


# --- The application's section of its case page -------------------------------------------


def _analyses(session: Session, ctx: Context, actor: Actor, case: Case) -> list[dict[str, Any]]:
    """The sample analyses, newest first, with the report cut to what a page shows."""
    try:
        _case, _application, rows = analysis.analyses_of(session, ctx, actor, case.id)
    except CertgovError:
        return []
    out = []
    for row in rows:
        body = schemas.analysis_out(row)
        report = body.get("report") or {}
        sites = list(report.get("call_sites") or [])
        body["page"] = {
            "dangerous": [
                p for p in report.get("permissions") or [] if p.get("protection") == "dangerous"
            ],
            "permissions": len(report.get("permissions") or []),
            "sdks": list(report.get("sdks") or []),
            "pi_types": Counter(str(s.get("pi_type")) for s in sites),
            "before_consent": [s for s in sites if s.get("before_consent")],
            "sites": sites[:CALL_SITES_SHOWN],
            "more_sites": max(len(sites) - CALL_SITES_SHOWN, 0),
        }
        out.append(body)
    return out


def application_section(session: Session, ctx: Context, actor: Actor, case: Case) -> dict[str, Any]:
    """An application's substance for its case page (APP-1 to APP-5, APP-11)."""
    try:
        view = schemas.application_view(session, ctx, actor, case.id)
    except CertgovError:
        return {}
    stage = STAGE_OF_ROLE.get(actor.role)
    may_record = stage is not None and case.state == stage
    appointed = (
        [party for row, party in agencies.agencies(session, include_withdrawn=False)]
        if actor.role is Role.CERTIFICATION_BODY
        and case.state in applications.ASSIGNABLE
        and not case.closed
        else []
    )
    day = today(ctx)
    for deficiency in view["deficiencies"]:
        deficiency["overdue"] = (
            deficiency["status"] == DeficiencyStatus.OPEN.value
            and dt.date.fromisoformat(deficiency["due_on"]) < day
        )
        assessor = technical_verification.ASSESSOR[Stage(deficiency["stage"])]
        deficiency["days_left"] = business_days_left(
            ctx, day, dt.date.fromisoformat(deficiency["due_on"])
        )
        deficiency["may_review"] = (
            deficiency["status"] == DeficiencyStatus.REMEDY_SUBMITTED.value
            and actor.role is assessor
        )
    return {
        "app": view,
        "app_stage": stage,
        "app_may_record": may_record,
        "app_agencies": appointed,
        "app_analyses": _analyses(session, ctx, actor, case),
        "stage_titles": STAGE_TITLES,
        "result_choices": RESULT_CHOICES,
        "tomorrow": day + dt.timedelta(days=1),
        "app_evidence_max_mb": f"{ctx.settings.upload_max_bytes / 1024 / 1024:.3g}",
        "app_typed": {},
    }


def related_section(session: Session, ctx: Context, actor: Actor, case: Case) -> dict[str, Any]:
    """A self-assessment, special inspection or suspension case: the certification it concerns,
    the ground and, for a self-assessment, the report (APP-7, APP-8, APP-10)."""
    data = case.data or {}
    return {
        "app_related": {
            "certification": data.get("certification"),
            "trigger": data.get("trigger"),
            "description": data.get("description") or data.get("reason"),
            "occurred_on": data.get("occurred_on"),
            "report": data.get("report"),
            "origin_case_id": data.get("origin_case_id"),
            "may_open": actor.role is Role.CERTIFICATION_BODY,
        }
    }


CASE_SECTIONS[APPLICATION_PROCESS] = application_section
for _process in (SELF_ASSESSMENT_PROCESS, INSPECTION_PROCESS, SUSPENSION_PROCESS):
    CASE_SECTIONS[_process] = related_section


# --- The workbench --------------------------------------------------------------------------


def _party_names(session: Session, ids: set[int]) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {p.id: p.name for p in session.scalars(select(Party).where(Party.id.in_(ids)))}


def _workbench(
    request: Request,
    session: Session,
    ctx: Context,
    actor: Actor,
    status: int = 200,
    error: str | None = None,
) -> Response:
    units = applications.list_units(session, ctx, actor, limit=500)
    day = today(ctx)
    rows: list[dict[str, Any]] = []
    for unit in units:
        open_deficiencies = [
            d
            for d in technical_verification.deficiencies(session, unit.case.id)
            if d.status != DeficiencyStatus.REMEDIED.value
        ]
        rows.append(
            {
                "case": unit.case,
                "app": unit.application,
                "deficiencies": len(open_deficiencies),
                "overdue": sum(
                    1
                    for d in open_deficiencies
                    if d.status == DeficiencyStatus.OPEN.value and d.due_on < day
                ),
                "next_due": min((d.due_on for d in open_deficiencies), default=None),
            }
        )
    order = {state: i for i, state in enumerate(STATE_ORDER)}
    rows.sort(key=lambda r: (order.get(r["case"].state, 99), r["case"].id))
    state_filter = request.query_params.get("state") or None
    counts = Counter(r["case"].state for r in rows)
    shown = [r for r in rows if state_filter is None or r["case"].state == state_filter]
    body = actor.role is Role.CERTIFICATION_BODY
    appointed = agencies.agencies(session) if body else []
    appointed_ids = {party.id for row, party in appointed if row.status == "appointed"}
    candidates = (
        [
            p
            for p in session.scalars(
                select(Party).where(Party.kind == PartyKind.TESTING_AGENCY).order_by(Party.name)
            )
            if p.id not in appointed_ids
        ]
        if body
        else []
    )
    certs = certifications.list_certifications(session) if body else []
    compliance_cases = (
        [
            c
            for process_id in (SELF_ASSESSMENT_PROCESS, INSPECTION_PROCESS, SUSPENSION_PROCESS)
            for c in cases.list_cases(session, ctx, actor, process_id=process_id, limit=200)
        ]
        if body
        else []
    )
    names = _party_names(
        session,
        {r["app"].party_id for r in rows}
        | {r["case"].assignee_party_id or 0 for r in rows}
        | {c.party_id for c in certs}
        | {c.subject_party_id or 0 for c in compliance_cases},
    )
    return render(
        request,
        "console/app.html",
        status=status,
        actor=actor,
        rows=shown,
        counts=counts,
        state_filter=state_filter,
        state_order=[s for s in STATE_ORDER if counts.get(s)],
        process=ctx.processes[APPLICATION_PROCESS],
        processes=ctx.processes,
        appointed=appointed,
        candidates=candidates,
        certs=[(c, certifications.effective_status(c, day)) for c in certs],
        compliance_cases=compliance_cases,
        names=names,
        error=error,
    )


@router.get("/console/app", response_class=HTMLResponse)
def workbench(request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor) -> Response:
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    if actor.role not in WORKBENCH_ROLES:
        return _refused(request)
    return _workbench(request, session, ctx, actor)


def _workbench_action(
    request: Request, ctx: Context, actor: Actor | None, action: Callable[[Session], object]
) -> Response:
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    if actor.role is not Role.CERTIFICATION_BODY:
        return _refused(request)
    try:
        with unit_of_work(ctx.sessions) as session:
            action(session)
    except CertgovError as refused:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _workbench(
                request,
                session,
                ctx,
                actor,
                status=422,
                error=page_error(language_of(request), refused),
            )
    return RedirectResponse("/console/app#agencies", status_code=303)


@router.post("/console/app/agencies", response_class=HTMLResponse)
def appoint_agency(
    request: Request,
    ctx: ContextDep,
    actor: FormActor,
    party_id: Annotated[int, Form(ge=1)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """APP-3: the certification body appoints a testing agency."""
    body: dict[str, Any] = {"party_id": party_id}
    if note.strip():
        body["note"] = note.strip()
    return _workbench_action(
        request, ctx, actor, lambda session: agencies.appoint(session, ctx, signed_in(actor), body)
    )


@router.post("/console/app/agencies/{party_id}/withdrawal", response_class=HTMLResponse)
def withdraw_agency(
    request: Request,
    party_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    reason: Annotated[str, Form(max_length=2000)],
) -> Response:
    """APP-3: end an appointment with a reason."""
    return _workbench_action(
        request,
        ctx,
        actor,
        lambda session: agencies.withdraw(
            session, ctx, signed_in(actor), party_id, {"reason": reason}
        ),
    )


# --- Actions on an application, from its case page -----------------------------------------


@router.post("/console/app/applications/{case_id}/assignment", response_class=HTMLResponse)
def assign_agency(
    request: Request,
    case_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    agency_party_id: Annotated[int, Form(ge=1)],
    version: Annotated[int, Form()],
) -> Response:
    """APP-3: assign the application to an appointed testing agency."""
    return form_action(
        request,
        case_id,
        ctx,
        actor,
        lambda session: applications.assign(
            session,
            ctx,
            signed_in(actor),
            case_id,
            {"agency_party_id": agency_party_id, "expected_version": version},
        ),
    )


@router.post("/console/app/applications/{case_id}/remedy-reviews", response_class=HTMLResponse)
def review_remedy(
    request: Request,
    case_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    deficiency_id: Annotated[int, Form(ge=1)],
    accepted: Annotated[str, Form(max_length=8)],
    note: Annotated[str, Form(max_length=10_000)],
) -> Response:
    """The stage's assessor accepts or refuses a remedy; the process resumes when nothing is
    left overdue."""
    return form_action(
        request,
        case_id,
        ctx,
        actor,
        lambda session: technical_verification.review_remedy(
            session,
            ctx,
            signed_in(actor),
            case_id,
            {"deficiency_id": deficiency_id, "accepted": accepted == "yes", "note": note},
        ),
    )


# --- A certification -----------------------------------------------------------------------
