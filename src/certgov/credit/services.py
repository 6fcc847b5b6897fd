"""The credit record of a party and the restrictions derived from it (ECS-7.1).

A party's record holds its penalties decided within ``credit_record_period`` and its open
findings, each weighted by the rule set (``credit_weight_*``); the score is their sum and the
standing is derived from it (good at 0, fair below ``credit_poor_score``, poor at or above it,
barred while a ban runs). A penalty with an outcome in ``credit_ban_triggers`` bars the party
from the applications in ``credit_ban_restricts`` for ``credit_ban_period`` from the decision;
the licence application process checks it when an application opens
(``open_guards = ["no_credit_restriction:licence_application"]``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certgov.ecs.citation import cite
from certgov.enforcement.models import Penalty
from certgov.findings.models import Finding, FindingStatus
from certgov.i18n import N_
from certgov.parties.models import Party
from certgov.rules.model import RuleSet
from certgov.text import Term, Text
from certgov.workflow.clocks import date_after, date_before

_WEIGHT_KEYS = {
    "warning": "credit_weight_warning",
    "fine": "credit_weight_fine",
    "order to correct": "credit_weight_order_to_correct",
    "licence revocation": "credit_weight_licence_revocation",
}


@dataclass(frozen=True)
class Ban:
    penalty: Penalty
    restricts: tuple[str, ...]
    until: dt.date

    def as_dict(self) -> dict[str, Any]:
        return {
            "penalty_id": self.penalty.id,
            "restricts": list(self.restricts),
            "from": self.penalty.decided_on.isoformat(),
            "until": self.until.isoformat(),
            "because": list(self.penalty.outcomes),
            "violation": self.penalty.violation_id,
        }


def bans(session: Session, rule_set: RuleSet, party_id: int, today: dt.date) -> list[Ban]:
    """The bans running on ``today`` for ``party_id`` (ECS-7.1): each from a penalty with a
    triggering outcome, lasting ``credit_ban_period`` from its decision (last day inclusive)."""
    triggers = set(rule_set.items("credit_ban_triggers"))
    period = rule_set.duration("credit_ban_period")
    restricts = rule_set.items("credit_ban_restricts")
    since = date_before(today, period)
    running = []
    for penalty in session.scalars(
        select(Penalty)
        .where(Penalty.party_id == party_id, Penalty.decided_on >= since)
        .order_by(Penalty.decided_on)
    ):
        if triggers.isdisjoint(penalty.outcomes):
            continue
        until = date_after(penalty.decided_on, period) - dt.timedelta(days=1)
        if today <= until:
            running.append(Ban(penalty, restricts, until))
    return running


#: The applications a credit ban restricts (``credit_ban_restricts``), in words of the
#: catalogue.
RESTRICTED = {
    "licence_application": N_("licence application"),
    "recognition_application": N_("recognition application"),
}


def active_restriction(
    session: Session, rule_set: RuleSet, party_id: int, restriction: str, today: dt.date
) -> Text | None:
    """Why ``party_id`` may not make a ``restriction`` application today, or None (ECS-7.1)."""
    if restriction not in rule_set.items("credit_ban_restricts"):
        return None
    for ban in bans(session, rule_set, party_id, today):
        party = session.get(Party, party_id)
        return Text(
            "{party} is barred from a new {restriction} until {until}: penalty {penalty} of "
            "{decided_on} ({outcomes} for {violation}) ({rule_set}: credit_ban_period "
            "{period}, credit_ban_triggers)",
            party=party.name if party else f"party {party_id}",
            restriction=Term("message", RESTRICTED.get(restriction, restriction.replace("_", " "))),
            until=ban.until,
            penalty=ban.penalty.id,
            decided_on=ban.penalty.decided_on,
            outcomes=", ".join(ban.penalty.outcomes),
            violation=ban.penalty.violation_id,
            rule_set=rule_set.id,
            period=str(rule_set.duration("credit_ban_period")),
        )
    return None


def credit_record(
    session: Session, rule_set: RuleSet, party: Party, today: dt.date
) -> dict[str, Any]:
    """The party's credit record (ECS-7.1): weighted penalties and open findings, the score,
    the derived standing and the running restrictions, with the rule set they come from."""
    since = date_before(today, rule_set.duration("credit_record_period"))
    penalties = list(
        session.scalars(
            select(Penalty)
            .where(Penalty.party_id == party.id, Penalty.decided_on >= since)
            .order_by(Penalty.decided_on, Penalty.id)
        )
    )
    entries = []
    score = 0
    for penalty in penalties:
        weight = sum(rule_set.count(_WEIGHT_KEYS[o]) for o in penalty.outcomes if o in _WEIGHT_KEYS)
        score += weight
        entries.append(
            {
                "penalty_id": penalty.id,
                "case_id": penalty.case_id,
                "decided_on": penalty.decided_on.isoformat(),
                "violation": penalty.violation_id,
                "outcomes": penalty.outcomes,
                "fine_yuan": penalty.fine_yuan,
                "published": penalty.published_at is not None,
                "weight": weight,
            }
        )
    open_findings = (
        session.scalar(
            select(func.count())
            .select_from(Finding)
            .where(Finding.party_id == party.id, Finding.status == FindingStatus.OPEN)
        )
        or 0
    )
    finding_weight = rule_set.count("credit_weight_open_finding")
    score += open_findings * finding_weight
    running = bans(session, rule_set, party.id, today)
    poor = rule_set.count("credit_poor_score")
    if running:
        standing = "barred"
    elif score == 0:
        standing = "good"
    elif score < poor:
        standing = "fair"
    else:
        standing = "poor"
    return {
        "party": {"id": party.id, "name": party.name, "uscc": party.uscc},
        "on": today.isoformat(),
        "rule_set": rule_set.id,
        "penalties": entries,
        "open_findings": {"count": open_findings, "weight_each": finding_weight},
        "score": score,
        "standing": standing,
        "standing_rule": {
            "good": "score 0",
            "fair": f"score below {poor}",
            "poor": f"score {poor} or more",
            "barred": "a ban is running",
            "source": cite(rule_set, "credit_poor_score").as_dict(),
        },
        "restrictions": [b.as_dict() for b in running],
    }
