"""Operating statistics of CAs (ECS-4.1): each licensed CA reports, for every reporting period
(``operating_statistics_period`` of the rule set, aligned on the calendar year: quarters by
default), the certificates it issued and revoked, within ``operating_statistics_due`` after the
period ends. A report not received by then is a finding the worker raises, closed when the
report arrives (and the report is marked late)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import SYSTEM_ACTOR, Actor
from certgov.clock import china_date
from certgov.conduct.models import OperatingReport
from certgov.context import Context
from certgov.ecs.citation import cite, cited
from certgov.errors import Conflict, InvalidInput
from certgov.findings.models import Finding, FindingStatus
from certgov.findings.services import Problem, close_finding, raise_finding
from certgov.i18n import N_
from certgov.licensing.models import Licence, LicenceStatus
from certgov.parties.models import Party
from certgov.parties.services import check_party_scope, get_ca
from certgov.rulebook.services import in_force
from certgov.rules.model import DurationUnit, Regime, RuleSet
from certgov.text import Text
from certgov.workflow.clocks import date_after

__all__ = ["ReportingPeriod", "file_statistics", "period_of", "sweep_statistics"]

REQUIREMENT = "ECS-4.1"
_MAX_TYPES = 100


@dataclass(frozen=True)
class ReportingPeriod:
    start: dt.date
    end: dt.date  # inclusive
    due: dt.date

    def as_dict(self) -> dict[str, str]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "due": self.due.isoformat(),
        }


def _months(rule_set: RuleSet) -> int:
    period = rule_set.duration("operating_statistics_period")
    months = period.amount * (12 if period.unit is DurationUnit.YEARS else 1)
    if period.unit not in (DurationUnit.MONTHS, DurationUnit.YEARS) or 12 % months:
        raise InvalidInput(
            "{rule_set} operating_statistics_period must be months dividing a year, not {period}",
            rule_set=rule_set.id,
            period=str(period),
        )
    return months


def period_of(rule_set: RuleSet, day: dt.date) -> ReportingPeriod:
    """The reporting period containing ``day``."""
    months = _months(rule_set)
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    following = date_after(start, rule_set.duration("operating_statistics_period"))
    end = following - dt.timedelta(days=1)
    return ReportingPeriod(
        start, end, date_after(end, rule_set.duration("operating_statistics_due"))
    )


def _overdue_key(party_id: int, start: dt.date) -> str:
    return f"statistics-overdue:{party_id}:{start.isoformat()}"


def _by_type(value: object) -> dict[str, dict[str, int]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or len(value) > _MAX_TYPES:
        strict_json.refuse("by_type", f"an object of at most {_MAX_TYPES} certificate types", value)
    out: dict[str, dict[str, int]] = {}
    for name, figures in value.items():
        path = f"by_type.{name}"
        strict_json.text(name, path, limit=100)
        body = strict_json.json_object(figures, path, ["issued", "revoked"])
        out[str(name)] = {
            "issued": strict_json.whole_number(body["issued"], f"{path}.issued", minimum=0),
            "revoked": strict_json.whole_number(body["revoked"], f"{path}.revoked", minimum=0),
        }
    return out


def file_statistics(
    session: Session, ctx: Context, actor: Actor, party_id: int, body: object
) -> OperatingReport:
    """File (or, with ``"correction": true``, correct) the statistics of one period:
    ``{"period_start": "2025-07-01", "certificates_issued": n, "certificates_revoked": n[,
    "certificates_valid": n, "by_type": {"<type>": {"issued": n, "revoked": n}}]}``."""
    party = get_ca(session, party_id)
    check_party_scope(actor, party, N_("file operating statistics"))
    if actor.is_official:
        raise InvalidInput("a CA files its own operating statistics")
    data = strict_json.json_object(
        body,
        "body",
        ["period_start", "certificates_issued", "certificates_revoked"],
        ["certificates_valid", "by_type", "correction"],
    )
    now = ctx.clock.now()
    today = china_date(now)
    start = strict_json.iso_date(data["period_start"], "period_start")
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, today)
    period = period_of(rule_set, start)
    if period.start != start:
        raise InvalidInput(
            "period_start: reporting periods start on {period_start} ({length} periods, "
            "{citation}), not {start}",
            details={"field": "period_start"},
            period_start=period.start,
            length=str(rule_set.duration("operating_statistics_period")),
            citation=str(cite(rule_set, "operating_statistics_period")),
            start=start,
        )
    if period.end >= today:
        raise InvalidInput(
            "period_start: the period {start}–{end} has not ended; statistics are filed after "
            "the period",
            details={"field": "period_start"},
            start=start,
            end=period.end,
        )
    issued = strict_json.whole_number(data["certificates_issued"], "certificates_issued", minimum=0)
    revoked = strict_json.whole_number(
        data["certificates_revoked"], "certificates_revoked", minimum=0
    )
    valid_value = data.get("certificates_valid")
    valid = (
        None
        if valid_value is None
        else strict_json.whole_number(valid_value, "certificates_valid", minimum=0)
    )
    by_type = _by_type(data.get("by_type"))
    if by_type and (
        sum(t["issued"] for t in by_type.values()) != issued
        or sum(t["revoked"] for t in by_type.values()) != revoked
    ):
        raise InvalidInput(
            "by_type: the figures per type must add up to certificates_issued and "
            "certificates_revoked",
            details={"field": "by_type"},
        )
    correction = data.get("correction", False)
    if not isinstance(correction, bool):
        strict_json.refuse("correction", "true or false", correction)
    row = session.scalar(
        select(OperatingReport).where(
            OperatingReport.party_id == party.id, OperatingReport.period_start == start
        )
    )
    figures = {
        "certificates_issued": issued,
        "certificates_revoked": revoked,
        "certificates_valid": valid,
        "by_type": by_type,
    }
    if row is not None and not correction:
        raise Conflict(
            "the statistics for {start}–{end} were filed at {submitted_at}",
            hint='send "correction": true to correct them',
            start=start,
            end=period.end,
            submitted_at=row.submitted_at,
        )
    if row is None and correction:
        raise InvalidInput("correction: nothing filed yet for this period to correct")
    if row is None:
        row = OperatingReport(
            party_id=party.id,
            period_start=start,
            period_end=period.end,
            due_on=period.due,
            rule_set_id=rule_set.id,
            submitted_at=now,
            submitted_by=actor.name,
            late=today > period.due,
            history=[],
            **figures,
        )
        session.add(row)
        action = "statistics.filed"
    else:
        previous = {
            "certificates_issued": row.certificates_issued,
            "certificates_revoked": row.certificates_revoked,
            "certificates_valid": row.certificates_valid,
            "by_type": row.by_type,
            "submitted_at": row.submitted_at.isoformat(),
            "submitted_by": row.submitted_by,
        }
        row.history = [*row.history, previous]
        row.submitted_at, row.submitted_by = now, actor.name
        row.certificates_issued, row.certificates_revoked = issued, revoked
        row.certificates_valid, row.by_type = valid, by_type
        action = "statistics.corrected"
    session.flush()
    close_finding(
        session,
        ctx,
        actor,
        _overdue_key(party.id, start),
        f"filed at {now.isoformat()}, after the due date {period.due.isoformat()}",
    )
    ctx.audit.record(
        session,
        actor,
        action,
        subject={"party": party.id, "operating_report": row.id},
        after={"period_start": start.isoformat(), **figures},
        details={"late": row.late, "rule_set": rule_set.id},
    )
    return row


def list_statistics(session: Session, actor: Actor, party_id: int) -> list[OperatingReport]:
    party = get_ca(session, party_id)
    check_party_scope(actor, party, N_("see operating statistics"))
    return list(
        session.scalars(
            select(OperatingReport)
            .where(OperatingReport.party_id == party.id)
            .order_by(OperatingReport.period_start)
        )
    )


@dataclass
class StatisticsReport:
    overdue: list[str] = field(default_factory=list)


def sweep_statistics(session: Session, ctx: Context) -> StatisticsReport:
    """Raise a finding for each CA holding a valid licence whose statistics for the latest
    period already due have not arrived (ECS-4.1). Cost: one query per run plus one per CA."""
    now = ctx.clock.now()
    today = china_date(now)
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, today)
    current = period_of(rule_set, today)
    previous = period_of(rule_set, current.start - dt.timedelta(days=1))
    report = StatisticsReport()
    if previous.due >= today:
        previous = period_of(rule_set, previous.start - dt.timedelta(days=1))
    filed = set(
        session.scalars(
            select(OperatingReport.party_id).where(OperatingReport.period_start == previous.start)
        )
    )
    licensed = session.scalars(
        select(Licence.holder_party_id).where(
            Licence.status == LicenceStatus.VALID, Licence.valid_from <= previous.end
        )
    ).all()
    missing = [party_id for party_id in licensed if party_id not in filed]
    # Already open: nothing to raise (a run costs what the new problems cost).
    already = set(
        session.scalars(
            select(Finding.dedup_key).where(
                Finding.dedup_key.in_([_overdue_key(p, previous.start) for p in missing]),
                Finding.status == FindingStatus.OPEN,
            )
        )
    )
    citation = cited(cite(rule_set, "operating_statistics_due"))
    for party_id in missing:
        if _overdue_key(party_id, previous.start) in already:
            continue
        party = session.get(Party, party_id)
        assert party is not None
        raise_finding(
            session,
            ctx,
            SYSTEM_ACTOR,
            Problem(
                code="operating-statistics-overdue",
                key=_overdue_key(party_id, previous.start),
                severity="medium",
                title=Text("Operating statistics overdue: {party}", party=party.name),
                message=Text(
                    "{party} has not filed its operating statistics for {start}–{end}, due by "
                    "{due} ({citation}).",
                    party=party.name,
                    start=previous.start,
                    end=previous.end,
                    due=previous.due,
                    citation=citation,
                ),
                requirement=REQUIREMENT,
                party_id=party.id,
                jurisdiction=party.home_province,
                details={"period": previous.as_dict(), "rule": {"requirement": REQUIREMENT}},
            ),
        )
        report.overdue.append(f"{party_id}:{previous.start.isoformat()}")
    return report
