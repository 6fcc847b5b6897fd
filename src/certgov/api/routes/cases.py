"""Cases over HTTP (SYS-1): open, read, act, extend deadlines."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from certgov.api.deps import ContextDep, SessionDep, SignedInActor
from certgov.api.schemas import CaseIn, ExtensionIn, TransitionIn
from certgov.cases import services as cases
from certgov.cases.models import Case, CaseDeadline, CaseEvent
from certgov.context import Context
from certgov.identity.roles import Actor

router = APIRouter(prefix="/cases", tags=["cases"])


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


@router.get("")
def list_cases(
    ctx: ContextDep,
    session: SessionDep,
    actor: SignedInActor,
    process_id: str | None = None,
    state: str | None = None,
    open_only: bool = False,
    limit: int = Query(default=100, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> list[dict[str, Any]]:
    """The cases you may see: your province, your organisation, your assignments."""
    found = cases.list_cases(
        session,
        ctx,
        actor,
        process_id=process_id,
        state=state,
        open_only=open_only,
        limit=limit,
        offset=offset,
    )
    return [case_summary(c) for c in found]


@router.post("", status_code=201)
def open_case(
    body: CaseIn, ctx: ContextDep, session: SessionDep, actor: SignedInActor
) -> dict[str, Any]:
    """Open a case on a process; the process says which roles may."""
    case = cases.open_case(
        session,
        ctx,
        actor,
        cases.OpenCase(
            process_id=body.process_id,
            title=body.title,
            subject_party_id=body.subject_party_id,
            jurisdiction=body.jurisdiction,
            relevant_date=body.relevant_date,
            data=body.data,
        ),
    )
    return case_detail(session, ctx, actor, case)


@router.get("/{case_id}")
def get_case(
    case_id: int, ctx: ContextDep, session: SessionDep, actor: SignedInActor
) -> dict[str, Any]:
    return case_detail(session, ctx, actor, cases.get_case(session, ctx, actor, case_id))


@router.get("/{case_id}/history")
def case_history(
    case_id: int, ctx: ContextDep, session: SessionDep, actor: SignedInActor
) -> list[dict[str, Any]]:
    """Who did what, when and why, in order."""
    case = cases.get_case(session, ctx, actor, case_id)
    return [event_out(e) for e in cases.history(session, case)]


@router.post("/{case_id}/transitions")
def take_transition(
    case_id: int, body: TransitionIn, ctx: ContextDep, session: SessionDep, actor: SignedInActor
) -> dict[str, Any]:
    """Act on a case. Give the version you saw: if someone acted first, you get 409."""
    case = cases.transition(
        session,
        ctx,
        actor,
        case_id,
        body.transition,
        expected_version=body.expected_version,
        reason=body.reason,
        payload=body.payload,
    )
    return case_detail(session, ctx, actor, case)


@router.post("/{case_id}/deadlines/{deadline}/extensions")
def extend_deadline(
    case_id: int,
    deadline: str,
    body: ExtensionIn,
    ctx: ContextDep,
    session: SessionDep,
    actor: SignedInActor,
) -> dict[str, Any]:
    """Extend a deadline with a recorded reason (the process says who may)."""
    row = cases.extend_deadline(
        session,
        ctx,
        actor,
        case_id,
        deadline,
        amount=body.amount,
        reason=body.reason,
        expected_version=body.expected_version,
    )
    return deadline_out(row)
