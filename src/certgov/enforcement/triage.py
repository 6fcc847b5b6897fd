"""Triage of findings by the regulators (ECS-4.2, ECS-6.2): list the findings in one's
jurisdiction with counts, confirm one (a violation to act on), dismiss one with a reason (it
stays closed when its check sees it again), link one to a case. Opening the enforcement case
from a confirmed finding is :func:`certgov.enforcement.services.open_from_finding`.

Every change is in the audit log (SYS-3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from certgov.actors import REGULATORS, Actor, ActorKind, Role
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.context import Context
from certgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from certgov.findings.models import Finding, FindingStatus
from certgov.i18n import N_
from certgov.text import Term

CONFIRMED = "confirmed"
DISMISSED = "dismissed"
UNTRIAGED = "untriaged"
TRIAGE_VALUES = (UNTRIAGED, CONFIRMED, DISMISSED)
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
_MAX_NOTE = 5000


@dataclass(frozen=True)
class FindingFilter:
    status: str | None = FindingStatus.OPEN
    triage: str | None = None
    severity: str | None = None
    party_id: int | None = None
    province: str | None = None
    code: str | None = None
    finding_id: int | None = None


@dataclass
class FindingPage:
    rows: list[Finding]
    total: int
    page: int
    page_size: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _check_regulator(actor: Actor) -> None:
    if actor.kind is not ActorKind.SYSTEM and actor.role not in REGULATORS:
        raise Forbidden(
            "a {role} may not triage findings",
            hint="regulators triage findings",
            role=Term("role", actor.role),
        )


def _scope(actor: Actor) -> list[ColumnElement[bool]]:
    _check_regulator(actor)
    if actor.role is Role.PROVINCIAL_REGULATOR:
        return [Finding.jurisdiction == actor.jurisdiction]
    return []


def _conditions(actor: Actor, flt: FindingFilter, skip: str = "") -> list[ColumnElement[bool]]:
    where = _scope(actor)
    if flt.status and skip != "status":
        where.append(Finding.status == flt.status)
    if flt.triage and skip != "triage":
        if flt.triage == UNTRIAGED:
            where.append(Finding.triage.is_(None))
        else:
            where.append(Finding.triage == flt.triage)
    if flt.severity and skip != "severity":
        where.append(Finding.severity == flt.severity)
    if flt.party_id is not None and skip != "party":
        where.append(Finding.party_id == flt.party_id)
    if flt.province and skip != "province":
        where.append(Finding.jurisdiction == flt.province)
    if flt.finding_id is not None:
        where.append(Finding.id == flt.finding_id)
    if flt.code and skip != "code":
        where.append(Finding.code == flt.code)
    return where


def list_findings(
    session: Session,
    actor: Actor,
    flt: FindingFilter,
    *,
    page: int = 1,
    page_size: int = 25,
) -> FindingPage:
    """The findings the regulator may see matching ``flt``, most severe and oldest first, with
    counts per status, triage, severity and province under the other filters."""
    if flt.triage is not None and flt.triage not in TRIAGE_VALUES:
        raise InvalidInput("triage: one of {values}", values=", ".join(TRIAGE_VALUES))
    page = max(page, 1)
    page_size = min(max(page_size, 1), 200)
    where = _conditions(actor, flt)
    total = session.scalar(select(func.count(Finding.id)).where(*where)) or 0
    severity_order = case(
        {name: rank for rank, name in enumerate(SEVERITY_ORDER)},
        value=Finding.severity,
        else_=len(SEVERITY_ORDER),
    )
    rows = list(
        session.scalars(
            select(Finding)
            .where(*where)
            .order_by(severity_order, Finding.first_seen, Finding.id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    )
    counts: dict[str, dict[str, int]] = {}
    for name, column in (
        ("status", Finding.status),
        ("severity", Finding.severity),
        ("province", Finding.jurisdiction),
    ):
        counts[name] = {
            str(key): int(n)
            for key, n in session.execute(
                select(column, func.count(Finding.id))
                .where(*_conditions(actor, flt, skip=name))
                .group_by(column)
            )
        }
    counts["triage"] = {
        (key or UNTRIAGED): int(n)
        for key, n in session.execute(
            select(Finding.triage, func.count(Finding.id))
            .where(*_conditions(actor, flt, skip="triage"))
            .group_by(Finding.triage)
        )
    }
    return FindingPage(rows=rows, total=int(total), page=page, page_size=page_size, counts=counts)


def get_finding(session: Session, actor: Actor, finding_id: int) -> Finding:
    """A finding the regulator may see; outside its jurisdiction it does not exist for it."""
    finding = session.scalar(select(Finding).where(Finding.id == finding_id, *_scope(actor)))
    if finding is None:
        raise NotFound("no finding with id {finding}", finding=finding_id)
    return finding


def _note(value: str, what: str, *, required: bool) -> str | None:
    note = value.strip()
    if required and not note:
        raise InvalidInput(
            "{what} needs a reason, recorded in the audit log",
            what=Term("message", what),
        )
    if len(note) > _MAX_NOTE:
        raise InvalidInput(
            "{what}: at most {most} characters",
            what=Term("message", what),
            most=_MAX_NOTE,
        )
    return note or None


def _triage(
    session: Session,
    ctx: Context,
    actor: Actor,
    finding: Finding,
    value: str,
    note: str | None,
    now: dt.datetime,
) -> None:
    finding.triage = value
    finding.triage_note = note
    finding.triaged_by = actor.name
    finding.triaged_at = now
    ctx.audit.record(
        session,
        actor,
        f"finding.{value}",
        at=now,
        case_id=finding.case_id,
        subject={"finding": finding.dedup_key, "code": finding.code},
        reason=note,
    )
    session.flush()


def confirm_finding(
    session: Session, ctx: Context, actor: Actor, finding_id: int, note: str = ""
) -> Finding:
    """The regulator confirms the finding: a problem to act on (ECS-6.2)."""
    finding = get_finding(session, actor, finding_id)
    if finding.status != FindingStatus.OPEN:
        raise Conflict(
            "finding {finding} is closed; only an open finding is confirmed", finding=finding_id
        )
    _triage(
        session,
        ctx,
        actor,
        finding,
        CONFIRMED,
        _note(note, N_("confirming"), required=False),
        ctx.clock.now(),
    )
    return finding


def dismiss_finding(
    session: Session, ctx: Context, actor: Actor, finding_id: int, reason: str
) -> Finding:
    """The regulator dismisses the finding with a reason (a false alarm, a matter already
    settled): it is closed, and stays closed when its check sees the problem again."""
    finding = get_finding(session, actor, finding_id)
    if finding.status != FindingStatus.OPEN:
        raise Conflict("finding {finding} is already closed", finding=finding_id)
    note = _note(reason, N_("dismissing a finding"), required=True)
    now = ctx.clock.now()
    finding.status = FindingStatus.CLOSED
    finding.closed_at = now
    _triage(session, ctx, actor, finding, DISMISSED, note, now)
    return finding


def link_finding(
    session: Session, ctx: Context, actor: Actor, finding_id: int, case_id: int
) -> Finding:
    """Link the finding to a case the regulator may see (the case that deals with it)."""
    finding = get_finding(session, actor, finding_id)
    case = cases.get_case(session, ctx, actor, case_id)
    if finding.party_id is not None and case.subject_party_id not in (None, finding.party_id):
        raise InvalidInput(
            "case {case} is about another party than finding {finding}",
            details={"field": "case_id"},
            case=case.id,
            finding=finding_id,
        )
    finding.case_id = case.id
    ctx.audit.record(
        session,
        actor,
        "finding.linked",
        case_id=case.id,
        subject={"finding": finding.dedup_key, "code": finding.code},
    )
    session.flush()
    return finding


def open_enforcement_from_finding(
    session: Session, ctx: Context, actor: Actor, finding_id: int, *, violation: str, summary: str
) -> Case:
    """Open the enforcement case for a confirmed finding (ECS-6.2) against its party, for a
    violation of the catalogue; the finding is linked to the case when it has none."""
    from certgov.enforcement import services as enforcement

    finding = get_finding(session, actor, finding_id)
    if finding.triage != CONFIRMED:
        raise Conflict(
            "finding {finding} is not confirmed",
            hint="confirm the finding first; enforcement starts from a confirmed finding",
            finding=finding_id,
        )
    if finding.status != FindingStatus.OPEN:
        raise Conflict("finding {finding} is closed", finding=finding_id)
    case = enforcement.open_from_finding(
        session,
        ctx,
        actor,
        {"finding_id": finding_id, "violation": violation, "summary": summary},
    )
    if finding.case_id is None:
        finding.case_id = case.id
        session.flush()
    return case
