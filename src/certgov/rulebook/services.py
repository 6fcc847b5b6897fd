"""Use cases around rule sets: activation and selection of the set in force (SYS-2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import Actor, ActorKind, Role
from certgov.errors import ConfigurationError, Forbidden, InvalidInput, NotFound
from certgov.logs.audit import Auditor
from certgov.rulebook.models import RuleSetActivation
from certgov.rules import RuleSet
from certgov.rules.model import Regime
from certgov.rules.selection import rule_set_in_force


def activations(session: Session) -> dict[str, dt.date]:
    """Each rule set's latest activation date."""
    rows = session.execute(
        select(RuleSetActivation.rule_set_id, RuleSetActivation.effective_from).order_by(
            RuleSetActivation.id
        )
    )
    return {rule_set_id: effective_from for rule_set_id, effective_from in rows.all()}  # noqa: C416


def activate(
    session: Session,
    audit: Auditor,
    rule_sets: Mapping[str, RuleSet],
    actor: Actor,
    rule_set_id: str,
    effective_from: dt.date,
    reason: str = "",
) -> RuleSetActivation:
    """Put a rule set in force from a date (e.g. the 2024 draft once promulgated).

    Decided and open cases keep the rule sets they recorded; only cases whose relevant date is
    on or after ``effective_from`` and that are opened from now on are judged under it.
    """
    if actor.role is not Role.NATIONAL_REGULATOR and actor.kind is not ActorKind.SYSTEM:
        raise Forbidden("only the national regulator activates rule sets")
    if rule_set_id not in rule_sets:
        raise NotFound(
            "no rule set {rule_set!r}",
            hint="see `certgov rules list` for the known ids",
            rule_set=rule_set_id,
        )
    current = dict(activations(session))
    previous = current.get(rule_set_id)
    current[rule_set_id] = effective_from
    # Validate the result before recording it: two sets of one regime starting the same day
    # would make selection ambiguous.
    regime = Regime(rule_sets[rule_set_id].regime)
    try:
        rule_set_in_force(rule_sets, regime, effective_from, current)
    except (NotFound, ConfigurationError) as exc:
        raise InvalidInput(
            "cannot activate {rule_set} from {day}: {problem}",
            rule_set=rule_set_id,
            day=effective_from,
            problem=str(exc),
        ) from exc
    row = RuleSetActivation(
        rule_set_id=rule_set_id,
        effective_from=effective_from,
        activated_at=audit.clock.now(),
        activated_by=actor.name,
        reason=reason,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "rules.activate",
        subject={"rule_set": rule_set_id, "regime": regime.value},
        before={"effective_from": previous} if previous else None,
        after={"effective_from": effective_from},
        reason=reason or None,
    )
    return row


def in_force(
    session: Session, rule_sets: Mapping[str, RuleSet], regime: Regime, on: dt.date
) -> RuleSet:
    return rule_set_in_force(rule_sets, regime, on, activations(session))


def named_or_in_force(
    session: Session,
    rule_sets: Mapping[str, RuleSet],
    regime: Regime,
    rule_set_id: str | None,
    on: dt.date,
) -> RuleSet:
    """The rule set named ``rule_set_id`` (e.g. a draft, for a readiness check), else the one
    of ``regime`` in force on ``on``."""
    if rule_set_id is None:
        return in_force(session, rule_sets, regime, on)
    rule_set = rule_sets.get(rule_set_id)
    if rule_set is None:
        raise NotFound(
            "no rule set {rule_set!r}",
            hint="see `certgov rules list` for the known ids",
            rule_set=rule_set_id[:60],
        )
    return rule_set
