"""Self-service for CAs, changes to a licence (ECS-2.3, ECS-2.4): business-registration changes and modification applications."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from certgov.actors import Actor
from certgov.context import Context
from certgov.errors import CertgovError, InvalidInput
from certgov.http.deps import ContextDep
from certgov.i18n import N_, translate
from certgov.licensing import services as licensing
from certgov.store.engine import unit_of_work
from certgov.uploads import Checked, UploadRefused, store
from certgov.uploads.services import DOCUMENTS
from certgov.web.pages.common import FormActor, language_of, router
from certgov.web.pages.self_service import (
    read_files,
    upload_message,
)
from certgov.web.pages.self_service_licence import _licence_page, _own_ca


@router.post("/self/licence/registration-changes", response_class=HTMLResponse)
async def registration_change(request: Request, ctx: ContextDep, actor: FormActor) -> Response:
    """ECS-2.4: file a business-registration change, with the registration document."""
    values, checked, refused = await read_files(
        request, "document", ctx.settings.upload_max_bytes, DOCUMENTS
    )
    return await run_in_threadpool(_registration, request, ctx, actor, values, checked, refused)


def _registration(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    values: dict[str, str],
    checked: list[Checked],
    refused: list[UploadRefused],
) -> Response:
    party = _own_ca(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)

    def again(status: int, **shown: Any) -> Response:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _licence_page(request, session, ctx, party, status, form=values, **shown)

    if refused:
        return again(422, change_errors=[upload_message(e, lang) for e in refused])
    body: dict[str, Any] = {
        "item": values.get("item", ""),
        "changed_on": values.get("changed_on", ""),
        "new_value": values.get("new_value", ""),
    }
    if values.get("old_value", "").strip():
        body["old_value"] = values["old_value"].strip()
    if checked:
        body["document_sha256"] = checked[0].sha256
    try:
        with unit_of_work(ctx.sessions) as session:
            recorded = licensing.record_registration_change(
                session, ctx, party, party.party_id or 0, body
            )
            for item in checked:
                store(
                    session,
                    ctx.settings,
                    ctx.clock,
                    party,
                    item,
                    purpose="registration-change",
                    party_id=party.party_id,
                )
            late = recorded.finding_key is not None
    except CertgovError as error:
        field = str((error.details or {}).get("field", ""))
        message = {
            "changed_on": N_("Give the day the change was registered; it cannot be in the future."),
            "new_value": N_("Give the new registered value."),
            "item": N_("Choose what changed."),
        }.get(field, N_("Give what changed, the day it was registered and the new value."))
        return again(422, change_errors=[translate(lang, message)])
    return RedirectResponse(
        "/self/licence?filed=" + ("late" if late else "on_time") + "#changes", status_code=303
    )


@router.post("/self/licence/modifications", response_class=HTMLResponse)
async def modification(request: Request, ctx: ContextDep, actor: FormActor) -> Response:
    """ECS-2.4: apply for a modification of the licence (organisation, systems, capacity)."""
    form = await request.form()
    kinds = [str(k) for k in form.getlist("kinds") if isinstance(k, str)]
    description = str(form.get("description") or "")
    return await run_in_threadpool(_modify, request, ctx, actor, kinds, description)


def _modify(
    request: Request, ctx: Context, actor: Actor | None, kinds: list[str], description: str
) -> Response:
    party = _own_ca(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    try:
        with unit_of_work(ctx.sessions) as session:
            licence = licensing.live_licence(session, party.party_id or 0)
            if licence is None:
                raise InvalidInput("no licence", details={"field": "licence"})
            case = licensing.open_modification(
                session,
                ctx,
                party,
                licence.number,
                {"kinds": kinds, "description": description},
            )
            case_id = case.id
    except CertgovError as error:
        field = str((error.details or {}).get("field", ""))
        message = {
            "kinds": N_("Choose what changes."),
            "description": N_("Say what changes and when."),
            "licence": N_("Only a valid or suspended licence can be modified."),
        }.get(field, N_("The modification could not be applied for."))
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _licence_page(
                request,
                session,
                ctx,
                party,
                422,
                form={"kinds": kinds, "description": description},
                modification_errors=[translate(lang, message)],
            )
    return RedirectResponse(f"/self/licence/{case_id}", status_code=303)
