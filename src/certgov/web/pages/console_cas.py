"""A CA's supervision page for its regulators at ``/console/cas/{party_id}`` (issue 17;
ECS-2.3, ECS-2.4, ECS-3, ECS-4, ECS-5, ECS-6, ECS-7, SYS-6): the licence with the actions the
authority may take (suspend, reinstate, revoke, withdraw, open a modification case: the
national regulator), practice statements, outsourcing, operating provinces and
outlets, filed CA certificates, findings, incidents and operational changes, operating
statistics, complaints, penalties, the credit record and any exit with its handover. The
national regulator sees every CA, a provincial regulator those registered in its province;
others are refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certgov.actors import REGULATORS, Actor, Role
from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.complaints import services as complaints
from certgov.conduct import reports, statistics
from certgov.conduct import services as conduct
from certgov.conduct.schemas import declaration_out, outlet_out, report_out, statement_out
from certgov.context import Context
from certgov.credit import services as credit
from certgov.credit import withdrawal
from certgov.enforcement import services as enforcement
from certgov.enforcement.models import Penalty
from certgov.errors import CertgovError, Forbidden
from certgov.filings.models import FiledCertificate
from certgov.findings.models import Finding, FindingStatus
from certgov.http.deps import ContextDep, SessionDep
from certgov.http.params import PathId
from certgov.i18n import N_, translate
from certgov.licensing import services as licensing
from certgov.licensing.schemas import licence_out
from certgov.parties.models import Party, PartyKind
from certgov.parties.services import check_party_scope
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
from certgov.web.pages.console import OUTCOMES

#: The licence actions of the national regulator, by the statuses they apply to.
LICENCE_ACTIONS = {
    "suspend": N_("Suspend the licence"),
    "reinstate": N_("Reinstate the licence"),
    "revoke": N_("Revoke the licence"),
    "withdraw": N_("Withdraw the licence (the CA ceased its service)"),
}
ACTIONS_BY_STATUS = {
    "valid": ("suspend", "revoke", "withdraw"),
    "suspended": ("reinstate", "revoke", "withdraw"),
}
#: The case processes the page lists, in this order, with their headings.
CASE_GROUPS = (
    (reports.INCIDENT_PROCESS, N_("Incidents")),
    (reports.OPERATIONAL_CHANGE_PROCESS, N_("Significant operational changes")),
    (complaints.PROCESS, N_("Complaints")),
    (enforcement.PROCESS, N_("Enforcement cases")),
    (licensing.MODIFICATION_PROCESS, N_("Licence modifications")),
    (licensing.RENEWAL_PROCESS, N_("Licence renewals")),
)
RECENT_FINDINGS = 10
#: Words of the credit standing (credit.services.credit_record).
STANDING_TITLES = {
    "good": N_("Good"),
    "fair": N_("Fair"),
    "poor": N_("Poor"),
    "barred": N_("Barred: a ban is running"),
}


def _refused(request: Request, message: str | None = None) -> Response:
    lang = language_of(request)
    return error_page(
        request,
        403,
        [message or translate(lang, "A CA's supervision page is for its regulators.")],
    )


def _ca(session: Session, actor: Actor, party_id: int) -> Party | None:
    """The CA ``party_id`` if ``actor`` supervises it; None if there is no such CA; Forbidden
    outside a provincial regulator's province."""
    party = session.get(Party, party_id)
    if party is None or party.kind is not PartyKind.CA:
        return None
    check_party_scope(actor, party, "supervise this CA")
    return party


def ca_page_values(session: Session, ctx: Context, actor: Actor, party: Party) -> dict[str, Any]:
    """What the page shows of ``party``, read in one unit of work."""
    today = china_date(ctx.clock.now())
    rules = enforcement.ecs_rules(session, ctx)
    licences = [
        licence_out(session, licence)
        for licence in licensing.list_licences(session, holder_party_id=party.id)
    ]
    for body in licences:
        body["actions"] = (
            ACTIONS_BY_STATUS.get(body["status"], ())
            if actor.role is Role.NATIONAL_REGULATOR
            else ()
        )
    filed = dict(
        session.execute(
            select(FiledCertificate.role, func.count())
            .where(FiledCertificate.party_id == party.id)
            .group_by(FiledCertificate.role)
        ).all()
    )
    last_filed = session.scalar(
        select(func.max(FiledCertificate.filed_at)).where(FiledCertificate.party_id == party.id)
    )
    late_filed = session.scalar(
        select(func.count())
        .select_from(FiledCertificate)
        .where(FiledCertificate.party_id == party.id, FiledCertificate.late.is_(True))
    )
    open_findings = list(
        session.scalars(
            select(Finding)
            .where(Finding.party_id == party.id, Finding.status == FindingStatus.OPEN)
            .order_by(Finding.last_seen.desc())
        )
    )
    cases_by_process: dict[str, list[Case]] = {}
    for case in session.scalars(
        select(Case)
        .where(
            Case.subject_party_id == party.id,
            Case.process_id.in_(
                [p for p, _ in CASE_GROUPS] + [withdrawal.PROCESS, licensing.PROCESS]
            ),
        )
        .order_by(Case.id.desc())
    ):
        cases_by_process.setdefault(case.process_id, []).append(case)
    exits = [
        withdrawal.exit_view(session, ctx, actor, case)
        for case in cases_by_process.get(withdrawal.PROCESS, [])
    ]
    penalties = list(
        session.scalars(
            select(Penalty).where(Penalty.party_id == party.id).order_by(Penalty.decided_on)
        )
    )
    provinces = conduct.operating_provinces(session, party.id)
    open_outlets = conduct.outlets(session, party.id, include_closed=False)
    covered = {o.jurisdiction for o in open_outlets}
    declarations = conduct.outsourcing_declarations(session, party.id)
    return {
        "party": party,
        "licences": licences,
        "action_titles": LICENCE_ACTIONS,
        "modification_kinds": rules.items("modification_triggers"),
        "may_modify": actor.role is Role.NATIONAL_REGULATOR,
        "statements": [
            statement_out(s) for s in reversed(conduct.practice_statements(session, party.id))
        ],
        "outsourcing": declaration_out(declarations[-1]) if declarations else None,
        "provinces": provinces,
        "without_outlet": [p for p in provinces if p not in covered],
        "outlets": [outlet_out(o) for o in conduct.outlets(session, party.id)],
        "filed": filed,
        "filed_total": sum(filed.values()),
        "last_filed": last_filed,
        "late_filed": late_filed or 0,
        "findings": open_findings[:RECENT_FINDINGS],
        "findings_total": len(open_findings),
        "findings_by_severity": Counter(f.severity for f in open_findings),
        "statistics": [report_out(r) for r in statistics.list_statistics(session, actor, party.id)][
            -8:
        ],
        "case_groups": [(pid, title, cases_by_process.get(pid, [])) for pid, title in CASE_GROUPS],
        "processes": ctx.processes,
        "penalties": penalties,
        "credit": credit.credit_record(session, rules, party, today),
        "exits": exits,
        "standing_titles": STANDING_TITLES,
        "outcome_titles": OUTCOMES,
        "today": today,
    }


