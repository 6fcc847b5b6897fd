"""The supervision dashboard's data (ECS-4.1, ECS-4.3): per CA and per province, the filings,
findings open and closed, case deadlines due and overdue, incidents, operational changes, the
latest operating statistics and the state of the CA's revocation services.

Scoped to the caller (SYS-6): the national regulator sees every CA, a provincial regulator
the CAs registered in its province; nobody else. A fixed number of grouped queries, whatever
the number of CAs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from certgov.actors import Actor, ActorKind, Role
from certgov.cases.models import Case, CaseDeadline
from certgov.clock import china_date
from certgov.conduct.models import OperatingReport
from certgov.conduct.reports import INCIDENT_PROCESS, OPERATIONAL_CHANGE_PROCESS
from certgov.context import Context
from certgov.errors import Forbidden, NotFound
from certgov.filings import months
from certgov.filings.models import RevocationSource
from certgov.findings.models import Finding
from certgov.licensing.models import Licence
from certgov.parties.models import Party, PartyKind
from certgov.text import Term
from certgov.workflow.clocks import ClockStatus

__all__ = ["dashboard"]

#: By default, deadlines due within this many days count as "due soon" (a view setting).
DUE_SOON_DAYS = 14
#: Filings over time: this many months, the current one last.
MONTHS = 12


def scope_of(actor: Actor) -> str | None:
    """None for nationwide, else the province whose CAs the actor sees."""
    if actor.kind is ActorKind.SYSTEM or actor.role is Role.NATIONAL_REGULATOR:
        return None
    if actor.role is Role.PROVINCIAL_REGULATOR:
        return actor.jurisdiction
    raise Forbidden(
        "the supervision dashboard is for regulators",
        hint="a CA sees its own findings at /api/v1/findings",
    )


def _grouped(session: Session, query: Executable) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for party_id, key, count in session.execute(query):
        counts[party_id][str(key)] = int(count)
    return counts


def dashboard(
    session: Session,
    ctx: Context,
    actor: Actor,
    *,
    province: str | None = None,
    party_id: int | None = None,
    due_soon_days: int = DUE_SOON_DAYS,
) -> dict[str, Any]:
    """The dashboard of the CAs the actor supervises (optionally one ``province`` of them, or
    the one CA ``party_id``), with the CA certificates filed in each of the last
    :data:`MONTHS` months."""
    scope = scope_of(actor)
    if province is not None and scope is not None and province != scope:
        raise Forbidden(
            "{province} is outside your jurisdiction ({scope})",
            province=Term("jurisdiction", province),
            scope=Term("jurisdiction", scope),
            hint="a provincial regulator sees the CAs of its own province",
        )
    wanted = province or scope
    now = ctx.clock.now()
    parties_query = select(Party).where(Party.kind == PartyKind.CA).order_by(Party.id)
    if wanted is not None:
        parties_query = parties_query.where(Party.home_province == wanted)
    if party_id is not None:
        parties_query = parties_query.where(Party.id == party_id)
    parties = list(session.scalars(parties_query))
    if party_id is not None and not parties:
        raise NotFound(
            "No CA with number {party} in your remit",
            party=party_id,
            hint="a provincial regulator sees the CAs of its own province",
        )
    ids = [p.id for p in parties]

    # Totals and months from the CAs' monthly counts (filing_months), not from the filed
    # certificates: a few rows per CA whatever their number.
    filed = months.totals(session, ids)
    window = months.last_months(china_date(now), MONTHS)
    over_time = months.by_month(session, ids, window)
    # Open and closed findings, and the open ones by severity, in one read of the covering
    # (party_id, status, severity) index.
    findings: dict[int, dict[str, int]] = defaultdict(dict)
    severities: dict[int, dict[str, int]] = defaultdict(dict)
    for finding_party, status, severity, count in session.execute(
        select(Finding.party_id, Finding.status, Finding.severity, func.count())
        .where(Finding.party_id.in_(ids))
        .group_by(Finding.party_id, Finding.status, Finding.severity)
    ):
        if finding_party is None:
            continue
        by_status = findings[finding_party]
        by_status[status] = by_status.get(status, 0) + int(count)
        if status == "open":
            severities[finding_party][str(severity)] = int(count)
    # The running deadlines of the CAs' cases counted overdue and due soon by the database,
    # one row per CA (read from the cases' subject index, then each case's deadlines).
    soon = now + dt.timedelta(days=due_soon_days)
    deadlines: dict[int, dict[str, int]] = defaultdict(lambda: {"overdue": 0, "due_soon": 0})
    for deadline_party, overdue, due_soon in session.execute(
        select(
            Case.subject_party_id,
            func.sum(case((CaseDeadline.due_at < now, 1), else_=0)),
            func.sum(
                case((and_(CaseDeadline.due_at >= now, CaseDeadline.due_at <= soon), 1), else_=0)
            ),
        )
        .select_from(CaseDeadline)
        .join(Case, Case.id == CaseDeadline.case_id)
        .where(CaseDeadline.status == ClockStatus.RUNNING, Case.subject_party_id.in_(ids))
        .group_by(Case.subject_party_id)
    ):
        if deadline_party is not None:
            deadlines[deadline_party] = {
                "overdue": int(overdue or 0),
                "due_soon": int(due_soon or 0),
            }
    # Incidents and operational changes, open and in all, in one grouped query.
    reports: dict[int, dict[str, int]] = defaultdict(dict)
    for party_id, process_id, closed, count in session.execute(
        select(Case.subject_party_id, Case.process_id, Case.closed, func.count(Case.id))
        .where(
            Case.subject_party_id.in_(ids),
            Case.process_id.in_([INCIDENT_PROCESS, OPERATIONAL_CHANGE_PROCESS]),
        )
        .group_by(Case.subject_party_id, Case.process_id, Case.closed)
    ):
        if party_id is None:
            continue
        counts = reports[party_id]
        counts[process_id] = counts.get(process_id, 0) + count
        if not closed:
            counts[f"{process_id}:open"] = counts.get(f"{process_id}:open", 0) + count
    revocation = _grouped(
        session,
        select(RevocationSource.party_id, RevocationSource.status, func.count(RevocationSource.id))
        .where(RevocationSource.party_id.in_(ids))
        .group_by(RevocationSource.party_id, RevocationSource.status),
    )
    latest_period: dict[int, dt.date] = {}
    for party_id, start in session.execute(
        select(OperatingReport.party_id, func.max(OperatingReport.period_start))
        .where(OperatingReport.party_id.in_(ids))
        .group_by(OperatingReport.party_id)
    ):
        latest_period[party_id] = start
    statistics = {
        row.party_id: row
        for row in session.scalars(
            select(OperatingReport).where(
                OperatingReport.party_id.in_(ids),
                OperatingReport.period_start.in_(set(latest_period.values())),
            )
        )
        if latest_period.get(row.party_id) == row.period_start
    }
    licences: dict[int, Licence] = {}
    for issued in session.scalars(
        select(Licence).where(Licence.holder_party_id.in_(ids)).order_by(Licence.issued_at)
    ):
        licences[issued.holder_party_id] = issued  # the latest issued wins

    cas: list[dict[str, Any]] = []
    for party in parties:
        count, last = filed.get(party.id, (0, None))
        licence = licences.get(party.id)
        report = statistics.get(party.id)
        cas.append(
            {
                "party_id": party.id,
                "name": party.name,
                "province": party.home_province,
                "licence": {"number": licence.number, "status": licence.status}
                if licence
                else None,
                "filings": {
                    "certificates": count,
                    "last_filed_at": last.isoformat() if last else None,
                },
                "findings": {
                    "open": findings[party.id].get("open", 0),
                    "closed": findings[party.id].get("closed", 0),
                    "open_by_severity": severities.get(party.id, {}),
                },
                "deadlines": dict(deadlines[party.id]),
                "incidents": {
                    "open": reports[party.id].get(f"{INCIDENT_PROCESS}:open", 0),
                    "total": reports[party.id].get(INCIDENT_PROCESS, 0),
                },
                "operational_changes_open": reports[party.id].get(
                    f"{OPERATIONAL_CHANGE_PROCESS}:open", 0
                ),
                "statistics": {
                    "period_start": report.period_start.isoformat(),
                    "certificates_issued": report.certificates_issued,
                    "certificates_revoked": report.certificates_revoked,
                    "late": report.late,
                }
                if report
                else None,
                "revocation_services": revocation.get(party.id, {}),
            }
        )
    provinces: dict[str, dict[str, Any]] = {}
    for ca in cas:
        code = ca["province"] or "unknown"
        total = provinces.setdefault(
            code,
            {
                "province": code,
                "cas": 0,
                "licensed": 0,
                "filed_certificates": 0,
                "findings_open": 0,
                "findings_closed": 0,
                "deadlines_overdue": 0,
                "deadlines_due_soon": 0,
                "incidents_open": 0,
                "revocation_problems": 0,
            },
        )
        total["cas"] += 1
        total["licensed"] += bool(ca["licence"] and ca["licence"]["status"] == "valid")
        total["filed_certificates"] += ca["filings"]["certificates"]
        total["findings_open"] += ca["findings"]["open"]
        total["findings_closed"] += ca["findings"]["closed"]
        total["deadlines_overdue"] += ca["deadlines"]["overdue"]
        total["deadlines_due_soon"] += ca["deadlines"]["due_soon"]
        total["incidents_open"] += ca["incidents"]["open"]
        total["revocation_problems"] += ca["revocation_services"].get("problem", 0)
    return {
        "generated_at": now.isoformat(),
        "scope": wanted or "national",
        "party_id": party_id,
        "due_soon_days": due_soon_days,
        "provinces": sorted(provinces.values(), key=lambda p: str(p["province"])),
        "cas": cas,
        "filings_by_month": [
            {"month": month.isoformat()[:7], "certificates": count}
            for month, count in over_time.items()
        ],
    }
