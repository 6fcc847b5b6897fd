"""One line of a case's history and its audit record (SYS-1, SYS-3), with its date of record when an official stated one (SYS-8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.cases.models import Case, CaseEvent
from certgov.context import Context
from certgov.history.dates import StatedDate
from certgov.history.services import record_change


def record_event(
    session: Session,
    ctx: Context,
    case: Case,
    actor: Actor,
    at: dt.datetime,
    kind: str,
    *,
    transition: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    stated: StatedDate | None = None,
) -> None:
    record_change(
        session,
        ctx,
        actor,
        CaseEvent(
            case_id=case.id,
            at=at,
            kind=kind,
            actor_kind=actor.kind.value,
            transition=transition,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
            details=details or {},
        ),
        action=f"case.{kind}",
        subject={"process": case.process_id, "transition": transition} if transition else None,
        before={"state": from_state} if from_state else None,
        after={"state": to_state} if to_state else None,
        stated=stated,
    )