def _page(
    request: Request,
    session: Session,
    ctx: Context,
    actor: Actor,
    party_id: int,
    status: int = 200,
    error: str | None = None,
) -> Response:
    try:
        party = _ca(session, actor, party_id)
    except Forbidden as refused:
        return _refused(request, page_error(language_of(request), refused))
    if party is None:
        lang = language_of(request)
        what = translate(lang, "No CA with number {id}.").format(id=party_id)
        return render(request, "not_found.html", status=404, actor=actor, what=what)
    return render(
        request,
        "console/ca.html",
        status=status,
        actor=actor,
        error=error,
        **ca_page_values(session, ctx, actor, party),
    )


@router.get("/console/cas/{party_id}", response_class=HTMLResponse)
def ca_page(
    request: Request, party_id: PathId, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    if actor.role not in REGULATORS:
        return _refused(request)
    return _page(request, session, ctx, actor, party_id)


def _act(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    party_id: int,
    action: Callable[[Session], object],
) -> Response:
    if actor is None:
        return RedirectResponse("/console", status_code=303)
    if actor.role not in REGULATORS:
        return _refused(request)
    target: object = None
    try:
        with unit_of_work(ctx.sessions) as session:
            party = _ca(session, actor, party_id)
            if party is None:
                return _refused(request)
            target = action(session)
    except CertgovError as refused:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _page(
                request,
                session,
                ctx,
                actor,
                party_id,
                status=422,
                error=page_error(language_of(request), refused),
            )
    if isinstance(target, Case):
        return RedirectResponse(f"/console/cases/{target.id}", status_code=303)
    return RedirectResponse(f"/console/cas/{party_id}#licence", status_code=303)


def _licence_of(session: Session, party_id: int, number: str) -> str:
    """``number`` if it is a licence of the CA (a form names no other CA's licence)."""
    licence = licensing.get_licence(session, number[:64])
    if licence.holder_party_id != party_id:
        raise Forbidden("licence {number} is not held by this CA", number=licence.number)
    return licence.number


@router.post("/console/cas/{party_id}/licences/{number}/status", response_class=HTMLResponse)
def licence_status(
    request: Request,
    party_id: PathId,
    number: str,
    ctx: ContextDep,
    actor: FormActor,
    action: Annotated[str, Form(max_length=16)],
    reason: Annotated[str, Form(max_length=10_000)],
    version: Annotated[int, Form()],
    effective_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """ECS-2.3: the national regulator suspends, reinstates, revokes or withdraws the licence
    with a reason, from a stated earlier day if decided on paper (SYS-8)."""
    return _act(
        request,
        ctx,
        actor,
        party_id,
        lambda session: licensing.change_status(
            session,
            ctx,
            signed_in(actor),
            _licence_of(session, party_id, number),
            action,
            reason=reason,
            expected_version=version,
            effective_on=effective_on.strip() or None,
        ),
    )


@router.post("/console/cas/{party_id}/licences/{number}/modifications", response_class=HTMLResponse)
def licence_modification(
    request: Request,
    party_id: PathId,
    number: str,
    ctx: ContextDep,
    actor: FormActor,
    description: Annotated[str, Form(max_length=10_000)],
    kinds: Annotated[list[str] | None, Form(max_length=16)] = None,
) -> Response:
    """ECS-2.4: open a modification case of the licence; on to its case page."""
    return _act(
        request,
        ctx,
        actor,
        party_id,
        lambda session: licensing.open_modification(
            session,
            ctx,
            signed_in(actor),
            _licence_of(session, party_id, number),
            {"kinds": list(kinds or []), "description": description},
        ),
    )
