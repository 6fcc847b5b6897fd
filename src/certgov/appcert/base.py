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
from certgov.text import Term

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
    raise NotFound(
        "case {case} was judged under {rule_sets}, which are not loaded",
        case=case.id,
        rule_sets=case.rule_set_ids,
    )


def state_of(ctx: Context, case: Case) -> Term:
    """The state of ``case`` for a message: its title in the process (a msgid the pages
    translate), or the state's code where the process does not name it."""
    return state_title(ctx, case.process_id, case.state)


def state_title(ctx: Context, process_id: str, state: str) -> Term:
    """The title of ``state`` of the process ``process_id`` (see :func:`state_of`)."""
    process = ctx.processes.get(process_id)
    found = process.states.get(state) if process else None
    return Term("message", found.title if found else state)


def is_system(actor: Actor) -> bool:
    return actor.kind is ActorKind.SYSTEM


def require(actor: Actor, roles: frozenset[Role], what: str) -> None:
    """Refuse (403, with the reason) anyone but the system and ``roles``; ``what`` is the
    action in words, a msgid (marked with ``N_`` where it is written)."""
    if actor.kind is ActorKind.SYSTEM or actor.role in roles:
        return
    raise Forbidden(
        "a {role} may not {what}", role=Term("role", actor.role), what=Term("message", what)
    )


def app_operator(session: Session, party_id: int) -> Party:
    """The app operator registered as party ``party_id`` (NotFound for any other party)."""
    party = session.get(Party, party_id)
    if party is None or party.kind is not PartyKind.APP_OPERATOR:
        raise NotFound("no app operator with party id {party}", party=party_id)
    return party


def check_operator_scope(actor: Actor, party: Party, what: str) -> None:
    """An app operator acts on its own records only; officials of the scheme on any (SYS-6).
    ``what`` is the action in words, a msgid (see :func:`require`)."""
    if actor.kind is ActorKind.SYSTEM or actor.role in (
        Role.CERTIFICATION_BODY,
        Role.NATIONAL_REGULATOR,
    ):
        return
    if actor.role is Role.APP_OPERATOR and actor.party_id == party.id:
        return
    if actor.role is Role.APP_OPERATOR:
        raise Forbidden("you may {what} only for your own organisation", what=Term("message", what))
    raise Forbidden(
        "a {role} may not {what}", role=Term("role", actor.role), what=Term("message", what)
    )
