"""Credit records, restrictions and CA exit over HTTP (ECS-7)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from certgov.actors import Actor, Role
from certgov.cases.schemas import case_summary
from certgov.clock import china_date
from certgov.credit import services as credit
from certgov.credit import withdrawal
from certgov.enforcement import services as enforcement
from certgov.http.deps import ContextDep, PublicActor, Regulator, SessionDep, allow
from certgov.http.params import PathId
from certgov.parties.services import check_party_scope, get_ca

router = APIRouter(tags=["credit and exit (ECS-7)"])

JsonBody = Annotated[dict[str, Any], Body()]
CaOperator = Annotated[Actor, Depends(allow(Role.CA_OPERATOR))]
Keeper = Annotated[
    Actor, Depends(allow(Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR, Role.CA_OPERATOR))
]


@router.get("/credit/{party_id}")
def credit_record(
    party_id: PathId, session: SessionDep, ctx: ContextDep, actor: Keeper
) -> dict[str, Any]:
    """ECS-7.1: the CA's credit record: weighted penalties and open findings, score, standing
    and running restrictions (its regulators, and the CA itself)."""
    party = get_ca(session, party_id)
    check_party_scope(actor, party, "see the credit record")
    today = china_date(ctx.clock.now())
    return credit.credit_record(session, enforcement.ecs_rules(session, ctx), party, today)


@router.get("/restrictions")
def restrictions(session: SessionDep, ctx: ContextDep, _actor: PublicActor) -> list[dict[str, Any]]:
    """ECS-7.1: the running restrictions that come from published penalties; public."""
    rule_set = enforcement.ecs_rules(session, ctx)
    today = china_date(ctx.clock.now())
    out = []
    party_ids = {p.party_id for p in enforcement.published_penalties(session)}
    for party_id in sorted(party_ids):
        party = get_ca(session, party_id)
        for ban in credit.bans(session, rule_set, party_id, today):
            if ban.penalty.published_at is not None:
                out.append({"party_id": party.id, "party": party.name, **ban.as_dict()})
    return out


@router.post("/withdrawals", status_code=201)
def declare_withdrawal(
    body: JsonBody, session: SessionDep, ctx: ContextDep, actor: CaOperator
) -> dict[str, Any]:
    """ECS-7.3: the CA declares it will cease ``{"cessation_date", "subscriber_certificates",
    "parties_notified_on"?, "receiving_party_id"?, "records"?}``; a report under 60 days or a
    notice under 90 days before the cessation is a finding."""
    case, findings = withdrawal.declare_withdrawal(session, ctx, actor, body)
    return {**withdrawal.exit_view(session, ctx, actor, case), "findings": findings}


@router.get("/withdrawals/{case_id}")
def exit_detail(
    case_id: PathId, session: SessionDep, ctx: ContextDep, actor: Keeper
) -> dict[str, Any]:
    """ECS-7.2, ECS-7.3: an exit case: dates, receiving CA, handover counts and what remains."""
    case = withdrawal.exit_case(session, ctx, actor, case_id)
    return withdrawal.exit_view(session, ctx, actor, case)


@router.post("/withdrawals/{case_id}/offer")
def offer_business(
    case_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: CaOperator
) -> dict[str, Any]:
    """ECS-7.3: the leaving CA offers its business to a CA ``{"receiving_party_id"}``."""
    case = withdrawal.offer(session, ctx, actor, case_id, body)
    return withdrawal.exit_view(session, ctx, actor, case)


@router.post("/withdrawals/{case_id}/response")
def respond(
    case_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: CaOperator
) -> dict[str, Any]:
    """ECS-7.3: the CA offered the business accepts or declines it ``{"accept": bool}``."""
    case = withdrawal.respond(session, ctx, actor, case_id, body)
    return {**case_summary(case), "receiving": case.data.get("receiving")}


@router.post("/withdrawals/{case_id}/designation")
def designate(
    case_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: Regulator
) -> dict[str, Any]:
    """ECS-7.3: no CA agreed; the regulator designates one ``{"receiving_party_id",
    "reason"}``."""
    case = withdrawal.designate(session, ctx, actor, case_id, body)
    return withdrawal.exit_view(session, ctx, actor, case)


@router.post("/withdrawals/{case_id}/handover")
def report_handover(
    case_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: CaOperator
) -> dict[str, Any]:
    """ECS-7.2, ECS-7.3: handover progress as running totals ``{"migrated", "revoked",
    "records_transferred"?, "subscriber_certificates"?}``. The national regulator completes
    the exit (``complete`` at ``POST /cases/{case_id}/transitions``) once nothing remains."""
    case = withdrawal.report_handover(session, ctx, actor, case_id, body)
    return withdrawal.exit_view(session, ctx, actor, case)
