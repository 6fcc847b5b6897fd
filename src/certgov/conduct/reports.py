"""What CAs report to the regulator (ECS-4.1, ECS-4.4):

- incidents, each a ``ca-incident`` case whose preliminary report is due within the rule set's
  ``incident_preliminary_report`` of the CA becoming aware (a later one is a finding) and whose
  full report is a deadline of the case;
- significant operational changes, each a ``ca-operational-change`` case, reported within
  ``operational_change_report_period`` after the change takes effect (a later report is a
  finding), of a kind in ``operational_change_kinds``; the regulator's review is a deadline of
  the case.

Operating statistics are in :mod:`certgov.conduct.statistics`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import Actor, Role
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.context import Context
from certgov.ecs.citation import cite, cited, period_words
from certgov.errors import Forbidden, InvalidInput
from certgov.findings.services import Problem, raise_finding
from certgov.parties.models import Party
from certgov.rulebook.services import in_force
from certgov.rules.model import DurationUnit, Regime
from certgov.text import Term, Text

INCIDENT_PROCESS = "ca-incident"
_MAX_TEXT = 10_000


def _aware_at(body: Mapping[str, Any], now: dt.datetime) -> dt.datetime:
    value = body.get("aware_at")
    try:
        if not isinstance(value, str):
            raise ValueError
        aware = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "aware_at: give when the CA became aware, ISO 8601 with offset, not {value!r}",
            details={"field": "aware_at"},
            value=value,
        ) from None
    if aware.tzinfo is None:
        raise InvalidInput("aware_at: give the time with its offset", details={"field": "aware_at"})
    if aware > now:
        raise InvalidInput("aware_at is in the future", details={"field": "aware_at"})
    return aware


def report_incident(
    session: Session, ctx: Context, actor: Actor, body: Mapping[str, Any]
) -> tuple[Case, str | None]:
    """The preliminary report of an incident (ECS-4.4): ``{"title", "aware_at", "summary"[,
    "certificates_affected"]}``. Returns the case and the finding key when it came late."""
    strict_json.json_object(body, "", (), ("title", "aware_at", "summary", "certificates_affected"))
    if actor.role is not Role.CA_OPERATOR or actor.party_id is None:
        raise Forbidden("a CA reports its own incidents")
    now = ctx.clock.now()
    aware = _aware_at(body, now)
    title = body.get("title")
    summary = body.get("summary")
    if not isinstance(title, str) or not title.strip() or len(title) > 300:
        raise InvalidInput("title: give a short title (at most 300 characters)")
    if not isinstance(summary, str) or not summary.strip() or len(summary) > _MAX_TEXT:
        raise InvalidInput("summary: say what happened (at most {most} characters)", most=_MAX_TEXT)
    affected = body.get("certificates_affected", 0)
    if not isinstance(affected, int) or isinstance(affected, bool) or affected < 0:
        raise InvalidInput("certificates_affected: a whole number >= 0")
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, china_date(now))
    period = rule_set.duration("incident_preliminary_report")
    if period.unit is not DurationUnit.HOURS:
        raise InvalidInput(
            "{rule_set} incident_preliminary_report must be in hours", rule_set=rule_set.id
        )
    due = aware + dt.timedelta(hours=period.amount)
    late = now > due
    case = cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=INCIDENT_PROCESS,
            title=title.strip(),
            subject_party_id=actor.party_id,
            data={
                "aware_at": aware.isoformat(),
                "preliminary_due_at": due.isoformat(),
                "preliminary_late": late,
                "summary": summary.strip(),
                "certificates_affected": affected,
            },
        ),
    )
    key = None
    if late:
        party = session.get(Party, actor.party_id)
        assert party is not None
        hours = (now - aware).total_seconds() / 3600
        key = raise_finding(
            session,
            ctx,
            actor,
            Problem(
                code="incident-reported-late",
                key=f"incident-late:{case.id}",
                severity="high",
                title=Text("Incident reported late: {party}", party=party.name),
                message=Text(
                    "{party} became aware of the incident {incident!r} at {aware} and reported "
                    "it {hours:.0f} hours later; the preliminary report was due by {due} "
                    "({period}, {citation}).",
                    party=party.name,
                    incident=title.strip(),
                    aware=aware,
                    hours=hours,
                    due=due,
                    period=period_words(period),
                    citation=cited(cite(rule_set, "incident_preliminary_report")),
                ),
                requirement="ECS-4.4",
                party_id=party.id,
                jurisdiction=case.jurisdiction,
                case_id=case.id,
                details={"aware_at": aware.isoformat(), "due_at": due.isoformat()},
            ),
        ).dedup_key
    return case, key


OPERATIONAL_CHANGE_PROCESS = "ca-operational-change"


def report_operational_change(
    session: Session, ctx: Context, actor: Actor, body: object
) -> tuple[Case, str | None]:
    """Report a significant operational change (ECS-4.4): ``{"kind", "effective_on",
    "description"}``. Returns the case and the finding key when the report came late."""
    if actor.role is not Role.CA_OPERATOR or actor.party_id is None:
        raise Forbidden("a CA reports its own operational changes")
    data = strict_json.json_object(body, "body", ["kind", "effective_on", "description"])
    now = ctx.clock.now()
    today = china_date(now)
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, today)
    kinds = rule_set.items("operational_change_kinds")
    kind = strict_json.text(data["kind"], "kind", limit=200)
    if kind not in kinds:
        raise InvalidInput(
            "kind: {kind!r} is not a significant operational change of {rule_set}",
            hint="one of: {kinds}",
            details={"field": "kind", "allowed": list(kinds)},
            kind=kind,
            rule_set=rule_set.id,
            kinds="; ".join(kinds),
        )
    effective = strict_json.iso_date(data["effective_on"], "effective_on")
    description = strict_json.text(data["description"], "description", limit=_MAX_TEXT)
    period = rule_set.duration("operational_change_report_period")
    if period.unit is DurationUnit.BUSINESS_DAYS:
        due = ctx.calendar.add_business_days(effective, period.amount).due
    else:
        due = ctx.calendar.add_calendar_days(effective, period.amount).due
    late = today > due
    case = cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=OPERATIONAL_CHANGE_PROCESS,
            title=Text("{kind} ({effective})", kind=Term("message", kind), effective=effective),
            subject_party_id=actor.party_id,
            data={
                "kind": kind,
                "effective_on": effective.isoformat(),
                "report_due_on": due.isoformat(),
                "reported_late": late,
                "description": description,
            },
        ),
    )
    key = None
    if late:
        party = session.get(Party, actor.party_id)
        assert party is not None
        key = raise_finding(
            session,
            ctx,
            actor,
            Problem(
                code="operational-change-reported-late",
                key=f"operational-change-late:{case.id}",
                severity="medium",
                title=Text("Operational change reported late: {party}", party=party.name),
                message=Text(
                    "{party} reported the change {kind!r} effective {effective} on {today}; it "
                    "was due by {due} ({period} after the change, {citation}).",
                    party=party.name,
                    kind=Term("message", kind),
                    effective=effective,
                    today=today,
                    due=due,
                    period=period_words(period),
                    citation=cited(cite(rule_set, "operational_change_report_period")),
                ),
                requirement="ECS-4.4",
                party_id=party.id,
                jurisdiction=case.jurisdiction,
                case_id=case.id,
                details={"effective_on": effective.isoformat(), "due_on": due.isoformat()},
            ),
        ).dedup_key
    return case, key
