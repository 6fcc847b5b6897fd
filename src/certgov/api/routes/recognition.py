"""Cross-border recognition of foreign CAs over HTTP (ECS-8): applications, their technical
review and decision, the public list of recognitions, withdrawal."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from certgov.actors import Actor, Role
from certgov.cases import services as cases
from certgov.http.deps import ContextDep, NationalRegulator, PublicActor, SessionDep, allow
from certgov.http.params import PathId
from certgov.recognition import services as recognition
from certgov.recognition.schemas import recognition_out

router = APIRouter(tags=["cross-border recognition"])

JsonBody = Annotated[dict[str, Any], Body()]
Applicant = Annotated[Actor, Depends(allow(Role.CA_OPERATOR, Role.NATIONAL_REGULATOR))]


@router.post("/recognition/applications", status_code=201)
def submit(
    body: JsonBody,
    session: SessionDep,
    ctx: ContextDep,
    actor: Applicant,
    applicant_party_id: Annotated[
        int | None, Query(description="The applying institution (national regulator only).")
    ] = None,
) -> dict[str, Any]:
    """ECS-8.1: apply for recognition of a foreign CA's certificates: ``{"foreign_ca": {"name",
    "name_en"?, "country"}, "qualification": {"home_scheme", "supervision_status", "supervisor"?,
    "description"?}, "basis", "certificate_types", "technical_standards", "scenarios",
    "certificates_pem"}``. The answer holds the case and its first technical review."""
    case = recognition.submit_application(
        session, ctx, actor, body, applicant_party_id=applicant_party_id
    )
    return recognition.application_view(session, ctx, actor, case.id)


@router.get("/recognition/applications/{case_id}")
def view(case_id: PathId, session: SessionDep, ctx: ContextDep, actor: Applicant) -> dict[str, Any]:
    """ECS-8.2: the application, its technical review and decision (the applicant and the
    national regulator)."""
    return recognition.application_view(session, ctx, actor, case_id)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expected_version: int | None = None


@router.post("/recognition/applications/{case_id}/review")
def review(
    case_id: PathId, body: ReviewIn, session: SessionDep, ctx: ContextDep, actor: NationalRegulator
) -> dict[str, Any]:
    """ECS-8.2: run the technical review again (certificates and the home scheme's latest
    imported trusted list)."""
    recognition.review_again(session, ctx, actor, case_id, expected_version=body.expected_version)
    return recognition.application_view(session, ctx, actor, case_id)


class ScopeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    certificate_types: list[str]
    scenarios: list[str]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approve", "refuse"]
    reason: str | None = Field(default=None, max_length=10_000)
    expected_version: int
    scope: ScopeIn | None = Field(
        default=None, description="Approved scope; default: everything applied for."
    )


@router.post("/recognition/applications/{case_id}/decision")
def decide(
    case_id: PathId,
    body: DecisionIn,
    session: SessionDep,
    ctx: ContextDep,
    actor: NationalRegulator,
) -> dict[str, Any]:
    """ECS-8.2: approve (recording scope and validity) or refuse the application."""
    case = recognition.application_case(session, ctx, actor, case_id)
    payload: dict[str, Any] = {}
    if body.decision == "approve":
        payload["scope"] = recognition.parse_scope(
            body.scope.model_dump() if body.scope else None, case.data.get("application") or {}
        )
    cases.transition(
        session,
        ctx,
        actor,
        case_id,
        body.decision,
        expected_version=body.expected_version,
        reason=body.reason,
        payload=payload,
    )
    return recognition.application_view(session, ctx, actor, case_id)


@router.get("/recognitions")
def list_recognitions(
    session: SessionDep,
    _actor: PublicActor,
    status: Annotated[str | None, Query(description="in_force, withdrawn or expired")] = None,
) -> list[dict[str, Any]]:
    """ECS-8.2, SYS-4: recognised foreign CAs with scope, validity and history, public."""
    return [
        recognition_out(session, r) for r in recognition.list_recognitions(session, status=status)
    ]


@router.get("/recognitions/{number}")
def get_recognition(number: str, session: SessionDep, _actor: PublicActor) -> dict[str, Any]:
    """ECS-8.2: one recognition, public."""
    return recognition_out(session, recognition.get_recognition(session, number))


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=10_000)
    expected_version: int


@router.post("/recognitions/{number}/withdraw")
def withdraw(
    number: str, body: WithdrawIn, session: SessionDep, ctx: ContextDep, actor: NationalRegulator
) -> dict[str, Any]:
    """ECS-8.2: withdraw a recognition in force, with a reason (national regulator)."""
    withdrawn = recognition.withdraw_recognition(
        session, ctx, actor, number, reason=body.reason, expected_version=body.expected_version
    )
    return recognition_out(session, withdrawn)
