"""The guard and effect types of the case engine, and its generic guards (SYS-1).

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

from certgov.actors import Actor
from certgov.calendar import BusinessCalendar
from certgov.clock import china_date
from certgov.rules.model import DurationUnit, RuleSet
from certgov.text import Text


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


#: A guard's reason is a :class:`~certgov.text.Text` where it can be said in the reader's
#: language (a plain ``str`` is English).
Guard = Callable[[GuardContext], str | Text | None]


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


def filed_within(ctx: GuardContext) -> Text | None:
    """The submission comes within a rule-set period after ``received_on`` in the case data.

    APP-6: a complaint against a decision is filed within 10 business days after the
    applicant receives the decision.
    """
    assert ctx.argument is not None
    received = _parse_date({**ctx.data, **ctx.payload}.get("received_on"))
    if received is None:
        return Text("give received_on: the date the decision was received (YYYY-MM-DD)")
    today = china_date(ctx.now)
    if received > today:
        return Text("received_on {day} is in the future", day=received)
    period = ctx.rule_set.duration(ctx.argument)
    if period.unit is DurationUnit.BUSINESS_DAYS:
        last = ctx.calendar.add_business_days(received, period.amount).due
    else:
        last = ctx.calendar.add_calendar_days(received, period.amount).due
    if today > last:
        return Text(
            "filed on {today}, after the {period} from {received} that ended on {last} "
            "({rule_set}: {parameter})",
            today=today,
            period=str(period),
            received=received,
            last=last,
            rule_set=ctx.rule_set.id,
            parameter=ctx.argument,
        )
    return None


def assigned(ctx: GuardContext) -> Text | None:
    """The case has been assigned to a party (a testing agency, APP-3)."""
    if ctx.assignee_party_id is None:
        return Text("the case has not been assigned to a testing agency yet")
    return None


def requires_data(ctx: GuardContext) -> Text | None:
    """The case data holds the field the argument names: cases whose data a domain service
    prepares (an enforcement case's violation, a withdrawal's cessation date) are opened
    through that service, not bare."""
    assert ctx.argument is not None
    if ctx.data.get(ctx.argument) in (None, ""):
        return Text(
            "the case data has no {field}: open it through its own endpoint "
            "(see docs/enforcement.md)",
            field=ctx.argument,
        )
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
