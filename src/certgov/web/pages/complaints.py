"""The public complaint form and the tracking page (ECS-5.1)."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as StarletteUpload

from certgov.actors import Actor
from certgov.complaints import services as complaints
from certgov.context import Context
from certgov.errors import CertgovError
from certgov.http.deps import ContextDep, SessionDep
from certgov.http.limits import complaint_limiter
from certgov.parties.models import Party, PartyKind
from certgov.store.engine import unit_of_work
from certgov.web.pages.common import PageActor, language_of, page_actor, page_error, render, router


def _complaint_form(
    request: Request, session: Session, actor: Actor | None, status: int = 200, **values: Any
) -> HTMLResponse:
    providers = [
        (party.id, party.name, party.name_en)
        for party in session.scalars(
            select(Party).where(Party.kind == PartyKind.CA).order_by(Party.name)
        )
    ]
    values.setdefault("form", {})
    return render(request, "complaint.html", status, actor=actor, providers=providers, **values)


@router.get("/complaints", response_class=HTMLResponse)
def complaint_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    """ECS-5.1: the public complaint form (no login)."""
    return _complaint_form(request, session, actor)


@router.post("/complaints", response_class=HTMLResponse)
async def complaint_submit(request: Request, ctx: ContextDep) -> Response:
    """ECS-5.1: file the form's complaint through the same use case as the API, rate-limited
    like it; refusals re-render the form with the reason and the text typed."""
    form = await request.form()
    values = {key: str(form.get(key) or "").strip() for key in FORM_FIELDS}
    body: dict[str, Any] = {"subject": values["subject"], "description": values["description"]}
    if values["ca_party_id"].isdigit():
        body["ca_party_id"] = int(values["ca_party_id"])
    if values["ca_name"]:
        body["ca_name"] = values["ca_name"]
    if values["name"]:
        body["complainant"] = {"name": values["name"]}
        if values["contact"]:
            body["complainant"]["contact"] = values["contact"]
    upload = form.get("evidence")
    if isinstance(upload, StarletteUpload) and upload.filename:
        content = await upload.read(ctx.settings.complaint_evidence_max_bytes + 1)
        body["evidence"] = [
            {
                "filename": upload.filename,
                "content_base64": base64.b64encode(content).decode("ascii"),
                "media_type": upload.content_type or "application/octet-stream",
            }
        ]
    return await run_in_threadpool(_file_from_form, request, ctx, body, values)


FORM_FIELDS = ("ca_party_id", "ca_name", "subject", "description", "name", "contact")


def _file_from_form(
    request: Request, ctx: Context, body: dict[str, Any], values: dict[str, str]
) -> Response:
    limiter = complaint_limiter(request, ctx)
    client = request.client.host if request.client else "unknown"
    with unit_of_work(ctx.sessions, readonly=True) as session:
        actor = page_actor(request, session, ctx)
        if not limiter.allow(client):
            return _complaint_form(
                request,
                session,
                actor,
                429,
                error=f"at most {limiter.limit} complaints in {int(limiter.window)} seconds",
                form=values,
            )
    try:
        with unit_of_work(ctx.sessions) as session:
            filed = complaints.file_complaint(session, ctx, body)
            code = filed.tracking_code
            found = complaints.public_status(session, code)
    except CertgovError as exc:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _complaint_form(
                request,
                session,
                actor,
                422,
                error=page_error(language_of(request), exc),
                form=values,
            )
    return render(request, "complaint_status.html", 201, actor=actor, code=code, complaint=found)


@router.get("/complaints/status", response_class=HTMLResponse)
def complaint_status_page(
    request: Request, session: SessionDep, actor: PageActor, code: str = ""
) -> Response:
    """ECS-5.1: a complaint's public status by its tracking code."""
    code = code.strip()[:100]
    if not code:
        return render(request, "complaint_status.html", actor=actor, code=None, complaint=None)
    try:
        found = complaints.public_status(session, code)
    except CertgovError as exc:
        return render(
            request,
            "complaint_status.html",
            404,
            actor=actor,
            code=None,
            complaint=None,
            error=page_error(language_of(request), exc),
        )
    return render(request, "complaint_status.html", actor=actor, code=None, complaint=found)
