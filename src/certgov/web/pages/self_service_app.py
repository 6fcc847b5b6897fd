"""The app operator's self-service pages (APP-1, APP-3, APP-5, APP-6): applications per app
and operating system with their documents (type and size checked, SHA-256 shown), the sample
upload that starts the analysis, deficiency remedies with evidence, the decision and its
receipt date, and a complaint against a decision within the business-day limit."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import escape
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as StarletteUpload

from certgov.actors import Actor, Role
from certgov.appcert import analysis, applications, technical_verification
from certgov.appcert import schemas as appschemas
from certgov.appcert.base import rules_on
from certgov.context import Context
from certgov.errors import CertgovError
from certgov.http.deps import ContextDep, SessionDep
from certgov.http.params import PathId
from certgov.i18n import N_, translate
from certgov.rules.model import DurationUnit
from certgov.store.engine import unit_of_work
from certgov.uploads import Checked, UploadRefused, check, store
from certgov.uploads.services import DOCUMENTS, SAMPLES
from certgov.web.pages.common import FormActor, PageActor, language_of, page_error, router
from certgov.web.pages.self_service import (
    _guarded,
    deadline_rows,
    or_not_found,
    page,
    party_of,
    size_words,
    state_title,
    today,
    upload_message,
)

#: The required documents in words (the rule set's items).
DOCUMENT_KINDS = {
    "application form": N_("Application form"),
    "legal-person proof": N_("Proof of legal personality"),
    "version-control statement": N_("Version-control statement"),
    "GB/T 35273 self-evaluation": N_("GB/T 35273 self-evaluation"),
    "channel-difference statement": N_("Statement of differences between distribution channels"),
}
DECISIONS = {
    "granted": N_("Granted"),
    "denied": N_("Denied"),
    "not_accepted": N_("Not accepted"),
    "refused_ineligible": N_("Refused: not eligible"),
}
DEFICIENCY_STATUS = {
    "open": N_("Open: remedy it by the day shown"),
    "remedy_submitted": N_("Remedy submitted, awaiting review"),
    "remedied": N_("Remedied"),
    "refused": N_("Remedy refused"),
}


def _own_or_none(actor: Actor | None) -> Actor | None:
    party = party_of(actor)
    return party if party is not None and party.role is Role.APP_OPERATOR else None


def _apps_page(
    request: Request, session: Session, ctx: Context, actor: Actor, status: int = 200, **values: Any
) -> Response:
    units = applications.list_units(session, ctx, actor, limit=200)
    rule_set = rules_on(session, ctx, today(ctx))
    values.setdefault("form", {})
    return page(
        request,
        session,
        "self/apps.html",
        actor,
        status,
        units=[(u, state_title(ctx, u.case)) for u in units],
        systems=rule_set.items("supported_operating_systems"),
        kinds=[
            (i, k, DOCUMENT_KINDS.get(k, k))
            for i, k in enumerate(rule_set.items("required_documents"))
        ],
        max_size=size_words(ctx.settings.upload_max_bytes, language_of(request)),
        **values,
    )


@router.get("/self/apps", response_class=HTMLResponse)
def apps_page(request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor) -> Response:
    return _guarded(request, session, actor, lambda a: _apps_page(request, session, ctx, a))


@router.post("/self/apps", response_class=HTMLResponse)
async def apps_submit(request: Request, ctx: ContextDep, actor: FormActor) -> Response:
    """APP-1: apply for one app on the chosen systems, with every required document."""
    form = await request.form()
    systems = [str(s) for s in form.getlist("operating_systems") if isinstance(s, str)]
    values = {k: str(form.get(k) or "") for k in ("app_name", "version_line")}
    files: list[tuple[int, str, bytes]] = []
    for key, item in form.multi_items():
        if (
            key.startswith("doc_")
            and isinstance(item, StarletteUpload)
            and key[4:].isdigit()
            and (item.filename or item.size)
        ):
            content = await item.read(ctx.settings.upload_max_bytes + 1)
            files.append((int(key[4:]), item.filename or "upload", content))
    return await run_in_threadpool(_apply, request, ctx, actor, values, systems, files)


def _apply(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    values: dict[str, str],
    systems: list[str],
    files: list[tuple[int, str, bytes]],
) -> Response:
    party = _own_or_none(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    errors: list[str] = []
    with unit_of_work(ctx.sessions, readonly=True) as session:
        kinds = rules_on(session, ctx, today(ctx)).items("required_documents")
    documents: list[tuple[str, Checked]] = []
    for index, filename, data in files:
        if index >= len(kinds):
            continue
        try:
            documents.append(
                (kinds[index], check(data, filename, DOCUMENTS, ctx.settings.upload_max_bytes))
            )
        except UploadRefused as error:
            errors.append(upload_message(error, lang))
    present = {k for k, _ in documents}
    for kind in kinds:
        if kind not in present:
            errors.append(
                translate(lang, "Attach the document: {kind}.").format(
                    kind=translate(lang, DOCUMENT_KINDS.get(kind, kind))
                )
            )
    if not values["app_name"].strip() or not values["version_line"].strip():
        errors.append(translate(lang, "Give the app's name and its version line."))
    if not systems:
        errors.append(translate(lang, "Choose at least one operating system."))
    form = {**values, "operating_systems": systems}
    if errors:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _apps_page(request, session, ctx, party, 422, errors=errors, form=form)
    body = {
        "app_name": values["app_name"].strip(),
        "version_line": values["version_line"].strip(),
        "operating_systems": systems,
        "documents": [
            {
                "kind": kind,
                "filename": item.filename,
                "content_base64": base64.b64encode(item.data).decode("ascii"),
            }
            for kind, item in documents
        ],
    }
    try:
        with unit_of_work(ctx.sessions) as session:
            units = applications.submit(session, ctx, party, body)
            for _kind, item in documents:
                store(
                    session,
                    ctx.settings,
                    ctx.clock,
                    party,
                    item,
                    purpose="app-document",
                    party_id=party.party_id,
                )
            first = units[0].case.id
    except CertgovError as error:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _apps_page(
                request, session, ctx, party, 422, errors=[_refusal(error, lang)], form=form
            )
    return RedirectResponse(f"/self/apps/{first}", status_code=303)


def _refusal(error: CertgovError, lang: str) -> str:
    if error.code == "conflict":
        return translate(
            lang,
            "An application for this app, system and version line is already open or certified.",
        )
    return escape(translate(lang, "The application could not be accepted: {reason}")).format(
        reason=page_error(lang, error)
    )


def complaint_last_day(session: Session, ctx: Context, received_on: str | None) -> dt.date | None:
    """APP-6: the last business day a complaint may be filed (the window counts from the day
    the decision was received; that day itself is not counted)."""
    if not received_on:
        return None
    received = dt.date.fromisoformat(received_on)
    period = rules_on(session, ctx, received).duration("complaint_filing_window")
    if period.unit is DurationUnit.BUSINESS_DAYS:
        return ctx.calendar.add_business_days(received, period.amount).due
    return ctx.calendar.add_calendar_days(received, period.amount).due


def _app_page(
    request: Request,
    session: Session,
    ctx: Context,
    actor: Actor,
    case_id: int,
    status: int = 200,
    **values: Any,
) -> Response:
    view = appschemas.application_view(session, ctx, actor, case_id)
    case, _app = applications.application_case(session, ctx, actor, case_id)
    decision = view.get("decision")
    last_day = complaint_last_day(session, ctx, decision and decision.get("received_on"))
    may_complain = bool(
        decision
        and decision["outcome"] in applications.ADVERSE
        and last_day is not None
        and today(ctx) <= last_day
        and not any(c["state"] not in ("closed",) for c in view["complaints"])
    )
    return page(
        request,
        session,
        "self/app.html",
        actor,
        status,
        view=view,
        case=case,
        state=state_title(ctx, case),
        deadlines=deadline_rows(session, ctx, case),
        may_upload_sample=case.state in analysis.SAMPLE_STATES,
        last_day=last_day,
        may_complain=may_complain,
        today=today(ctx),
        document_kinds=DOCUMENT_KINDS,
        decisions=DECISIONS,
        deficiency_status=DEFICIENCY_STATUS,
        **values,
    )


@router.get("/self/apps/{case_id}", response_class=HTMLResponse)
def app_page(
    request: Request, case_id: PathId, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    def view(a: Actor) -> Response:
        return or_not_found(
            request, session, a, lambda: _app_page(request, session, ctx, a, case_id)
        )

    return _guarded(request, session, actor, view)


def _after(
    request: Request, ctx: Context, party: Actor, case_id: int, message: str, status: int = 422
) -> Response:
    with unit_of_work(ctx.sessions, readonly=True) as session:
        return or_not_found(
            request,
            session,
            party,
            lambda: _app_page(request, session, ctx, party, case_id, status, error=message),
        )


@router.post("/self/apps/{case_id}/sample", response_class=HTMLResponse)
async def sample_upload(
    request: Request, case_id: PathId, ctx: ContextDep, actor: FormActor
) -> Response:
    """APP-3: the APK sample; checked by content and size, its analysis queued."""
    form = await request.form()
    item = form.get("sample")
    version = str(form.get("version") or "").strip() or None
    data, filename = b"", ""
    if isinstance(item, StarletteUpload):
        filename = item.filename or "sample.apk"
        data = await item.read(ctx.settings.upload_sample_max_bytes + 1)
    return await run_in_threadpool(_sample, request, ctx, actor, case_id, data, filename, version)


def _sample(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    case_id: int,
    data: bytes,
    filename: str,
    version: str | None,
) -> Response:
    party = _own_or_none(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    try:
        checked = check(
            data, filename or "sample.apk", SAMPLES, ctx.settings.upload_sample_max_bytes
        )
    except UploadRefused as error:
        return _after(request, ctx, party, case_id, upload_message(error, lang))
    try:
        with unit_of_work(ctx.sessions) as session:
            analysis.upload_sample(
                session,
                ctx,
                party,
                case_id,
                checked.data,
                analysis.SampleUpload(checked.filename, version),
            )
            store(
                session,
                ctx.settings,
                ctx.clock,
                party,
                checked,
                purpose="app-sample",
                party_id=party.party_id,
            )
    except CertgovError as error:
        return _after(
            request,
            ctx,
            party,
            case_id,
            escape(translate(lang, "The sample was not accepted: {reason}")).format(
                reason=page_error(language_of(request), error)
            ),
        )
    return RedirectResponse(f"/self/apps/{case_id}", status_code=303)


@router.post("/self/apps/{case_id}/remedies", response_class=HTMLResponse)
async def remedy_submit(
    request: Request, case_id: PathId, ctx: ContextDep, actor: FormActor
) -> Response:
    """APP-3 / APP-4: a deficiency's remedy with its evidence file."""
    form = await request.form()
    item = form.get("evidence")
    data, filename = b"", ""
    if isinstance(item, StarletteUpload) and (item.filename or item.size):
        filename = item.filename or "evidence"
        data = await item.read(ctx.settings.upload_max_bytes + 1)
    values = {k: str(form.get(k) or "") for k in ("deficiency_id", "statement")}
    return await run_in_threadpool(_remedy, request, ctx, actor, case_id, values, data, filename)


