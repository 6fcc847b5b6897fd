"""Eligibility bars on an application (APP-2), judged as of the application date under the rule
set in force then. A pure function of the operator's records and revoked certifications.

The bars (seed 001, 'Certification Application'):

- a violation of laws and regulations on record, until the day it ``ends_on`` (none: it bars
  until the certification body records its end);
- a serious security incident within ``serious_incident_lookback`` before the application date
  (the record says it was serious: the scheme does not define the word, a reviewer decides);
- a similar certification revoked and ``revocation_ban_period`` not over: a certification of
  this scheme held by the operator (any app), or one of another scheme recorded as such;
- each circumstance of ``additional_eligibility_bars`` on record, until it ends.

Precondition: every record and revocation passed belongs to the applicant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from certgov.ecs.citation import cite
from certgov.rules.model import RuleSet
from certgov.workflow.clocks import date_after, date_before

LAW_VIOLATION = "law_violation"
SERIOUS_INCIDENT = "serious_security_incident"
SIMILAR_REVOKED = "similar_certification_revoked"
#: Record kinds of the scheme's own bars; the rule set may add more.
FIXED_KINDS = (LAW_VIOLATION, SERIOUS_INCIDENT, SIMILAR_REVOKED)


def record_kinds(rule_set: RuleSet) -> tuple[str, ...]:
    """Kinds a record may have under ``rule_set``: the scheme's bars and the added ones."""
    return (*FIXED_KINDS, *rule_set.items("additional_eligibility_bars"))


@dataclass(frozen=True, slots=True)
class RecordFact:
    id: int
    kind: str
    occurred_on: dt.date
    description: str
    ends_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Revocation:
    """A certification of this scheme held by the applicant and revoked."""

    number: str
    revoked_on: dt.date
    ban_until: dt.date


@dataclass(frozen=True, slots=True)
class Bar:
    bar: str
    reason: str
    parameter: dict[str, Any]
    record_id: int | None = None
    certification: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "bar": self.bar,
            "reason": self.reason,
            "parameter": self.parameter,
            "record_id": self.record_id,
            "certification": self.certification,
        }


@dataclass(frozen=True, slots=True)
class Eligibility:
    on: dt.date
    rule_set: str
    bars: tuple[Bar, ...] = field(default=())

    @property
    def eligible(self) -> bool:
        return not self.bars

    @property
    def reasons(self) -> list[str]:
        return [b.reason for b in self.bars]

    def as_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "on": self.on.isoformat(),
            "rule_set": self.rule_set,
            "bars": [b.as_dict() for b in self.bars],
        }


def ban_until(revoked_on: dt.date, rule_set: RuleSet) -> dt.date:
    """Last day of the ban that a revocation on ``revoked_on`` starts (APP-10 → APP-2)."""
    return date_after(revoked_on, rule_set.duration("revocation_ban_period")) - dt.timedelta(days=1)


def _in_force(record: RecordFact, on: dt.date) -> bool:
    return record.occurred_on <= on and (record.ends_on is None or record.ends_on >= on)


def evaluate(
    rule_set: RuleSet,
    on: dt.date,
    records: Iterable[RecordFact],
    revocations: Iterable[Revocation] = (),
) -> Eligibility:
    """Every bar that applies on ``on``, each with its reason and the parameter it rests on."""
    bars: list[Bar] = []
    lookback = rule_set.duration("serious_incident_lookback")
    window_start = date_before(on, lookback)
    added = rule_set.items("additional_eligibility_bars")
    for record in sorted(records, key=lambda r: (r.occurred_on, r.id)):
        when = record.occurred_on.isoformat()
        if record.kind == LAW_VIOLATION and _in_force(record, on):
            bars.append(
                Bar(
                    "violation of laws and regulations",
                    f"violation of laws and regulations on record ({when}): {record.description}",
                    cite(rule_set, "eligibility_bars").as_dict(),
                    record_id=record.id,
                )
            )
        elif record.kind == SERIOUS_INCIDENT and window_start < record.occurred_on <= on:
            bars.append(
                Bar(
                    "serious security incident within the lookback period",
                    f"serious security incident on {when}, within the {lookback} before "
                    f"{on.isoformat()} ({rule_set.id} serious_incident_lookback): "
                    f"{record.description}",
                    cite(rule_set, "serious_incident_lookback").as_dict(),
                    record_id=record.id,
                )
            )
        elif record.kind == SIMILAR_REVOKED and record.occurred_on <= on:
            last = ban_until(record.occurred_on, rule_set)
            if on <= last:
                bars.append(
                    Bar(
                        "similar certification revoked and the ban period not over",
                        f"a similar certification was revoked on {when}; applications are "
                        f"barred until {last.isoformat()} ({rule_set.id} revocation_ban_period): "
                        f"{record.description}",
                        cite(rule_set, "revocation_ban_period").as_dict(),
                        record_id=record.id,
                    )
                )
        elif record.kind in added and _in_force(record, on):
            bars.append(
                Bar(
                    record.kind,
                    f"{record.kind} on record ({when}; a bar the certification body added in "
                    f"{rule_set.id}): {record.description}",
                    cite(rule_set, "additional_eligibility_bars").as_dict(),
                    record_id=record.id,
                )
            )
    for revocation in sorted(revocations, key=lambda r: r.revoked_on):
        if revocation.revoked_on <= on <= revocation.ban_until:
            bars.append(
                Bar(
                    "similar certification revoked and the ban period not over",
                    f"app security certification {revocation.number} was revoked on "
                    f"{revocation.revoked_on.isoformat()}; applications are barred until "
                    f"{revocation.ban_until.isoformat()} (revocation_ban_period)",
                    cite(rule_set, "revocation_ban_period").as_dict(),
                    certification=revocation.number,
                )
            )
    return Eligibility(on, rule_set.id, tuple(bars))
