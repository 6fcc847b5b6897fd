"""Complaints and reports over HTTP (ECS-5): anyone files one and follows it by its tracking
code; the regulators of the CA's province (or the national regulator) handle it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from certgov.cases.schemas import case_summary
from certgov.complaints import services as complaints
from certgov.errors import TooManyRequests
from certgov.http.deps import ContextDep, PublicActor, Regulator, SessionDep
from certgov.http.limits import complaint_limiter
from certgov.http.params import PathId

router = APIRouter(tags=["complaints (ECS-5)"])

JsonBody = Annotated[dict[str, Any], Body()]


@router.post("/complaints", status_code=201, responses={429: {"description": "rate limited"}})
def file_complaint(
    request: Request, body: JsonBody, session: SessionDep, ctx: ContextDep, _actor: PublicActor
) -> Any:
    """ECS-5.1: file a complaint or report, no login needed: ``{"subject", "description",
    "ca_party_id" | "ca_name", "complainant"?: {"name", "contact"?}, "evidence"?: [{"filename",
    "content_base64", "media_type"?}]}``. Without ``complainant`` it is anonymous. Keep the
    ``tracking_code``: it is shown once, and only its hash is stored."""
    limiter = complaint_limiter(request, ctx)
    client = request.client.host if request.client else "unknown"
    if not limiter.allow(client):
        wait = int(limiter.retry_after(client)) + 1
        return JSONResponse(
            TooManyRequests(
                f"too many complaints from your address: at most {limiter.limit} in "
                f"{int(limiter.window)} seconds",
                hint=f"try again in {wait} seconds",
            ).as_dict(),
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    filed = complaints.file_complaint(session, ctx, body)
    return {
        "tracking_code": filed.tracking_code,
        "status_url": f"/api/v1/complaints/{filed.tracking_code}",
        "received_at": filed.complaint.received_at.isoformat(),
        "handled_by": filed.case.jurisdiction,
        "status": filed.case.state,
    }


@router.get("/complaints/{code}")
def complaint_status(code: str, session: SessionDep, _actor: PublicActor) -> dict[str, Any]:
    """ECS-5.1: the public status of a complaint by its tracking code (no notes, no names)."""
    return complaints.public_status(session, code)


@router.get("/complaints")
def list_complaints(session: SessionDep, ctx: ContextDep, actor: Regulator) -> list[dict[str, Any]]:
    """ECS-5.2: the complaints the regulator handles (a provincial regulator its province's)."""
    return [
        {**case_summary(c), "data": c.data} for c in complaints.list_complaints(session, ctx, actor)
    ]


@router.get("/complaints/cases/{case_id}")
def complaint_detail(
    case_id: PathId, session: SessionDep, ctx: ContextDep, actor: Regulator
) -> dict[str, Any]:
    """ECS-5.2: the whole complaint for its regulators: text, complainant, evidence digests.
    Accept, decline and close it through ``POST /cases/{case_id}/transitions``."""
    return complaints.complaint_view(session, ctx, actor, case_id)


@router.post("/complaints/cases/{case_id}/referral")
def refer_complaint(
    case_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: Regulator
) -> dict[str, Any]:
    """ECS-5.2, ECS-4.3: refer the complaint to another regulator ``{"to", "reason",
    "expected_version"?}`` (provincial → national; national → a province)."""
    case = complaints.refer(session, ctx, actor, case_id, body)
    return {**case_summary(case), "referrals": case.data.get("referrals", [])}
