"""Findings raised and closed by the domains' checks (ECS-4.2): one finding per problem.

A check that sees a problem calls :func:`raise_finding` with a key naming the problem (the
party and what is wrong); seeing it again only moves ``last_seen``. When the problem is gone
the check calls :func:`close_finding`, and a later recurrence reopens the same finding. Each
opening, reopening and closing is in the audit log (SYS-3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import Actor, ActorKind, Role
from certgov.context import Context
from certgov.findings.models import Finding, FindingStatus
from certgov.text import Text


@dataclass(frozen=True)
class Problem:
    code: str
    key: str
    severity: str
    #: The title and the explanation: a Text (template and parameters) where the check can
    #: give one, so that pages say it in the reader's language.
    title: str | Text
    message: str | Text
    requirement: str | None = None
    party_id: int | None = None
    jurisdiction: str | None = None
    case_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


def raise_finding(session: Session, ctx: Context, actor: Actor, problem: Problem) -> Finding:
    """Open the finding for ``problem``, or note that it is still there (and reopen it)."""
    now = ctx.clock.now()
    finding = session.scalar(select(Finding).where(Finding.dedup_key == problem.key))
    if finding is not None and (
        finding.status == FindingStatus.OPEN or finding.triage == "dismissed"
    ):
        # A finding a regulator dismissed stays closed when its check sees it again.
        finding.last_seen = now
        finding.code = problem.code
        finding.severity = problem.severity
        _put_texts(finding, problem)
        finding.details = problem.details
        return finding
    action = "finding.reopened" if finding is not None else "finding.opened"
    if finding is None:
        finding = Finding(dedup_key=problem.key, first_seen=now)
        session.add(finding)
    finding.code = problem.code
    finding.severity = problem.severity
    finding.status = FindingStatus.OPEN
    _put_texts(finding, problem)
    finding.requirement = problem.requirement
    finding.party_id = problem.party_id
    finding.jurisdiction = problem.jurisdiction
    finding.case_id = problem.case_id
    finding.details = problem.details
    finding.last_seen = now
    finding.closed_at = None
    ctx.audit.record(
        session,
        actor,
        action,
        at=now,
        case_id=problem.case_id,
        subject={"finding": problem.key, "code": problem.code},
        details={"requirement": problem.requirement, "title": finding.title},
    )
    session.flush()
    return finding


def _put_texts(finding: Finding, problem: Problem) -> None:
    """The English title and explanation, and their templates where the check gave them."""
    finding.title = str(problem.title)[:300]
    finding.message = str(problem.message)
    finding.title_text = problem.title.stored() if isinstance(problem.title, Text) else None
    finding.message_text = problem.message.stored() if isinstance(problem.message, Text) else None


def close_finding(
    session: Session, ctx: Context, actor: Actor, key: str, reason: str
) -> Finding | None:
    """Close the open finding ``key`` because the problem is gone; None when none is open."""
    finding = session.scalar(
        select(Finding).where(Finding.dedup_key == key, Finding.status == FindingStatus.OPEN)
    )
    if finding is None:
        return None
    now = ctx.clock.now()
    finding.status = FindingStatus.CLOSED
    finding.closed_at = now
    finding.details = {**finding.details, "closed_because": reason}
    ctx.audit.record(
        session,
        actor,
        "finding.closed",
        at=now,
        case_id=finding.case_id,
        subject={"finding": key, "code": finding.code},
        reason=reason,
    )
    return finding


def open_findings_with_prefix(session: Session, prefix: str) -> list[Finding]:
    """The open findings whose key starts with ``prefix`` (one party's findings of a kind)."""
    return list(
        session.scalars(
            select(Finding)
            .where(Finding.dedup_key.startswith(prefix), Finding.status == FindingStatus.OPEN)
            .order_by(Finding.id)
        )
    )


def visible_findings(
    session: Session,
    actor: Actor,
    *,
    party_id: int | None = None,
    status: str | None = None,
    limit: int = 200,
) -> list[Finding]:
    """Findings the actor may see (SYS-6): regulators their jurisdiction, a CA or app operator
    its own; the others none."""
    query = select(Finding)
    if actor.kind is ActorKind.SYSTEM or actor.role is Role.NATIONAL_REGULATOR:
        pass
    elif actor.role is Role.PROVINCIAL_REGULATOR:
        query = query.where(Finding.jurisdiction == actor.jurisdiction)
    elif actor.role in (Role.CA_OPERATOR, Role.APP_OPERATOR) and actor.party_id is not None:
        query = query.where(Finding.party_id == actor.party_id)
    else:
        return []
    if party_id is not None:
        query = query.where(Finding.party_id == party_id)
    if status is not None:
        query = query.where(Finding.status == status)
    return list(session.scalars(query.order_by(Finding.id.desc()).limit(min(max(limit, 1), 1000))))