def _remedy(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    case_id: int,
    values: dict[str, str],
    data: bytes,
    filename: str,
) -> Response:
    party = _own_or_none(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    if not values["statement"].strip() or not values["deficiency_id"].isdigit():
        return _after(
            request,
            ctx,
            party,
            case_id,
            translate(lang, "Say what was changed to remedy the deficiency."),
        )
    checked = None
    if filename:
        try:
            checked = check(data, filename, DOCUMENTS, ctx.settings.upload_max_bytes)
        except UploadRefused as error:
            return _after(request, ctx, party, case_id, upload_message(error, lang))
    body: dict[str, Any] = {
        "deficiency_id": int(values["deficiency_id"]),
        "statement": values["statement"].strip(),
    }
    if checked is not None:
        body["evidence_sha256"] = checked.sha256
    try:
        with unit_of_work(ctx.sessions) as session:
            technical_verification.submit_remedy(session, ctx, party, case_id, body)
            if checked is not None:
                store(
                    session,
                    ctx.settings,
                    ctx.clock,
                    party,
                    checked,
                    purpose="remedy-evidence",
                    party_id=party.party_id,
                )
    except CertgovError as error:
        return _after(
            request,
            ctx,
            party,
            case_id,
            escape(translate(lang, "The remedy was not accepted: {reason}")).format(
                reason=page_error(language_of(request), error)
            ),
        )
    return RedirectResponse(f"/self/apps/{case_id}", status_code=303)


@router.post("/self/apps/{case_id}/receipt", response_class=HTMLResponse)
def receipt_submit(
    request: Request,
    case_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    received_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """APP-5 / APP-6: the day the decision was received."""
    party = _own_or_none(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    try:
        with unit_of_work(ctx.sessions) as session:
            applications.record_receipt(session, ctx, party, case_id, {"received_on": received_on})
    except CertgovError:
        return _after(
            request,
            ctx,
            party,
            case_id,
            translate(
                language_of(request),
                "Give the day the decision was received: from the day of the decision to today.",
            ),
        )
    return RedirectResponse(f"/self/apps/{case_id}", status_code=303)


@router.post("/self/apps/{case_id}/complaint", response_class=HTMLResponse)
def complaint_submit(
    request: Request,
    case_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    grounds: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """APP-6: a complaint against the decision, within the business-day limit."""
    party = _own_or_none(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    if not grounds.strip():
        return _after(
            request, ctx, party, case_id, translate(lang, "Give the grounds of the complaint.")
        )
    try:
        with unit_of_work(ctx.sessions) as session:
            applications.file_complaint(
                session, ctx, party, {"application_case_id": case_id, "grounds": grounds}
            )
    except CertgovError as error:
        return _after(
            request,
            ctx,
            party,
            case_id,
            escape(translate(lang, "The complaint was not accepted: {reason}")).format(
                reason=page_error(language_of(request), error)
            ),
        )
    return RedirectResponse(f"/self/apps/{case_id}?complained=1", status_code=303)
