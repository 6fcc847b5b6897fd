"""Helpers shared by the app certification use cases: dates, the rule set, roles and scope."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from certgov.actors import Actor, ActorKind, Role
from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.context import Context
from certgov.errors import Forbidden, NotFound
from certgov.parties.models import Party, PartyKind
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime, RuleSet

APPLICATION_PROCESS = "app-certification"
COMPLAINT_PROCESS = "app-decision-complaint"
SELF_ASSESSMENT_PROCESS = "app-self-assessment"
INSPECTION_PROCESS = "app-special-inspection"
SUSPENSION_PROCESS = "app-certification-suspension"


def today(ctx: Context) -> dt.date:
    return china_date(ctx.clock.now())


def rules_on(session: Session, ctx: Context, day: dt.date) -> RuleSet:
    """The app rule set in force on ``day`` (SYS-2)."""
    return in_force(session, ctx.rule_sets, Regime.APP, day)


def rules_of(ctx: Context, case: Case) -> RuleSet:
    """The app rule set ``case`` was judged under (never a later one, SYS-2)."""
    for rule_set_id in case.rule_set_ids:
        rule_set = ctx.rule_sets.get(rule_set_id)
        if rule_set is not None and rule_set.regime is Regime.APP:
            return rule_set
    raise NotFound(f"case {case.id} was judged under {case.rule_set_ids}, which are not loaded")


def is_system(actor: Actor) -> bool:
    return actor.kind is ActorKind.SYSTEM


def require(actor: Actor, roles: frozenset[Role], what: str) -> None:
    """Refuse (403, with the reason) anyone but the system and ``roles``."""
    if actor.kind is ActorKind.SYSTEM or actor.role in roles:
        return
    raise Forbidden(f"a {actor.role} may not {what}")


def app_operator(session: Session, party_id: int) -> Party:
    """The app operator registered as party ``party_id`` (NotFound for any other party)."""
    party = session.get(Party, party_id)
    if party is None or party.kind is not PartyKind.APP_OPERATOR:
        raise NotFound(f"no app operator with party id {party_id}")
    return party


def check_operator_scope(actor: Actor, party: Party, what: str) -> None:
    """An app operator acts on its own records only; officials of the scheme on any (SYS-6)."""
    if actor.kind is ActorKind.SYSTEM or actor.role in (
        Role.CERTIFICATION_BODY,
        Role.NATIONAL_REGULATOR,
    ):
        return
    if actor.role is Role.APP_OPERATOR and actor.party_id == party.id:
        return
    if actor.role is Role.APP_OPERATOR:
        raise Forbidden(f"you may {what} only for your own organisation")
    raise Forbidden(f"a {actor.role} may not {what}")
