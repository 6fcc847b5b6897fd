"""Record a change in a history and in the audit log, in the caller's transaction (SYS-3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.context import Context
from certgov.history.dates import StatedDate
from certgov.history.models import HistoryLine, StatusHistoryLine


def record_change(
    session: Session,
    ctx: Context,
    actor: Actor,
    line: HistoryLine,
    *,
    action: str,
    subject: Mapping[str, Any] | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    stated: StatedDate | None = None,
) -> HistoryLine:
    """Add ``line`` (its ``kind``, ``case_id``, ``reason`` and ``details`` set by the caller)
    stamped with the time and the actor, and the matching audit record ``action``. A change
    that took effect earlier, as an official ``stated`` (SYS-8), keeps that time beside the
    time it was entered, and the audit record says so."""
    if getattr(line, "at", None) is None:
        line.at = ctx.clock.now()
    line.actor_name = actor.name
    line.actor_role = actor.recorded_role
    if stated is not None:
        line.effective_at = stated.instant
        line.stated_by = stated.stated_by
        line.details = {**(line.details or {}), "date_of_record": stated.as_dict()}
    details = line.details or None
    line.details = dict(line.details or {})
    session.add(line)
    ctx.audit.record(
        session,
        actor,
        action,
        at=line.at,
        case_id=line.case_id,
        subject=dict(subject) if subject is not None else None,
        before=dict(before) if before else None,
        after=dict(after) if after else None,
        reason=line.reason,
        details=details,
    )
    return line


def record_status_change(
    session: Session,
    ctx: Context,
    actor: Actor,
    line: StatusHistoryLine,
    *,
    action: str,
    subject: Mapping[str, Any],
    after: Mapping[str, Any] | None = None,
    stated: StatedDate | None = None,
) -> None:
    """A credential's status change: ``line`` is a :class:`StatusHistoryLine` whose
    ``from_status`` and ``to_status`` are set; the audit record shows them as before/after
    (``after`` adds other facts of the new state, such as the validity)."""
    record_change(
        session,
        ctx,
        actor,
        line,
        action=action,
        subject=subject,
        before={"status": line.from_status} if line.from_status else None,
        after={"status": line.to_status, **(after or {})},
        stated=stated,
    )
