"""Supervision over HTTP (ECS-4.1, ECS-4.3, ECS-4.4, ECS-3.5): operating statistics and
significant operational changes reported by CAs, the regulators' dashboard, and the state of
the CAs' revocation services."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from sqlalchemy import select

from certgov.actors import Actor, Role
from certgov.cases.schemas import case_summary
from certgov.conduct import reports
from certgov.conduct import statistics as operating
from certgov.conduct.schemas import report_out
from certgov.filings.models import RevocationSource
from certgov.http.deps import ContextDep, SessionDep, allow
from certgov.http.params import PathId, QueryId
from certgov.parties.services import check_party_scope, get_ca
from certgov.supervision import dashboard as dashboards
from certgov.supervision.lint_summary import lint_summary

router = APIRouter(tags=["supervision"])

JsonBody = Annotated[Any, Body()]
CaOperator = Annotated[Actor, Depends(allow(Role.CA_OPERATOR))]
Regulator = Annotated[Actor, Depends(allow(Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR))]
Keeper = Annotated[
    Actor, Depends(allow(Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR, Role.CA_OPERATOR))
]


@router.post("/cas/{party_id}/statistics", status_code=201)
def file_statistics(
    party_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: CaOperator
) -> dict[str, Any]:
    """ECS-4.1: the CA's operating statistics for one period ``{"period_start",
    "certificates_issued", "certificates_revoked"[, "certificates_valid", "by_type",
    "correction"]}``; periods and due dates from the rule set (``operating_statistics_period``,
    ``operating_statistics_due``). Filed late, the report is marked late and the overdue finding
    closes."""
    return report_out(operating.file_statistics(session, ctx, actor, party_id, body))


@router.get("/cas/{party_id}/statistics")
def list_statistics(party_id: PathId, session: SessionDep, actor: Keeper) -> list[dict[str, Any]]:
    """ECS-4.1: the CA's operating statistics, oldest period first (its regulators, itself)."""
    return [report_out(r) for r in operating.list_statistics(session, actor, party_id)]


@router.post("/operational-changes", status_code=201)
def report_operational_change(
    body: JsonBody, session: SessionDep, ctx: ContextDep, actor: CaOperator
) -> dict[str, Any]:
    """ECS-4.4: report a significant operational change ``{"kind", "effective_on",
    "description"}`` (kinds: the rule set's ``operational_change_kinds``). Opens a
    ``ca-operational-change`` case; reported more than ``operational_change_report_period``
    after the change, it is a finding."""
    case, finding = reports.report_operational_change(session, ctx, actor, body)
    return {**case_summary(case), "data": case.data, "finding": finding}


@router.get("/supervision/dashboard")
def dashboard(
    session: SessionDep,
    ctx: ContextDep,
    actor: Regulator,
    province: Annotated[str | None, Query(max_length=16, description="A province code.")] = None,
    party_id: QueryId = None,
    due_soon_days: Annotated[int, Query(ge=0, le=365)] = dashboards.DUE_SOON_DAYS,
) -> dict[str, Any]:
    """ECS-4.1, ECS-4.3: per CA and per province, filings, findings open and closed, deadlines
    overdue and due soon, incidents, operational changes, the latest statistics and the
    revocation services' state, and the CA certificates filed in each of the last 12 months
    (``filings_by_month``, Beijing time); the national regulator sees every CA, a provincial
    regulator those of its province; ``party_id``: one CA (404 outside your remit)."""
    return dashboards.dashboard(
        session,
        ctx,
        actor,
        province=province,
        party_id=party_id,
        due_soon_days=due_soon_days,
    )


@router.get("/supervision/cas/{party_id}/lints")
def ca_lint_summary(
    party_id: PathId, session: SessionDep, ctx: ContextDep, actor: Regulator
) -> dict[str, Any]:
    """ECS-3.4, ECS-4.2: the CA's lint summary, like crt.sh's: each pkilint code found in the
    CA certificates it filed with its worst severity, the certificates that have it (and their
    share of those linted) and up to five of them; how many were linted, could not be read,
    are not linted yet, or have a finding of each severity."""
    return lint_summary(session, ctx, actor, party_id)


@router.get("/cas/{party_id}/revocation-services")
def revocation_services(
    party_id: PathId, session: SessionDep, actor: Keeper
) -> list[dict[str, Any]]:
    """ECS-3.5: the CA's CRL distribution points and OCSP responders as last checked."""
    party = get_ca(session, party_id)
    check_party_scope(actor, party, "see revocation services")
    rows = session.scalars(
        select(RevocationSource)
        .where(RevocationSource.party_id == party.id)
        .order_by(RevocationSource.id)
    )
    return [
        {
            "id": row.id,
            "kind": row.kind,
            "url": row.url,
            "status": row.status,
            "problem": row.problem,
            "message": row.message,
            "certificate": row.subject_sha256,
            "registered_at": row.registered_at.isoformat(),
            "checked_at": row.checked_at.isoformat() if row.checked_at else None,
            "ok_at": row.ok_at.isoformat() if row.ok_at else None,
            "next_check_at": row.next_check_at.isoformat(),
            "this_update": row.this_update.isoformat() if row.this_update else None,
            "next_update": row.next_update.isoformat() if row.next_update else None,
        }
        for row in rows
    ]
