"""Violations, enforcement cases and published penalties over HTTP (ECS-6)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from certgov.cases.schemas import case_detail
from certgov.enforcement import catalogue
from certgov.enforcement import services as enforcement
from certgov.enforcement.schemas import penalty_out
from certgov.errors import NotFound
from certgov.http.deps import ContextDep, PublicActor, Regulator, SessionDep

router = APIRouter(tags=["enforcement (ECS-6)"])

JsonBody = Annotated[dict[str, Any], Body()]


@router.get("/violations")
def violations(
    session: SessionDep,
    ctx: ContextDep,
    _actor: PublicActor,
    rule_set: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """ECS-6.1: the violation catalogue (legal basis, allowed outcomes, fine ranges) of the
    rule set in force today, or of ``rule_set``."""
    if rule_set is None:
        chosen = enforcement.ecs_rules(session, ctx)
    elif rule_set in ctx.rule_sets:
        chosen = ctx.rule_sets[rule_set]
    else:
        raise NotFound(f"no rule set {rule_set!r}")
    return {"rule_set": chosen.id, "violations": catalogue.catalogue_out(chosen)}


@router.post("/enforcement", status_code=201)
def open_enforcement(
    body: JsonBody, session: SessionDep, ctx: ContextDep, actor: Regulator
) -> dict[str, Any]:
    """ECS-6.2: confirm a finding as a violation and open the enforcement case
    ``{"finding_id", "violation", "summary"}`` (or ``{"party_id", ...}`` without a finding).
    Then: ``notify`` (the notice), the CA's ``submit_statement`` or ``request_hearing`` within
    ``penalty_statement_period``, ``decide`` with ``{"outcomes", "fine_yuan"?,
    "illegal_gains_yuan"?}`` and the reasons, ``publish`` — all at
    ``POST /cases/{case_id}/transitions``."""
    case = enforcement.open_from_finding(session, ctx, actor, body)
    return case_detail(session, ctx, actor, case)


@router.get("/penalties")
def penalties(
    session: SessionDep,
    _actor: PublicActor,
    party: Annotated[int | None, Query(description="Party id.")] = None,
) -> list[dict[str, Any]]:
    """SYS-4, ECS-6.2: published penalty decisions, newest first; public."""
    return [penalty_out(p, public=True) for p in enforcement.published_penalties(session, party)]
