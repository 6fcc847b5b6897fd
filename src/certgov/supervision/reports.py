"""What CAs report to the regulator (ECS-4.1, ECS-4.4): incidents, each a ``ca-incident`` case
whose preliminary report is due within the rule set's ``incident_preliminary_report`` of the CA
becoming aware (a later one is a finding) and whose full report is a deadline of the case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.clock import china_date
from certgov.context import Context
from certgov.ecs.citation import cite
from certgov.errors import Forbidden, InvalidInput
from certgov.identity.roles import Actor, Role
from certgov.registry.models import Party
from certgov.rulebook.services import in_force
from certgov.rules.model import DurationUnit, Regime
from certgov.supervision.services import Problem, raise_finding

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
            f"aware_at: give when the CA became aware, ISO 8601 with offset, not {value!r}",
            details={"field": "aware_at"},
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
    if actor.role is not Role.CA_OPERATOR or actor.party_id is None:
        raise Forbidden("a CA reports its own incidents")
    now = ctx.clock.now()
    aware = _aware_at(body, now)
    title = body.get("title")
    summary = body.get("summary")
    if not isinstance(title, str) or not title.strip() or len(title) > 300:
        raise InvalidInput("title: give a short title (at most 300 characters)")
    if not isinstance(summary, str) or not summary.strip() or len(summary) > _MAX_TEXT:
        raise InvalidInput(f"summary: say what happened (at most {_MAX_TEXT} characters)")
    affected = body.get("certificates_affected", 0)
    if not isinstance(affected, int) or isinstance(affected, bool) or affected < 0:
        raise InvalidInput("certificates_affected: a whole number >= 0")
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, china_date(now))
    period = rule_set.duration("incident_preliminary_report")
    if period.unit is not DurationUnit.HOURS:
        raise InvalidInput(f"{rule_set.id} incident_preliminary_report must be in hours")
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
                title=f"Incident reported late: {party.name}",
                message=(
                    f"{party.name} became aware of the incident {title.strip()!r} at "
                    f"{aware.isoformat()} and reported it {hours:.0f} hours later; the "
                    f"preliminary report was due by {due.isoformat()} ({period}, "
                    f"{cite(rule_set, 'incident_preliminary_report')})."
                ),
                requirement="ECS-4.4",
                party_id=party.id,
                jurisdiction=case.jurisdiction,
                case_id=case.id,
                details={"aware_at": aware.isoformat(), "due_at": due.isoformat()},
            ),
        ).dedup_key
    return case, key
