"""The registry of testing agencies appointed by the certification body (APP-3).

Seed 001: CCRC "has the right to appoint technical testing agencies". Testing agencies are
parties of the registry; an appointment makes one eligible for assignment, a withdrawal ends
that (cases already assigned keep their agency's recorded results).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import Actor, Role
from certgov.appcert.base import require, today
from certgov.appcert.models import AgencyStatus, AppointedAgency
from certgov.context import Context
from certgov.errors import Conflict, InvalidInput, NotFound
from certgov.i18n import N_
from certgov.parties.models import Party, PartyKind
from certgov.text import Term

_APPOINTERS = frozenset({Role.CERTIFICATION_BODY})
_NOTE_LIMIT = 2000


def appoint(
    session: Session, ctx: Context, actor: Actor, body: Mapping[str, Any]
) -> AppointedAgency:
    """Appoint a testing agency: ``{"party_id"[, "note"]}`` (certification body)."""
    require(actor, _APPOINTERS, N_("appoint testing agencies"))
    data = strict_json.json_object(body, "", ("party_id",), ("note",))
    party_id = strict_json.whole_number(data["party_id"], "party_id", minimum=1)
    note = strict_json.optional_text(data.get("note"), "note", limit=_NOTE_LIMIT)
    party = session.get(Party, party_id)
    if party is None:
        raise NotFound("no party with id {party}", party=party_id)
    if party.kind is not PartyKind.TESTING_AGENCY:
        raise InvalidInput(
            "party {party} ({name}) is a {kind}, not a testing agency",
            details={"field": "party_id"},
            party=party_id,
            name=party.name,
            kind=Term("party_kind", party.kind.value),
        )
    row = session.scalar(select(AppointedAgency).where(AppointedAgency.party_id == party_id))
    if row is not None and row.status == AgencyStatus.APPOINTED:
        raise Conflict(
            "{name} is already appointed (since {day})", name=party.name, day=row.appointed_on
        )
    if row is None:
        row = AppointedAgency(party_id=party_id)
        session.add(row)
    row.status = AgencyStatus.APPOINTED
    row.appointed_on = today(ctx)
    row.appointed_by = actor.name
    row.note = note
    row.withdrawn_on = None
    row.withdrawal_reason = None
    session.flush()
    ctx.audit.record(
        session,
        actor,
        "app.agency_appointed",
        subject={"party": party_id},
        after={"status": row.status, "appointed_on": row.appointed_on.isoformat()},
        reason=note,
    )
    return row


def withdraw(
    session: Session, ctx: Context, actor: Actor, party_id: int, body: Mapping[str, Any]
) -> AppointedAgency:
    """End an appointment, with a reason (certification body)."""
    require(actor, _APPOINTERS, N_("withdraw testing agencies' appointments"))
    row = session.scalar(select(AppointedAgency).where(AppointedAgency.party_id == party_id))
    if row is None:
        raise NotFound("no testing agency appointment for party {party}", party=party_id)
    data = strict_json.json_object(body, "", ("reason",))
    reason = strict_json.text(data["reason"], "reason", limit=_NOTE_LIMIT).strip()
    if row.status != AgencyStatus.APPOINTED:
        raise Conflict("the appointment of party {party} was already withdrawn", party=party_id)
    row.status = AgencyStatus.WITHDRAWN
    row.withdrawn_on = today(ctx)
    row.withdrawal_reason = reason
    session.flush()
    ctx.audit.record(
        session,
        actor,
        "app.agency_withdrawn",
        subject={"party": party_id},
        before={"status": AgencyStatus.APPOINTED.value},
        after={"status": row.status},
        reason=reason,
    )
    return row


def agencies(
    session: Session, *, include_withdrawn: bool = True
) -> list[tuple[AppointedAgency, Party]]:
    query = select(AppointedAgency, Party).join(Party, Party.id == AppointedAgency.party_id)
    if not include_withdrawn:
        query = query.where(AppointedAgency.status == AgencyStatus.APPOINTED)
    return [(row, party) for row, party in session.execute(query.order_by(AppointedAgency.id))]


def appointed(session: Session, party_id: int) -> Party:
    """The appointed testing agency ``party_id``; refuses any other party, with the reason."""
    party = session.get(Party, party_id)
    if party is None:
        raise NotFound("no party with id {party}", party=party_id)
    row = session.scalar(select(AppointedAgency).where(AppointedAgency.party_id == party_id))
    if row is None or row.status != AgencyStatus.APPOINTED:
        raise InvalidInput(
            "{name} (party {party}) is not a testing agency appointed by the certification body",
            hint="appoint it first: POST /api/v1/app-testing-agencies",
            details={"field": "agency_party_id"},
            name=party.name,
            party=party_id,
        )
    return party
