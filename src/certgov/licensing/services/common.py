"""What the licensing use cases share: process ids, today's date in China, the rule set in force."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from certgov.clock import china_date
from certgov.context import Context
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime, RuleSet

PROCESS = "ca-licence-application"


RENEWAL_PROCESS = "ca-licence-renewal"


MODIFICATION_PROCESS = "ca-licence-modification"


MAX_TEXT = 2000


def china_today(ctx: Context) -> dt.date:
    return china_date(ctx.clock.now())


def ecs_rules(session: Session, ctx: Context, day: dt.date) -> RuleSet:
    return in_force(session, ctx.rule_sets, Regime.ECS, day)
