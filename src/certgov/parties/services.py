"""Use cases of the party registry."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov import jurisdictions
from certgov.actors import Actor, ActorKind, Role
from certgov.clock import Clock
from certgov.ecs.uscc import check_uscc
from certgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from certgov.parties.models import Party, PartyKind
from certgov.text import Term


@dataclass(frozen=True)
class NewParty:
    name: str
    kind: PartyKind
    uscc: str | None = None
    name_en: str | None = None
    home_province: str | None = None
    country: str = "CN"


def create_party(session: Session, clock: Clock, new: NewParty) -> Party:
    """Register an organisation; domestic parties need a valid USCC and a home province."""
    name = new.name.strip()
    if not name:
        raise InvalidInput("a party needs a name")
    country = new.country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise InvalidInput(
            "country must be an ISO 3166-1 alpha-2 code, not {country!r}", country=new.country
        )
    domestic = new.kind is not PartyKind.FOREIGN_CA
    uscc: str | None = None
    if domestic:
        if country != "CN":
            raise InvalidInput(
                "a {kind} party is registered in China (country CN)",
                kind=Term("party_kind", new.kind),
            )
        if not new.uscc:
            raise InvalidInput(
                "a domestic party needs its unified social credit code (GB 32100-2015)"
            )
        result = check_uscc(new.uscc)
        if not result.valid:
            raise InvalidInput(
                "invalid unified social credit code {uscc}: {reasons}",
                uscc=result.code,
                reasons="; ".join(result.reasons),
                details={"expected_check_character": result.expected_check_character},
            )
        uscc = result.code
        if new.home_province not in jurisdictions.province_codes():
            raise InvalidInput(
                "home province {province!r} is not a GB/T 2260 provincial-level code",
                province=new.home_province,
                hint="use a code such as 110000 (Beijing) or 310000 (Shanghai)",
            )
    else:
        if new.uscc:
            raise InvalidInput("a foreign CA has no unified social credit code")
        if country == "CN":
            raise InvalidInput("a foreign CA is registered outside China; give its country")
        if new.home_province is not None:
            raise InvalidInput("a foreign CA has no home province")
    if uscc is not None and session.scalar(select(Party.id).where(Party.uscc == uscc)) is not None:
        raise Conflict(
            "a party with unified social credit code {uscc} is already registered", uscc=uscc
        )
    party = Party(
        uscc=uscc,
        name=name,
        name_en=(new.name_en or None),
        kind=new.kind,
        home_province=new.home_province if domestic else None,
        country=country,
        created_at=clock.now(),
    )
    session.add(party)
    session.flush()
    return party


def get_party(session: Session, party_id: int) -> Party:
    party = session.get(Party, party_id)
    if party is None:
        raise NotFound("no party with id {id}", id=party_id)
    return party


def list_parties(
    session: Session, *, kind: PartyKind | None = None, province: str | None = None
) -> list[Party]:
    query = select(Party).order_by(Party.id)
    if kind is not None:
        query = query.where(Party.kind == kind)
    if province is not None:
        query = query.where(Party.home_province == province)
    return list(session.scalars(query))


def get_ca(session: Session, party_id: int) -> Party:
    """The CA registered as party ``party_id`` (NotFound for any other party)."""
    party = session.get(Party, party_id)
    if party is None or party.kind is not PartyKind.CA:
        raise NotFound("no CA with party id {id}", id=party_id)
    return party


def check_party_scope(actor: Actor, party: Party, what: str) -> None:
    """May ``actor`` act on ``party``'s records? Its own organisation for a CA operator; its
    province for a provincial regulator (ECS-4.3); anything for the national regulator.
    Refusals name the reason (SYS-6). ``what`` is an English phrase ("file operating
    statistics"); a page says it in the reader's language when the catalogue has it."""
    if actor.kind is ActorKind.SYSTEM or actor.role is Role.NATIONAL_REGULATOR:
        return
    action = Term("message", what)
    if actor.role is Role.PROVINCIAL_REGULATOR:
        if actor.covers(party.home_province):
            return
        province = jurisdictions.BY_CODE.get(party.home_province or "")
        # English names the province by code and name; a page by its name alone.
        english = f"{party.home_province} ({province.name_en})" if province is not None else None
        raise Forbidden(
            "{party} is registered in {code}, outside your jurisdiction ({jurisdiction}); "
            "you may not {what}",
            party=party.name,
            code=Term("jurisdiction", party.home_province, english=english),
            jurisdiction=Term("jurisdiction", actor.jurisdiction),
            what=action,
        )
    if actor.role is Role.CA_OPERATOR:
        if actor.party_id == party.id:
            return
        raise Forbidden("you may {what} only for your own organisation", what=action)
    raise Forbidden("a {role} may not {what}", role=Term("role", actor.role), what=action)


def require_national(actor: Actor, what: str) -> None:
    """Only the national regulator (MIIT) may do ``what`` (licences, foreign schemes and
    recognitions are national matters); the refusal says why (SYS-6)."""
    if actor.kind is ActorKind.SYSTEM or actor.role is Role.NATIONAL_REGULATOR:
        return
    if actor.role is Role.PROVINCIAL_REGULATOR:
        raise Forbidden(
            "to {what} is for the national regulator (MIIT), not a provincial regulator "
            "({jurisdiction})",
            what=Term("message", what),
            jurisdiction=Term("jurisdiction", actor.jurisdiction),
        )
    raise Forbidden(
        "a {role} may not {what}", role=Term("role", actor.role), what=Term("message", what)
    )
