"""Cases as JSON-ready dictionaries, for every adapter (API, CLI, console)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.cases import services as cases
from certgov.cases.models import Case, CaseDeadline, CaseEvent
from certgov.context import Context


def deadline_out(row: CaseDeadline) -> dict[str, Any]:
    return {
        "name": row.name,
        "status": row.status,
        "period": row.period,
        "rule_set": row.rule_set_id,
        "started_at": row.started_at.isoformat(),
        "due_on": row.due_on.isoformat() if row.due_on else None,
        "due_at": row.due_at.isoformat() if row.due_at else None,
        "remaining_while_stopped": row.remaining,
        "extension": row.extension,
        "warnings": row.warnings,
    }


def event_out(row: CaseEvent) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "kind": row.kind,
        "actor": {"kind": row.actor_kind, "name": row.actor_name, "role": row.actor_role},
        "transition": row.transition,
        "from_state": row.from_state,
        "to_state": row.to_state,
        "reason": row.reason,
        "details": row.details,
        "effective_at": row.effective.isoformat(),
        "stated_by": row.stated_by,
    }


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "process_id": case.process_id,
        "title": case.title,
        "state": case.state,
        "closed": case.closed,
        "version": case.version,
        "subject_party_id": case.subject_party_id,
        "assignee_party_id": case.assignee_party_id,
        "jurisdiction": case.jurisdiction,
        "relevant_date": case.relevant_date.isoformat(),
        "rule_set_ids": case.rule_set_ids,
        "opened_at": case.opened_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
    }


def case_detail(session: Session, ctx: Context, actor: Actor, case: Case) -> dict[str, Any]:
    body = case_summary(case)
    body["data"] = case.data
    body["deadlines"] = [deadline_out(d) for d in cases.deadlines(session, case)]
    body["available_transitions"] = [
        {"name": t.name, "title": t.title, "to": t.target, "reason_required": t.reason_required}
        for t in cases.available_transitions(ctx, actor, case)
    ]
    return body
