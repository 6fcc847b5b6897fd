"""The party registry over HTTP."""

from __future__ import annotations

from fastapi import APIRouter

from certgov.actors import Role
from certgov.api.schemas import PartyIn, PartyOut
from certgov.errors import Forbidden
from certgov.http.deps import ContextDep, PublicActor, Regulator, SessionDep
from certgov.http.params import PathId
from certgov.parties import services as registry
from certgov.parties.models import PartyKind

router = APIRouter(prefix="/parties", tags=["parties"])


@router.get("")
def list_parties(
    session: SessionDep,
    _actor: PublicActor,
    kind: PartyKind | None = None,
    province: str | None = None,
) -> list[PartyOut]:
    """Registered organisations (public registry information)."""
    return [
        PartyOut.model_validate(p)
        for p in registry.list_parties(session, kind=kind, province=province)
    ]


@router.get("/{party_id}")
def get_party(party_id: PathId, session: SessionDep, _actor: PublicActor) -> PartyOut:
    return PartyOut.model_validate(registry.get_party(session, party_id))


@router.post("", status_code=201)
def create_party(body: PartyIn, ctx: ContextDep, session: SessionDep, actor: Regulator) -> PartyOut:
    """Register an organisation; a provincial regulator registers parties of its province only."""
    if actor.role is Role.PROVINCIAL_REGULATOR and body.home_province != actor.jurisdiction:
        raise Forbidden(
            f"a provincial regulator registers parties of its own province ({actor.jurisdiction})"
        )
    party = registry.create_party(
        session,
        ctx.clock,
        registry.NewParty(
            name=body.name,
            kind=body.kind,
            uscc=body.uscc,
            name_en=body.name_en,
            home_province=body.home_province,
            country=body.country,
        ),
    )
    return PartyOut.model_validate(party)
