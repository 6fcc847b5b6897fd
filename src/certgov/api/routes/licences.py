"""Licences over HTTP (ECS-2.3, ECS-2.4): the public record of each licence and its history;
regulators' status decisions; renewal and modification cases; the refusal of transfers; the
business-registration changes a CA files."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from certgov.actors import Actor, Role
from certgov.cases.schemas import case_summary
from certgov.http.deps import ContextDep, PublicActor, SessionDep, allow
from certgov.http.params import AtQuery, PathId, parse_at
from certgov.licensing import services as licensing
from certgov.licensing.models import RegistrationChange
from certgov.licensing.schemas import licence_out
from certgov.parties.models import Party
from certgov.parties.services import check_party_scope

router = APIRouter(tags=["licences"])

JsonBody = Annotated[dict[str, Any], Body()]
CaOperator = Annotated[Actor, Depends(allow(Role.CA_OPERATOR))]
LicenceActor = Annotated[
    Actor, Depends(allow(Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR, Role.CA_OPERATOR))
]


@router.get("/licences")
def list_licences(
    session: SessionDep,
    _actor: PublicActor,
    holder: Annotated[int | None, Query(description="Holder party id.")] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    jurisdiction: Annotated[str | None, Query(max_length=16)] = None,
) -> list[dict[str, Any]]:
    """ECS-2.3 / SYS-4: licences, public."""
    return [
        licence_out(session, licence, history=False)
        for licence in licensing.list_licences(
            session, holder_party_id=holder, status=status, jurisdiction=jurisdiction
        )
    ]


@router.get("/licences/{number}")
def get_licence(
    number: str, session: SessionDep, ctx: ContextDep, _actor: PublicActor, at: AtQuery = None
) -> dict[str, Any]:
    """ECS-2.3: a licence with its status history, public; with ``at``, its status then
    (SYS-8), each change counted from the day it took effect."""
    licence = licensing.get_licence(session, number)
    body = licence_out(session, licence)
    if at is not None:
        when = parse_at(at, ctx.clock.now())
        then = licensing.licence_status_at(session, licence, when)
        body["status_at"] = {
            "at": when.isoformat(),
            "status": then.status if then else None,
            "since": then.since.isoformat() if then else None,
        }
    return body


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["suspend", "reinstate", "revoke", "withdraw"]
    reason: str = Field(min_length=1, max_length=10_000)
    expected_version: int = Field(
        description="The licence version you acted on; a stale one is answered 409 Conflict."
    )
    effective_on: str | None = Field(
        default=None,
        max_length=10,
        description="SYS-8: the day (YYYY-MM-DD) a decision taken on paper took effect.",
    )


@router.post("/licences/{number}/status")
def change_status(
    number: str,
    body: StatusIn,
    session: SessionDep,
    ctx: ContextDep,
    actor: Annotated[Actor, Depends(allow(Role.NATIONAL_REGULATOR))],
) -> dict[str, Any]:
    """ECS-2.3: suspend, reinstate, revoke or withdraw a licence (national regulator)."""
    licence = licensing.change_status(
        session,
        ctx,
        actor,
        number,
        body.action,
        reason=body.reason,
        expected_version=body.expected_version,
        effective_on=body.effective_on,
    )
    return licence_out(session, licence)


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["transfer", "rent", "lend"] = "transfer"
    to_party_id: int | None = None


@router.post("/licences/{number}/transfer")
def transfer(
    number: str, body: TransferIn, session: SessionDep, ctx: ContextDep, actor: LicenceActor
) -> dict[str, Any]:
    """ECS-2.3: a licence cannot be transferred, rented or lent; always refused (422
    ``prohibited``), naming the rule."""
    licensing.refuse_transfer(session, ctx, actor, number, body.kind, body.to_party_id)
    return {}  # pragma: no cover - refuse_transfer always raises


@router.post("/licences/{number}/renewals", status_code=201)
def open_renewal(
    number: str, session: SessionDep, ctx: ContextDep, actor: LicenceActor
) -> dict[str, Any]:
    """ECS-2.3: open the renewal case of a licence (the worker opens it by itself within the
    rule set's renewal lead before expiry)."""
    return case_summary(licensing.open_renewal(session, ctx, actor, number))


@router.post("/licences/{number}/modifications", status_code=201)
def open_modification(
    number: str, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: LicenceActor
) -> dict[str, Any]:
    """ECS-2.4: open a modification case: ``{"kinds": [...], "description": ...}``, kinds from
    the rule set's ``modification_triggers``."""
    return case_summary(licensing.open_modification(session, ctx, actor, number, body))


def change_out(row: RegistrationChange) -> dict[str, Any]:
    return {
        "id": row.id,
        "party_id": row.party_id,
        "item": row.item,
        "old_value": row.old_value,
        "new_value": row.new_value,
        "changed_on": row.changed_on.isoformat(),
        "due_on": row.due_on.isoformat(),
        "rule_set": row.rule_set_id,
        "recorded_by": row.recorded_by,
        "filed_on": row.filed_on.isoformat() if row.filed_on else None,
        "late": row.late,
        "document_sha256": row.document_sha256,
    }


@router.post("/parties/{party_id}/registration-changes", status_code=201)
def record_registration_change(
    party_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: LicenceActor
) -> dict[str, Any]:
    """ECS-2.4: a CA files a business-registration change (name, domicile, legal
    representative, registered capital: ``{"item", "changed_on", "new_value"}``); a regulator
    records one it learnt of. Late filings are findings."""
    recorded = licensing.record_registration_change(session, ctx, actor, party_id, body)
    return {**change_out(recorded.change), "finding": recorded.finding_key}


@router.get("/parties/{party_id}/registration-changes")
def list_registration_changes(
    party_id: PathId, session: SessionDep, actor: LicenceActor
) -> list[dict[str, Any]]:
    """ECS-2.4: a CA's business-registration changes and their filings."""
    party = session.get(Party, party_id)
    if party is not None:
        check_party_scope(actor, party, "see registration changes")
    return [change_out(row) for row in licensing.registration_changes(session, party_id)]
