"""Cases over HTTP (SYS-1): open, read, act, extend deadlines."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from certgov.api.schemas import CaseIn, ExtensionIn, TransitionIn
from certgov.cases import services as cases
from certgov.cases.schemas import case_detail, case_summary, deadline_out, event_out
from certgov.http.deps import ContextDep, SessionDep, SignedInActor
from certgov.http.params import Offset, PathId

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("")
def list_cases(
    ctx: ContextDep,
    session: SessionDep,
    actor: SignedInActor,
    process_id: str | None = None,
    state: str | None = None,
    open_only: bool = False,
    limit: int = Query(default=100, ge=1, le=500),
    offset: Offset = 0,
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
    case_id: PathId, ctx: ContextDep, session: SessionDep, actor: SignedInActor
) -> dict[str, Any]:
    return case_detail(session, ctx, actor, cases.get_case(session, ctx, actor, case_id))


@router.get("/{case_id}/history")
def case_history(
    case_id: PathId, ctx: ContextDep, session: SessionDep, actor: SignedInActor
) -> list[dict[str, Any]]:
    """Who did what, when and why, in order."""
    case = cases.get_case(session, ctx, actor, case_id)
    return [event_out(e) for e in cases.history(session, case)]


@router.post("/{case_id}/transitions")
def take_transition(
    case_id: PathId, body: TransitionIn, ctx: ContextDep, session: SessionDep, actor: SignedInActor
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
        stated_on=body.stated_on,
    )
    return case_detail(session, ctx, actor, case)


@router.post("/{case_id}/deadlines/{deadline}/extensions")
def extend_deadline(
    case_id: PathId,
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
