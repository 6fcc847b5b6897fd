"""Dates of record (SYS-8): the real-world date of a fact that happened before it reached the
system — a decision received, a filing or report that arrived on paper, a status change made
elsewhere — stated by an official, within the bounds of the rule set in force.

The record keeps the stated date, when it was entered (the clock) and who stated it; deadlines
and status questions count from the stated date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from certgov.actors import Actor
from certgov.clock import CHINA_TZ, china_date
from certgov.errors import Forbidden, InvalidInput
from certgov.i18n import N_
from certgov.rules.model import RuleSet
from certgov.strict_json import iso_date
from certgov.text import Term

#: The rule-set parameter bounding how far back a date of record may lie.
MAX_AGE = "date_of_record_max_age"


@dataclass(frozen=True)
class StatedDate:
    """A real-world date stated by an official: the day, its start in Beijing time (from which
    deadlines and status histories count), who stated it, and when it was entered."""

    day: dt.date
    stated_by: str
    entered_at: dt.datetime

    @property
    def instant(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(), tzinfo=CHINA_TZ)

    def as_dict(self) -> dict[str, str]:
        return {
            "stated_on": self.day.isoformat(),
            "stated_by": self.stated_by,
            "entered_at": self.entered_at.isoformat(),
        }


def state_date(
    value: object,
    field: str,
    *,
    actor: Actor,
    now: dt.datetime,
    rule_set: RuleSet,
    not_before: dt.date | None = None,
    what: str = N_("the record"),
) -> StatedDate:
    """``value`` (``YYYY-MM-DD``) as the stated date of ``field``: only an official may state
    one; it may not lie in the future, before ``not_before`` (the case opened, the licence was
    issued), nor further back than the rule set's ``date_of_record_max_age``. ``what`` names
    the record in English, a message of the catalogues where it can be (``N_``)."""
    if not actor.is_official:
        raise Forbidden(
            "{field}: only an official may state the real-world date of {what} (SYS-8)",
            details={"field": field},
            field=field,
            what=Term("message", what),
        )
    day = iso_date(value, field)
    today = china_date(now)
    if day > today:
        raise InvalidInput(
            "{field}: {day} is in the future (today is {today} in Beijing)",
            details={"field": field, "expected": f"{today.isoformat()} or earlier"},
            field=field,
            day=day,
            today=today,
        )
    if not_before is not None and day < not_before:
        raise InvalidInput(
            "{field}: {day} is before {what} began ({not_before})",
            details={"field": field, "expected": f"{not_before.isoformat()} or later"},
            field=field,
            day=day,
            what=Term("message", what),
            not_before=not_before,
        )
    limit = rule_set.duration(MAX_AGE)
    earliest = today - dt.timedelta(days=limit.amount)
    if day < earliest:
        raise InvalidInput(
            "{field}: {day} is further back than {limit} ({rule_set}: {parameter}); record "
            "older facts as a note on the case",
            details={"field": field, "expected": f"{earliest.isoformat()} or later"},
            field=field,
            day=day,
            limit=str(limit),
            rule_set=rule_set.id,
            parameter=MAX_AGE,
        )
    return StatedDate(day, actor.name, now)
