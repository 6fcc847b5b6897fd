"""Self-service for CAs, what they report (ECS-4.1, ECS-4.4): operating statistics per quarter and significant operational changes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.cases import services as cases
from certgov.conduct import reports, statistics
from certgov.context import Context
from certgov.errors import CertgovError, Conflict
from certgov.http.deps import ContextDep, SessionDep
from certgov.http.params import PathId
from certgov.i18n import N_, translate
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime
from certgov.store.engine import unit_of_work
from certgov.web.pages.common import FormActor, PageActor, language_of, page_error, router
from certgov.web.pages.self_service import (
    _guarded,
    deadline_rows,
    page,
    state_title,
    today,
)
from certgov.web.pages.self_service_conduct import CHANGE_KINDS, DURATIONS, _again, _ca, _ca_page


def _periods(session: Session, ctx: Context, count: int = 4) -> list[statistics.ReportingPeriod]:
    """The latest ``count`` reporting periods that have ended, newest first."""
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, today(ctx))
    shown = []
    day = statistics.period_of(rule_set, today(ctx)).start - dt.timedelta(days=1)
    for _ in range(count):
        period = statistics.period_of(rule_set, day)
        shown.append(period)
        day = period.start - dt.timedelta(days=1)
    return shown


def _statistics_page(
    request: Request, session: Session, ctx: Context, actor: Actor, status: int = 200, **values: Any
) -> Response:
    filed = statistics.list_statistics(session, actor, actor.party_id or 0)
    done = {r.period_start for r in filed}
    periods = _periods(session, ctx)
    values.setdefault("form", {})
    return page(
        request,
        session,
        "self/statistics.html",
        actor,
        status,
        reports=list(reversed(filed)),
        periods=[(p, p.start in done) for p in periods],
        next_due=next((p for p in periods if p.start not in done), None),
        today=today(ctx),
        **values,
    )


@router.get("/self/statistics", response_class=HTMLResponse)
def statistics_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """ECS-4.1: the statistics filed per period and the form for a period that has ended."""
    return _ca_page(request, session, ctx, actor, _statistics_page)


def _count(text: str) -> int | None:
    cleaned = text.strip().replace(",", "")
    return int(cleaned) if cleaned.isdigit() else None


@router.post("/self/statistics", response_class=HTMLResponse)
def statistics_file(
    request: Request,
    ctx: ContextDep,
    actor: FormActor,
    period_start: Annotated[str, Form(max_length=10)] = "",
    issued: Annotated[str, Form(max_length=20)] = "",
    revoked: Annotated[str, Form(max_length=20)] = "",
    valid: Annotated[str, Form(max_length=20)] = "",
    correction: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    party = _ca(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    form = {
        "period_start": period_start,
        "issued": issued,
        "revoked": revoked,
        "valid": valid,
        "correction": correction,
    }
    numbers = {"issued": _count(issued), "revoked": _count(revoked)}
    if any(v is None for v in numbers.values()) or (valid.strip() and _count(valid) is None):
        return _again(
            request, ctx, party, _statistics_page, 422, form=form,
            error=translate(
                lang, "Give the numbers of certificates as whole numbers (0 or more), digits only."
            ),
        )  # fmt: skip
    body: dict[str, Any] = {
        "period_start": period_start,
        "certificates_issued": numbers["issued"],
        "certificates_revoked": numbers["revoked"],
    }
    if valid.strip():
        body["certificates_valid"] = _count(valid)
    if correction:
        body["correction"] = True
    try:
        with unit_of_work(ctx.sessions) as session:
            statistics.file_statistics(session, ctx, party, party.party_id or 0, body)
    except CertgovError as error:
        if isinstance(error, Conflict):
            message = N_(
                "The statistics of this period are already filed: tick “This corrects the "
                "statistics filed” to correct them."
            )
        elif "correction" in error.message:
            message = N_("Nothing is filed yet for this period to correct.")
        else:
            message = N_("Choose a reporting period that has ended.")
        return _again(
            request, ctx, party, _statistics_page, 422, form=form, error=translate(lang, message)
        )
    return RedirectResponse("/self/statistics", status_code=303)


def _changes_page(
    request: Request, session: Session, ctx: Context, actor: Actor, status: int = 200, **values: Any
) -> Response:
    own = cases.list_cases(
        session, ctx, actor, process_id=reports.OPERATIONAL_CHANGE_PROCESS, limit=100
    )
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, today(ctx))
    period = rule_set.duration("operational_change_report_period")
    values.setdefault("form", {})
    return page(
        request,
        session,
        "self/changes.html",
        actor,
        status,
        changes=[(c, state_title(ctx, c)) for c in own],
        kinds=[(k, CHANGE_KINDS.get(k)) for k in rule_set.items("operational_change_kinds")],
        kind_words=CHANGE_KINDS,
        period_words=translate(
            language_of(request), DURATIONS.get(period.unit.value, "{n}")
        ).format(n=period.amount),
        today=today(ctx),
        **values,
    )


@router.get("/self/changes", response_class=HTMLResponse)
def changes_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """ECS-4.4: the significant operational changes reported and the form to report one."""
    return _ca_page(request, session, ctx, actor, _changes_page)


@router.post("/self/changes", response_class=HTMLResponse)
def change_report(
    request: Request,
    ctx: ContextDep,
    actor: FormActor,
    kind: Annotated[str, Form(max_length=200)] = "",
    effective_on: Annotated[str, Form(max_length=10)] = "",
    description: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    party = _ca(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    form = {"kind": kind, "effective_on": effective_on, "description": description}
    try:
        if not description.strip():
            raise CertgovError("empty description", details={"field": "description"})
        with unit_of_work(ctx.sessions) as session:
            case, _late = reports.report_operational_change(
                session,
                ctx,
                party,
                {"kind": kind, "effective_on": effective_on, "description": description.strip()},
            )
            case_id = case.id
    except CertgovError as error:
        field = str((error.details or {}).get("field", ""))
        message = {
            "kind": N_("Choose the kind of change."),
            "effective_on": N_("Give the day the change takes or took effect."),
        }.get(field, N_("Say what changes."))
        return _again(
            request, ctx, party, _changes_page, 422, form=form, error=translate(lang, message)
        )
    return RedirectResponse(f"/self/changes/{case_id}", status_code=303)


@router.get("/self/changes/{case_id}", response_class=HTMLResponse)
def change_page(
    request: Request, case_id: PathId, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    def view(a: Actor) -> Response:
        try:
            case = cases.get_case(session, ctx, a, case_id)
            if case.process_id != reports.OPERATIONAL_CHANGE_PROCESS:
                raise CertgovError("case {case} is not an operational change", case=case_id)
        except CertgovError as error:
            return page(
                request,
                session,
                "not_found.html",
                a,
                404,
                what=page_error(language_of(request), error),
            )
        history = [e for e in cases.history(session, case) if e.reason]
        return page(
            request,
            session,
            "self/change.html",
            a,
            case=case,
            state=state_title(ctx, case),
            deadlines=deadline_rows(session, ctx, case),
            kind_words=CHANGE_KINDS,
            history=history,
        )

    return _guarded(request, session, actor, view)
