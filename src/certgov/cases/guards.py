"""Guards and effects that process definitions may name (SYS-1).

A guard says why a transition may not be taken (``None`` when it may); an effect changes the
case after a transition. Both are looked up by name, so processes stay data; a guard name may
carry an argument after ``:`` (a rule-set parameter key, for instance).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from certgov.calendar import BusinessCalendar
from certgov.clock import china_date
from certgov.credit.handover import handover_blockers
from certgov.ecs.review import approval_blockers
from certgov.enforcement.catalogue import decision_problems, parse_decision
from certgov.identity.roles import Actor
from certgov.rules.model import DurationUnit, RuleSet


@dataclass(frozen=True)
class GuardContext:
    actor: Actor
    data: Mapping[str, Any]
    payload: Mapping[str, Any]
    rule_set: RuleSet
    calendar: BusinessCalendar
    now: dt.datetime
    assignee_party_id: int | None
    argument: str | None
    #: The transition's unit of work and the case's subject, for guards that read records
    #: (a party's credit restrictions, ECS-7.1); read only.
    session: Session | None = None
    subject_party_id: int | None = None


Guard = Callable[[GuardContext], str | None]


@dataclass
class EffectContext:
    actor: Actor
    data: dict[str, Any]
    transition: str
    reason: str | None
    now: dt.datetime


Effect = Callable[[EffectContext], None]


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def filed_within(ctx: GuardContext) -> str | None:
    """The submission comes within a rule-set period after ``received_on`` in the case data.

    APP-6: a complaint against a decision is filed within 10 business days after the
    applicant receives the decision.
    """
    assert ctx.argument is not None
    received = _parse_date({**ctx.data, **ctx.payload}.get("received_on"))
    if received is None:
        return "give received_on: the date the decision was received (YYYY-MM-DD)"
    today = china_date(ctx.now)
    if received > today:
        return f"received_on {received.isoformat()} is in the future"
    period = ctx.rule_set.duration(ctx.argument)
    if period.unit is DurationUnit.BUSINESS_DAYS:
        last = ctx.calendar.add_business_days(received, period.amount).due
    else:
        last = ctx.calendar.add_calendar_days(received, period.amount).due
    if today > last:
        return (
            f"filed on {today.isoformat()}, after the {period} from {received.isoformat()} "
            f"that ended on {last.isoformat()} ({ctx.rule_set.id}: {ctx.argument})"
        )
    return None


def assigned(ctx: GuardContext) -> str | None:
    """The case has been assigned to a party (a testing agency, APP-3)."""
    if ctx.assignee_party_id is None:
        return "the case has not been assigned to a testing agency yet"
    return None


def application_conditions_met(ctx: GuardContext) -> str | None:
    """Every item of the licence application's evaluation is finally met (ECS-2.1, ECS-2.2):
    automatically, or by a reviewer's judgement recorded on the case."""
    evaluation = ctx.data.get("evaluation")
    reviews = ctx.data.get("reviews")
    reasons = approval_blockers(
        evaluation if isinstance(evaluation, Mapping) else None,
        reviews if isinstance(reviews, Mapping) else {},
    )
    return "; ".join(reasons) or None


def penalty_decision_valid(ctx: GuardContext) -> str | None:
    """The penalty decision in the payload is allowed for the case's violation and any fine
    lies within its range under the case's rule set, which the refusal names (ECS-6.2, 6.3)."""
    decision = parse_decision(ctx.payload)
    return "; ".join(decision_problems(ctx.rule_set, ctx.data.get("violation"), decision)) or None


def no_credit_restriction(ctx: GuardContext) -> str | None:
    """The case's subject is not barred from this kind of application by its credit record
    (ECS-7.1): the argument names the restriction (``licence_application``)."""
    assert ctx.argument is not None
    if ctx.session is None or ctx.subject_party_id is None:
        return None
    # Imported here: the credit record is a domain built on the case engine.
    from certgov.credit.services import active_restriction

    return active_restriction(
        ctx.session, ctx.rule_set, ctx.subject_party_id, ctx.argument, china_date(ctx.now)
    )


def handover_complete(ctx: GuardContext) -> str | None:
    """A withdrawal's handover is done (ECS-7.3): a receiving CA, every subscriber certificate
    migrated or revoked, the records transferred, and the cessation date reached."""
    return "; ".join(handover_blockers(ctx.data, china_date(ctx.now))) or None


def requires_data(ctx: GuardContext) -> str | None:
    """The case data holds the field the argument names: cases whose data a domain service
    prepares (an enforcement case's violation, a withdrawal's cessation date) are opened
    through that service, not bare."""
    assert ctx.argument is not None
    if ctx.data.get(ctx.argument) in (None, ""):
        return (
            f"the case data has no {ctx.argument}: open it through its own endpoint "
            "(see docs/enforcement.md)"
        )
    return None


def voluntary_exit(ctx: GuardContext) -> str | None:
    """Only a voluntary withdrawal can be cancelled; a forced exit follows a revocation."""
    if ctx.data.get("kind") != "voluntary":
        return "a forced exit (after a licence revocation) cannot be cancelled"
    return None


def record_decision(ctx: EffectContext) -> None:
    """Record the decision on the case: what was decided, by whom, when and why."""
    ctx.data["decision"] = {
        "outcome": ctx.transition,
        "by": ctx.actor.name,
        "role": ctx.actor.role.value,
        "at": ctx.now.isoformat(),
        "reason": ctx.reason,
    }


GUARDS: dict[str, Guard] = {
    "filed_within": filed_within,
    "assigned": assigned,
    "application_conditions_met": application_conditions_met,
    "penalty_decision_valid": penalty_decision_valid,
    "no_credit_restriction": no_credit_restriction,
    "handover_complete": handover_complete,
    "requires_data": requires_data,
    "voluntary_exit": voluntary_exit,
}
EFFECTS: dict[str, Effect] = {"record_decision": record_decision}
