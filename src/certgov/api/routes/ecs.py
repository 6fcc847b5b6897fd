"""Electronic certification services: is an activity regulated (ECS-1.1), is an application
ready (ECS-2.1) — pure checks that store nothing, so anyone may ask (a company deciding whether
it needs a licence, an applicant checking itself against a draft before it is in force) —;
licence applications and their review (ECS-2.2)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.clock import china_date
from certgov.context import Context
from certgov.ecs import assess, evaluate, parse_activity, parse_application
from certgov.ecs.retention import retention_dates
from certgov.http.deps import (
    CERTIFICATES_BODY,
    ContextDep,
    PublicActor,
    RawBody,
    SessionDep,
    allow,
)
from certgov.http.params import PathId
from certgov.licensing import services as licensing
from certgov.pki import parse_bundle
from certgov.rulebook import services as rulebook
from certgov.rules.model import Regime, RuleSet

router = APIRouter(prefix="/ecs", tags=["electronic certification services"])

JsonBody = Annotated[dict[str, Any], Body()]
RuleSetQuery = Annotated[
    str | None, Query(description="Rule set to judge under (default: the one in force on `on`).")
]
OnQuery = Annotated[dt.date | None, Query(description="Date (default: today, China time).")]


def _rule_set(
    session: Session, ctx: Context, rule_set_id: str | None, on: dt.date | None
) -> RuleSet:
    day = on or china_date(ctx.clock.now())
    return rulebook.named_or_in_force(session, ctx.rule_sets, Regime.ECS, rule_set_id, day)


@router.post("/applicability")
def applicability(
    body: JsonBody,
    session: SessionDep,
    ctx: ContextDep,
    _actor: PublicActor,
    rule_set: RuleSetQuery = None,
    on: OnQuery = None,
) -> dict[str, Any]:
    """ECS-1.1: whether an activity is a regulated electronic certification service, and why."""
    return assess(parse_activity(body), _rule_set(session, ctx, rule_set, on)).as_dict()


@router.post("/readiness")
def readiness(
    body: JsonBody,
    session: SessionDep,
    ctx: ContextDep,
    _actor: PublicActor,
    rule_set: RuleSetQuery = None,
    on: OnQuery = None,
) -> dict[str, Any]:
    """ECS-2.1: a licence application checked item by item (met / not met / needs review),
    each with the rule parameter and its source; under any rule set (a readiness check)."""
    return evaluate(parse_application(body), _rule_set(session, ctx, rule_set, on)).as_dict()


CaOperator = Annotated[Actor, Depends(allow(Role.CA_OPERATOR))]


@router.post("/applications", status_code=201)
def submit_application(
    body: JsonBody,
    session: SessionDep,
    ctx: ContextDep,
    actor: CaOperator,
    title: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """ECS-2.1 / ECS-2.2: a CA submits its licence application; it is judged item by item
    under the rule set in force today and a review case opens (45-day clock from acceptance)."""
    submitted = licensing.submit_application(session, ctx, actor, body, title=title)
    case = submitted.case
    return {
        "case": {"id": case.id, "state": case.state, "version": case.version, "title": case.title},
        "evaluation": submitted.evaluation.as_dict(),
    }


ApplicationReader = Annotated[
    Actor, Depends(allow(Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR, Role.CA_OPERATOR))
]
Regulator = Annotated[Actor, Depends(allow(Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR))]


@router.get("/applications/{case_id}")
def application(
    case_id: PathId, session: SessionDep, ctx: ContextDep, actor: ApplicationReader
) -> dict[str, Any]:
    """ECS-2.2: the application, its evaluation item by item with the reviewers' judgements,
    and the items still open or not met."""
    return licensing.application_view(session, ctx, actor, case_id)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: str = Field(max_length=64)
    status: str = Field(max_length=16, description="met or not_met")
    note: str = Field(min_length=1, max_length=2000)
    expected_version: int = Field(
        description="The case version you acted on; a stale one is answered 409 Conflict."
    )


@router.post("/applications/{case_id}/reviews")
def review(
    case_id: PathId, body: ReviewIn, session: SessionDep, ctx: ContextDep, actor: Regulator
) -> dict[str, Any]:
    """ECS-2.2: a reviewer judges one item (needs review → met / not met; met → not met)."""
    licensing.review_item(
        session,
        ctx,
        actor,
        case_id,
        item=body.item,
        status=body.status,
        note=body.note,
        expected_version=body.expected_version,
    )
    return licensing.application_view(session, ctx, actor, case_id)


@router.post("/retention", openapi_extra=CERTIFICATES_BODY)
def retention(
    body: RawBody,
    session: SessionDep,
    ctx: ContextDep,
    _actor: PublicActor,
    rule_set: RuleSetQuery = None,
    on: OnQuery = None,
) -> dict[str, Any]:
    """ECS-3.6: until when the records of each certificate of a PEM/DER/PKCS #7 bundle (the
    request body) must be kept: 5 years after it ceases to be valid (ESL Art. 24). Stores
    nothing."""
    certificates = parse_bundle(body)
    chosen = _rule_set(session, ctx, rule_set, on)
    results = retention_dates(certificates, chosen)
    return {"rule_set": chosen.id, "certificates": [r.as_dict() for r in results]}
