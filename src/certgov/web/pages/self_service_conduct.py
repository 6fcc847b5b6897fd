"""The CA's conduct pages (ECS-3.1–3.3, ECS-4.1, ECS-4.4): versions of its certification
practice statement (CPS) by upload; the functions it outsources (a critical one is a finding);
the provinces where it operates and its service outlets (a province without an outlet is a
finding); operating statistics per quarter; significant operational changes with their
reporting deadline."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from certgov import jurisdictions
from certgov.actors import Actor, Role
from certgov.conduct import services as conduct
from certgov.context import Context
from certgov.errors import CertgovError, Conflict
from certgov.http.deps import ContextDep, SessionDep
from certgov.http.params import PathId
from certgov.i18n import N_, translate
from certgov.rulebook.services import in_force
from certgov.rules.model import Regime
from certgov.store.engine import unit_of_work
from certgov.uploads import Checked, UploadRefused, store
from certgov.uploads.services import DOCUMENTS
from certgov.web.pages.common import FormActor, PageActor, language_of, router
from certgov.web.pages.self_service import (
    _guarded,
    page,
    party_of,
    read_files,
    size_words,
    today,
    upload_message,
)

#: The rule sets' critical functions and operational-change kinds in words.
FUNCTIONS = {
    "key management": N_("Key management"),
    "certificate issuance": N_("Certificate issuance"),
    "identity vetting decision": N_("Identity vetting decision"),
    "revocation": N_("Revocation"),
}
CHANGE_KINDS = {
    "CA key generation or rollover": N_("CA key generation or rollover"),
    "certification system migration or relocation": N_(
        "Certification system migration or relocation"
    ),
    "change of data centre or key management site": N_(
        "Change of data centre or key management site"
    ),
    "change of key personnel": N_("Change of key personnel"),
    "change of electronic certification business rules or CPS": N_(
        "Change of electronic certification business rules or CPS"
    ),
    "suspension or significant reduction of service": N_(
        "Suspension or significant reduction of service"
    ),
    "change of cryptographic products or algorithms": N_(
        "Change of cryptographic products or algorithms"
    ),
}
#: A rule set's duration in words.
DURATIONS = {
    "calendar days": N_("{n} calendar days"),
    "business days": N_("{n} business days"),
    "hours": N_("{n} hours"),
    "months": N_("{n} months"),
    "years": N_("{n} years"),
}
#: Blank rows of the outsourcing form beyond those already declared.
SPARE_ROWS = 3


def _ca(actor: Actor | None) -> Actor | None:
    party = party_of(actor)
    return party if party is not None and party.role is Role.CA_OPERATOR else None


def _ca_page(
    request: Request,
    session: Session,
    ctx: Context,
    actor: Actor | None,
    view: Any,
) -> Response:
    def shown(a: Actor) -> Response:
        if a.role is not Role.CA_OPERATOR:
            return RedirectResponse("/self", status_code=303)
        result: Response = view(request, session, ctx, a)
        return result

    return _guarded(request, session, actor, shown)


def _again(
    request: Request, ctx: Context, actor: Actor, view: Any, status: int, **values: Any
) -> Response:
    with unit_of_work(ctx.sessions, readonly=True) as session:
        result: Response = view(request, session, ctx, actor, status, **values)
        return result


# --- practice statements (ECS-3.1) -----------------------------------------------------------


def _cps_page(
    request: Request, session: Session, ctx: Context, actor: Actor, status: int = 200, **values: Any
) -> Response:
    values.setdefault("form", {})
    rows = conduct.practice_statements(session, actor.party_id or 0)
    return page(
        request,
        session,
        "self/cps.html",
        actor,
        status,
        statements=rows,
        in_effect=conduct.statement_in_effect(rows, today(ctx)),
        max_size=size_words(ctx.settings.upload_max_bytes, language_of(request)),
        today=today(ctx),
        **values,
    )


@router.get("/self/cps", response_class=HTMLResponse)
def cps_page(request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor) -> Response:
    """ECS-3.1: the CPS versions filed, the one in effect, and the form for a new version."""
    return _ca_page(request, session, ctx, actor, _cps_page)


@router.post("/self/cps", response_class=HTMLResponse)
async def cps_file(request: Request, ctx: ContextDep, actor: FormActor) -> Response:
    values, checked, refused = await read_files(
        request, "document", ctx.settings.upload_max_bytes, DOCUMENTS
    )
    return await run_in_threadpool(_cps_file, request, ctx, actor, values, checked, refused)


def _cps_file(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    values: dict[str, str],
    checked: list[Checked],
    refused: list[UploadRefused],
) -> Response:
    party = _ca(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    if refused:
        return _again(
            request, ctx, party, _cps_page, 422, form=values,
            errors=[upload_message(e, lang) for e in refused],
        )  # fmt: skip
    if not checked:
        return _again(
            request, ctx, party, _cps_page, 422, form=values,
            error=translate(lang, "Choose the statement's file (PDF)."),
        )  # fmt: skip
    document = checked[0]
    body: dict[str, Any] = {
        "label": values.get("label", "").strip(),
        "effective_on": values.get("effective_on", ""),
        "sha256": document.sha256,
        "size": document.size,
        "title": values.get("title", "").strip() or None,
    }
    if values.get("url", "").strip():
        body["url"] = values["url"].strip()
    try:
        with unit_of_work(ctx.sessions) as session:
            conduct.file_practice_statement(session, ctx, party, party.party_id or 0, body)
            store(
                session,
                ctx.settings,
                ctx.clock,
                party,
                document,
                purpose="practice-statement",
                party_id=party.party_id,
            )
    except CertgovError as error:
        field = str((error.details or {}).get("field", ""))
        if isinstance(error, Conflict):
            message = N_("This file is the same as the latest version: nothing changed.")
        else:
            message = {
                "label": N_("Give the version label printed on the statement."),
                "effective_on": N_(
                    "Give the day this version takes effect; it cannot be before the latest "
                    "version's."
                ),
                "url": N_("Give the address where the statement is published (https://…)."),
            }.get(field, N_("Give the version's label and the day it takes effect."))
        return _again(
            request, ctx, party, _cps_page, 422, form=values, error=translate(lang, message)
        )
    return RedirectResponse("/self/cps", status_code=303)


# --- outsourcing (ECS-3.2) -------------------------------------------------------------------


def _outsourcing_page(
    request: Request, session: Session, ctx: Context, actor: Actor, status: int = 200, **values: Any
) -> Response:
    declarations = conduct.outsourcing_declarations(session, actor.party_id or 0)
    latest = declarations[-1] if declarations else None
    if "rows" not in values:
        current = list(latest.functions) if latest else []
        values["rows"] = [
            {
                "function": translate(language_of(request), FUNCTIONS[f["function"]])
                if f["function"] in FUNCTIONS
                else f["function"],
                "provider": f["provider"],
            }
            for f in current
        ] + [{"function": "", "provider": ""}] * SPARE_ROWS
    rule_set = in_force(session, ctx.rule_sets, Regime.ECS, today(ctx))
    return page(
        request,
        session,
        "self/outsourcing.html",
        actor,
        status,
        latest=latest,
        critical=[FUNCTIONS.get(f, f) for f in rule_set.items("critical_outsourced_functions")],
        function_words=FUNCTIONS,
        **values,
    )


@router.get("/self/outsourcing", response_class=HTMLResponse)
def outsourcing_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """ECS-3.2: what the CA outsources, to whom; a critical function is a finding."""
    return _ca_page(request, session, ctx, actor, _outsourcing_page)


@router.post("/self/outsourcing", response_class=HTMLResponse)
async def outsourcing_declare(request: Request, ctx: ContextDep, actor: FormActor) -> Response:
    form = await request.form()
    functions = [str(v) for v in form.getlist("function")]
    providers = [str(v) for v in form.getlist("provider")]
    nothing = bool(form.get("nothing"))
    return await run_in_threadpool(
        _declare, request, ctx, actor, list(zip(functions, providers, strict=False)), nothing
    )


def _declare(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    pairs: list[tuple[str, str]],
    nothing: bool,
) -> Response:
    party = _ca(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    # A function chosen from the suggestions, in the reader's words, is the rule set's own.
    known = {translate(lang, words): key for key, words in FUNCTIONS.items()}
    rows = [(f.strip(), p.strip()) for f, p in pairs if f.strip() or p.strip()]
    rows = [(known.get(f, f), p) for f, p in rows]
    shown = [{"function": f, "provider": p} for f, p in pairs if f.strip() or p.strip()] + [
        {"function": "", "provider": ""}
    ] * SPARE_ROWS
    problem = None
    if any(not f or not p for f, p in rows):
        problem = N_("Give both the function and the provider on each line.")
    elif not rows and not nothing:
        problem = N_("Give at least one outsourced function, or tick that you outsource nothing.")
    elif rows and nothing:
        problem = N_("You ticked that you outsource nothing but listed functions: choose one.")
    if problem:
        return _again(
            request, ctx, party, _outsourcing_page, 422, rows=shown, error=translate(lang, problem)
        )
    body = {"functions": [{"function": f, "provider": p} for f, p in rows]}
    try:
        with unit_of_work(ctx.sessions) as session:
            conduct.declare_outsourcing(session, ctx, party, party.party_id or 0, body)
    except CertgovError:
        return _again(
            request,
            ctx,
            party,
            _outsourcing_page,
            422,
            rows=shown,
            error=translate(lang, "Each function and provider may have at most 200 characters."),
        )
    return RedirectResponse("/self/outsourcing", status_code=303)


# --- operating provinces and outlets (ECS-3.3) -------------------------------------------------


def _outlets_page(
    request: Request, session: Session, ctx: Context, actor: Actor, status: int = 200, **values: Any
) -> Response:
    party_id = actor.party_id or 0
    provinces = conduct.operating_provinces(session, party_id)
    rows = conduct.outlets(session, party_id)
    open_in = {o.jurisdiction for o in rows if o.closed_on is None}
    values.setdefault("form", {})
    return page(
        request,
        session,
        "self/outlets.html",
        actor,
        status,
        all_provinces=sorted(jurisdictions.province_codes()),
        provinces=provinces,
        lacking=[p for p in provinces if p not in open_in],
        outlets=rows,
        today=today(ctx),
        **values,
    )


@router.get("/self/outlets", response_class=HTMLResponse)
def outlets_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """ECS-3.3: the provinces where the CA operates and its outlets in each."""
    return _ca_page(request, session, ctx, actor, _outlets_page)


@router.post("/self/outlets/provinces", response_class=HTMLResponse)
async def provinces_set(request: Request, ctx: ContextDep, actor: FormActor) -> Response:
    form = await request.form()
    codes = [str(v) for v in form.getlist("provinces")]
    return await run_in_threadpool(_provinces, request, ctx, actor, codes)


def _provinces(request: Request, ctx: Context, actor: Actor | None, codes: list[str]) -> Response:
    party = _ca(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    try:
        with unit_of_work(ctx.sessions) as session:
            conduct.set_operating_provinces(
                session, ctx, party, party.party_id or 0, {"provinces": codes}
            )
    except CertgovError:
        return _again(
            request,
            ctx,
            party,
            _outlets_page,
            422,
            error=translate(language_of(request), "Choose provinces from the list."),
        )
    return RedirectResponse("/self/outlets", status_code=303)


@router.post("/self/outlets", response_class=HTMLResponse)
def outlet_open(
    request: Request,
    ctx: ContextDep,
    actor: FormActor,
    jurisdiction: Annotated[str, Form(max_length=6)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    address: Annotated[str, Form(max_length=10_000)] = "",
    opened_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    party = _ca(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    form = {"jurisdiction": jurisdiction, "name": name, "address": address, "opened_on": opened_on}
    problem = None
    if not name.strip() or not address.strip():
        problem = N_("Give the outlet's name and address.")
    else:
        try:
            opened = dt.date.fromisoformat(opened_on) if opened_on else today(ctx)
        except ValueError:
            opened = None
        if opened is None or opened > today(ctx):
            problem = N_("Give the day the outlet opened; it cannot be in the future.")
    if problem is None:
        try:
            with unit_of_work(ctx.sessions) as session:
                conduct.open_outlet(
                    session,
                    ctx,
                    party,
                    party.party_id or 0,
                    {
                        "jurisdiction": jurisdiction,
                        "name": name.strip(),
                        "address": address.strip(),
                        "opened_on": opened_on or None,
                    },
                )
        except CertgovError:
            problem = N_("Choose the province from the list.")
    if problem:
        return _again(
            request, ctx, party, _outlets_page, 422, form=form, error=translate(lang, problem)
        )
    return RedirectResponse("/self/outlets", status_code=303)


@router.post("/self/outlets/{outlet_id}/closure", response_class=HTMLResponse)
def outlet_close(
    request: Request, outlet_id: PathId, ctx: ContextDep, actor: FormActor
) -> Response:
    party = _ca(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    try:
        with unit_of_work(ctx.sessions) as session:
            conduct.close_outlet(session, ctx, party, party.party_id or 0, outlet_id)
    except CertgovError:
        return _again(
            request,
            ctx,
            party,
            _outlets_page,
            409,
            error=translate(language_of(request), "This outlet is already closed or not yours."),
        )
    return RedirectResponse("/self/outlets", status_code=303)


# --- operating statistics (ECS-4.1) ----------------------------------------------------------


# --- significant operational changes (ECS-4.4) -------------------------------------------------
