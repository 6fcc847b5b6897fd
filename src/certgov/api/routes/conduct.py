"""CA conduct over HTTP (ECS-3.1–3.3), the public registry of CAs, and findings (ECS-4.2)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.cases.schemas import case_summary
from certgov.conduct import reports
from certgov.conduct import services as conduct
from certgov.conduct.schemas import declaration_out, outlet_out, statement_out
from certgov.findings.schemas import finding_out
from certgov.findings.services import visible_findings
from certgov.http.deps import ContextDep, PublicActor, SessionDep, SignedInActor, allow
from certgov.http.params import PathId
from certgov.parties.models import Party
from certgov.parties.services import check_party_scope
from certgov.publication import portal

router = APIRouter(tags=["CA conduct and registry"])

JsonBody = Annotated[dict[str, Any], Body()]
CaOperator = Annotated[Actor, Depends(allow(Role.CA_OPERATOR))]
Keeper = Annotated[
    Actor, Depends(allow(Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR, Role.CA_OPERATOR))
]


@router.get("/cas/{party_id}/practice-statements")
def list_statements(
    party_id: PathId, session: SessionDep, _actor: PublicActor
) -> list[dict[str, Any]]:
    """ECS-3.1: every filed version of the CA's practice statement, public."""
    return [statement_out(s) for s in conduct.practice_statements(session, party_id)]


@router.post("/cas/{party_id}/practice-statements", status_code=201)
def file_statement(
    party_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: CaOperator
) -> dict[str, Any]:
    """ECS-3.1: file a new CPS version: ``{"label", "sha256", "effective_on"[, "title",
    "size", "url"]}``."""
    return statement_out(conduct.file_practice_statement(session, ctx, actor, party_id, body))


def _scoped_party(session: Session, actor: Actor, party_id: int, what: str) -> None:
    party = session.get(Party, party_id)
    if party is not None:
        check_party_scope(actor, party, what)


@router.get("/cas/{party_id}/outsourcing")
def list_declarations(party_id: PathId, session: SessionDep, actor: Keeper) -> list[dict[str, Any]]:
    """ECS-3.2: the CA's outsourcing declarations, newest last (its regulators and itself)."""
    _scoped_party(session, actor, party_id, "see outsourcing declarations")
    return [declaration_out(d) for d in conduct.outsourcing_declarations(session, party_id)]


@router.put("/cas/{party_id}/outsourcing")
def declare_outsourcing(
    party_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: CaOperator
) -> dict[str, Any]:
    """ECS-3.2: declare the outsourced functions ``{"functions": [{"function", "provider"}]}``;
    a critical one is a finding."""
    declared = conduct.declare_outsourcing(session, ctx, actor, party_id, body)
    return {**declaration_out(declared.declaration), "findings": declared.findings}


@router.get("/cas/{party_id}/operating-provinces")
def list_provinces(party_id: PathId, session: SessionDep, _actor: PublicActor) -> dict[str, Any]:
    """ECS-3.3: where the CA operates and where it has open outlets, public."""
    provinces = conduct.operating_provinces(session, party_id)
    covered = {o.jurisdiction for o in conduct.outlets(session, party_id, include_closed=False)}
    return {
        "provinces": provinces,
        "without_outlet": [p for p in provinces if p not in covered],
    }


@router.put("/cas/{party_id}/operating-provinces")
def set_provinces(
    party_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: Keeper
) -> dict[str, Any]:
    """ECS-3.3: set the provinces where the CA operates ``{"provinces": [codes]}``; each
    without an outlet is a finding."""
    missing = conduct.set_operating_provinces(session, ctx, actor, party_id, body)
    return {"provinces": conduct.operating_provinces(session, party_id), "without_outlet": missing}


@router.get("/cas/{party_id}/outlets")
def list_outlets(
    party_id: PathId, session: SessionDep, _actor: PublicActor
) -> list[dict[str, Any]]:
    """ECS-3.3: the CA's service outlets, closed ones included, public."""
    return [outlet_out(o) for o in conduct.outlets(session, party_id)]


@router.post("/cas/{party_id}/outlets", status_code=201)
def open_outlet(
    party_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: Keeper
) -> dict[str, Any]:
    """ECS-3.3: register an outlet ``{"jurisdiction", "name", "address"[, "opened_on"]}``."""
    outlet, missing = conduct.open_outlet(session, ctx, actor, party_id, body)
    return {**outlet_out(outlet), "without_outlet": missing}


@router.post("/cas/{party_id}/outlets/{outlet_id}/close")
def close_outlet(
    party_id: PathId, outlet_id: PathId, session: SessionDep, ctx: ContextDep, actor: Keeper
) -> dict[str, Any]:
    """ECS-3.3: close an outlet; a province left without one becomes a finding."""
    outlet, missing = conduct.close_outlet(session, ctx, actor, party_id, outlet_id)
    return {**outlet_out(outlet), "without_outlet": missing}


@router.get("/registry/cas")
def registry_cas(
    session: SessionDep,
    ctx: ContextDep,
    _actor: PublicActor,
    status: Annotated[str | None, Query(max_length=16, description="Licence status.")] = None,
    q: Annotated[str, Query(max_length=200, description="Part of the CA's name.")] = "",
    province: Annotated[
        str, Query(max_length=6, description="Based or operating in (GB/T 2260 code).")
    ] = "",
) -> list[dict[str, Any]]:
    """SYS-4 / ECS-2.3 / ECS-3: every CA with its licence and status history, practice
    statement, operating provinces and outlets, and open conduct findings; public. Searched
    by name (``q``) and filtered by province and licence status like ``/registry``."""
    return portal.registry(session, ctx, q=q, province=province, status=status or "")


@router.get("/findings")
def list_findings(
    session: SessionDep,
    actor: SignedInActor,
    party: Annotated[int | None, Query(description="Party id.")] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """ECS-4.2: findings the caller may see (regulators their jurisdiction, operators their
    own), newest first."""
    return [
        finding_out(f)
        for f in visible_findings(session, actor, party_id=party, status=status, limit=limit)
    ]


@router.post("/incidents", status_code=201)
def report_incident(
    body: JsonBody, session: SessionDep, ctx: ContextDep, actor: CaOperator
) -> dict[str, Any]:
    """ECS-4.4: a CA's preliminary incident report ``{"title", "aware_at", "summary"[,
    "certificates_affected"]}`` opens a ``ca-incident`` case; late (past
    ``incident_preliminary_report`` from awareness) is a finding. The full report is the
    case's ``submit_full_report`` transition, due within ``incident_full_report``."""
    case, finding = reports.report_incident(session, ctx, actor, body)
    return {**case_summary(case), "data": case.data, "finding": finding}
