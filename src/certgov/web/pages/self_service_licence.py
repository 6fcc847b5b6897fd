"""The CA's licence pages (ECS-2.1–2.4): the licence application as a guided form with the
readiness check item by item before submission (under the rule set in force or a draft) and
document uploads; the application's progress with the documents the regulator requested (their
supply restarts the stopped decision clock); business-registration change filings; licence
modification applications."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.clock import CHINA_TZ, china_date
from certgov.context import Context
from certgov.ecs import evaluate, parse_application
from certgov.errors import CertgovError, InvalidInput
from certgov.http.deps import ContextDep, SessionDep
from certgov.http.params import PathId
from certgov.i18n import N_, translate
from certgov.licensing import services as licensing
from certgov.licensing.services.common import ecs_rules
from certgov.parties.models import Party
from certgov.rulebook import services as rulebook
from certgov.rules.model import Regime, RuleSet
from certgov.store.engine import unit_of_work
from certgov.uploads import Checked, UploadRefused, store
from certgov.uploads.services import DOCUMENTS
from certgov.web.pages.common import FormActor, PageActor, language_of, router
from certgov.web.pages.self_service import (
    _guarded,
    deadline_rows,
    or_not_found,
    page,
    party_of,
    read_files,
    size_words,
    state_title,
    today,
    upload_message,
)

#: The application's items in words (``certgov.ecs.requirements``).
ITEMS = {
    "registered_capital": N_("Registered capital"),
    "technical_staff": N_("Staff"),
    "legal_person": N_("Independent legal person"),
    "uscc": N_("Unified social credit code"),
    "premises": N_("Fixed premises"),
    "physical_environment": N_("Physical environment fit for secure operation"),
    "equipment": N_("Equipment meeting national security standards"),
    "cryptography": N_("Approval to use commercial cryptography"),
}
OTHER_ITEM = N_("A condition a reviewer judges")

#: What each status means for the applicant.
ITEM_ADVICE = {
    "met": N_("Met: nothing more to do."),
    "not_met": N_("Not met: the application would be refused on this item unless you change it."),
    "needs_review": N_("Claimed with evidence: a reviewer confirms it during the review."),
}

#: The documents asked for with the application, by kind.
DOCUMENT_KINDS = {
    "business_licence": N_("Business licence"),
    "security_assessment": N_("Security assessment report of the physical environment"),
    "cryptography_approval": N_("Approval to use commercial cryptography"),
    "other": N_("Other supporting documents"),
}

#: Form fields and the application's JSON paths they fill.
FIELD_OF_PATH = {
    "legal_person.name": "legal_name",
    "legal_person.uscc": "uscc",
    "registered_capital_yuan": "registered_capital",
    "technical_staff": "technical_staff",
    "service_staff": "service_staff",
    "premises.description": "premises_description",
    "cryptography.approval_number": "approval_number",
}

#: Why a field is refused, in words.
FIELD_MESSAGES = {
    "legal_name": N_("Give the legal person's name as registered."),
    "uscc": N_("Give your unified social credit code (18 characters) as on your business licence."),
    "registered_capital": N_("Give the registered capital in whole yuan, digits only."),
    "technical_staff": N_("Give the number of technical staff as a whole number (0 or more)."),
    "service_staff": N_(
        "Give the number of service staff as a whole number, at least the technical staff, "
        "or leave it empty."
    ),
    "premises_description": N_("Say where your premises are."),
    "approval_number": N_("Give the approval number."),
    "documents": N_("Each document must have a different file name."),
}

REGISTRATION_ITEMS = {
    "name": N_("Name"),
    "domicile": N_("Domicile"),
    "legal representative": N_("Legal representative"),
    "registered capital": N_("Registered capital"),
}
MODIFICATION_KINDS = {
    "organisational structure": N_("Organisational structure"),
    "technical systems": N_("Technical systems"),
    "service capacity": N_("Service capacity"),
}

#: The ECS rule sets by name (their titles in the files are English).
RULE_SET_NAMES = {
    "measures-2015": N_("Electronic Certification Service Management Measures (2015 amendment)"),
    "measures-2024-draft": N_(
        "Electronic Certification Service Management Measures, draft revision of 2024"
    ),
}

#: The processes of the licence pages.
LICENCE_PROCESSES = (licensing.PROCESS, licensing.MODIFICATION_PROCESS, licensing.RENEWAL_PROCESS)


def _own_ca(actor: Actor | None) -> Actor | None:
    party = party_of(actor)
    return party if party is not None and party.role is Role.CA_OPERATOR else None


def _ecs_rule_sets(ctx: Context) -> list[RuleSet]:
    return sorted((r for r in ctx.rule_sets.values() if r.regime is Regime.ECS), key=lambda r: r.id)


def _rule_set_name(rule_set: RuleSet, lang: str) -> Markup:
    words = RULE_SET_NAMES.get(rule_set.id)
    if words is not None:
        return Markup("{}").format(translate(lang, words))
    return Markup('<span class="data">{}</span>').format(rule_set.title)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _whole(text: str) -> int | None:
    """A whole number typed by a person (spaces, commas and full-width digits allowed)."""
    cleaned = text.strip().replace(",", "").replace("，", "").replace(" ", "")
    if not cleaned:
        return None
    cleaned = cleaned.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return int(cleaned) if cleaned.isdigit() else -1


def application_body(
    form: dict[str, str], documents: list[tuple[str, Checked]]
) -> tuple[dict[str, Any], list[str]]:
    """The application's JSON from the form's fields, and the fields that are not usable."""
    bad: list[str] = []
    capital = _whole(form.get("registered_capital", ""))
    technical = _whole(form.get("technical_staff", ""))
    service = _whole(form.get("service_staff", ""))
    if not form.get("legal_name", "").strip():
        bad.append("legal_name")
    if not form.get("uscc", "").strip():
        bad.append("uscc")
    if capital is None or capital < 0:
        bad.append("registered_capital")
    if technical is None or technical < 0:
        bad.append("technical_staff")
    if service is not None and (service < 0 or (technical is not None and service < technical)):
        bad.append("service_staff")
    body: dict[str, Any] = {
        "legal_person": {
            "name": form.get("legal_name", "").strip(),
            "uscc": form.get("uscc", "").strip().upper(),
            "independent_legal_person": bool(form.get("independent")),
        },
        "registered_capital_yuan": max(capital or 0, 0),
        "technical_staff": max(technical or 0, 0),
        "premises": {
            "fixed_premises": bool(form.get("fixed_premises")),
            "description": form.get("premises_description", "").strip() or None,
        },
        "physical_environment": {
            "fit_for_secure_operation": bool(form.get("environment")),
            "evidence": _lines(form.get("environment_evidence", "")),
        },
        "equipment": {
            "meets_national_security_standards": bool(form.get("equipment")),
            "certificates": _lines(form.get("equipment_certificates", "")),
        },
        "cryptography": {
            "approved": bool(form.get("cryptography")),
            "approval_number": form.get("approval_number", "").strip() or None,
        },
        "documents": [
            {"kind": kind, "filename": c.filename, "sha256": c.sha256, "size": c.size}
            for kind, c in documents
        ],
    }
    if service is not None and service >= 0:
        body["service_staff"] = service
    return body, bad


def field_error(field: str, lang: str) -> Markup:
    """A message of the error summary, linking to its field."""
    words = translate(lang, FIELD_MESSAGES.get(field, FIELD_MESSAGES["legal_name"]))
    return Markup('<a href="#{}">{}</a>').format(field, words)


def _field_of(error: InvalidInput) -> str:
    path = str((error.details or {}).get("field") or (error.details or {}).get("path") or "")
    if path.startswith("documents"):
        return "documents"
    return FIELD_OF_PATH.get(path, "uscc" if "uscc" in error.message else "legal_name")


def evaluation_rows(evaluation: dict[str, Any]) -> list[dict[str, Any]]:
    """The evaluation's items for the page: title and advice in words, the cited rule."""
    rows = []
    for item in evaluation.get("items", []):
        status = item.get("final_status") or item.get("status")
        rows.append(
            {
                "item": item["item"],
                "title": ITEMS.get(item["item"]),
                "raw_title": item.get("title", ""),
                "status": status,
                "advice": ITEM_ADVICE.get(str(status), ITEM_ADVICE["needs_review"]),
                "reason": item.get("reason", ""),
                "reason_text": item.get("reason_text"),
                "parameters": item.get("parameters", []),
                "review": item.get("review"),
            }
        )
    return rows


# --- the licence overview ----------------------------------------------------------------------


def _licence_page(
    request: Request, session: Session, ctx: Context, actor: Actor, status: int = 200, **values: Any
) -> Response:
    assert actor.party_id is not None
    licence = licensing.live_licence(session, actor.party_id)
    own = [
        (c, state_title(ctx, c), deadline_rows(session, ctx, c))
        for process in LICENCE_PROCESSES
        for c in cases.list_cases(session, ctx, actor, process_id=process, limit=50)
    ]
    own.sort(key=lambda row: -row[0].id)
    rule_set = ecs_rules(session, ctx, today(ctx))
    values.setdefault("form", {})
    return page(
        request,
        session,
        "self/licence.html",
        actor,
        status,
        licence=licence,
        applications=own,
        open_application=next(
            (c for c, _s, _d in own if c.process_id == licensing.PROCESS and not c.closed), None
        ),
        changes=[
            (c, c.filed_at is not None and c.filed_at.astimezone(CHINA_TZ).date() > c.due_on)
            for c in licensing.registration_changes(session, actor.party_id)
        ],
        registration_items=[
            (i, REGISTRATION_ITEMS.get(i, i)) for i in rule_set.items("registration_change_items")
        ],
        modification_kinds=[
            (k, MODIFICATION_KINDS.get(k, k)) for k in rule_set.items("modification_triggers")
        ],
        filing_days=rule_set.duration("registration_change_filing_period").amount,
        max_size=size_words(ctx.settings.upload_max_bytes, language_of(request)),
        today=today(ctx),
        **values,
    )


@router.get("/self/licence", response_class=HTMLResponse)
def licence_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """The CA's licence, its applications and where to start one."""
    return _guarded(
        request, session, actor, lambda a: _ca_only(request, session, ctx, a, _licence_page)
    )


def _ca_only(request: Request, session: Session, ctx: Context, actor: Actor, view: Any) -> Response:
    if actor.role is not Role.CA_OPERATOR:
        return RedirectResponse("/self", status_code=303)
    result: Response = view(request, session, ctx, actor)
    return result


# --- the application form ----------------------------------------------------------------------


def _apply_page(
    request: Request, session: Session, ctx: Context, actor: Actor, status: int = 200, **values: Any
) -> Response:
    party = session.get(Party, actor.party_id)
    in_force = ecs_rules(session, ctx, today(ctx))
    form = values.pop("form", None) or {
        "legal_name": party.name if party else "",
        "uscc": (party.uscc or "") if party else "",
        "independent": "on",
        "rule_set": in_force.id,
    }
    return page(
        request,
        session,
        "self/licence_apply.html",
        actor,
        status,
        form=form,
        in_force=in_force,
        rule_sets=_ecs_rule_sets(ctx),
        rule_set_name=lambda r: _rule_set_name(r, language_of(request)),
        live=licensing.live_licence(session, actor.party_id or 0),
        kinds=list(DOCUMENT_KINDS.items()),
        max_size=size_words(ctx.settings.upload_max_bytes, language_of(request)),
        **values,
    )


@router.get("/self/licence/application", response_class=HTMLResponse)
def apply_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """ECS-2.1: the guided application form."""
    return _guarded(
        request, session, actor, lambda a: _ca_only(request, session, ctx, a, _apply_page)
    )


@router.post("/self/licence/application", response_class=HTMLResponse)
async def apply_submit(request: Request, ctx: ContextDep, actor: FormActor) -> Response:
    """ECS-2.1: check the application item by item (``step=check``, nothing stored) or submit
    it with its documents (``step=submit``)."""
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    checked: list[tuple[str, Checked]] = []
    refused: list[UploadRefused] = []
    for kind in DOCUMENT_KINDS:
        _v, ok, bad = await read_files(
            request, f"doc_{kind}", ctx.settings.upload_max_bytes, DOCUMENTS
        )
        checked.extend((kind, c) for c in ok)
        refused.extend(bad)
    return await run_in_threadpool(_apply, request, ctx, actor, values, checked, refused)


def _apply(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    form: dict[str, str],
    documents: list[tuple[str, Checked]],
    refused: list[UploadRefused],
) -> Response:
    party = _own_ca(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    step = form.get("step", "check")

    def again(status: int, **values: Any) -> Response:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _apply_page(request, session, ctx, party, status, form=form, **values)

    body, bad = application_body(form, documents)
    if bad:
        return again(422, errors=[field_error(f, lang) for f in bad])
    try:
        application = parse_application(body)
    except InvalidInput as error:
        return again(422, errors=[field_error(_field_of(error), lang)])
    if step != "submit":
        with unit_of_work(ctx.sessions, readonly=True) as session:
            day = china_date(ctx.clock.now())
            chosen = form.get("rule_set") or None
            try:
                rule_set = rulebook.named_or_in_force(
                    session, ctx.rule_sets, Regime.ECS, chosen, day
                )
            except CertgovError:
                rule_set = ecs_rules(session, ctx, day)
            evaluation = evaluate(application, rule_set).as_dict()
            return _apply_page(
                request,
                session,
                ctx,
                party,
                200,
                form=form,
                evaluation=evaluation,
                rows=evaluation_rows(evaluation),
                checked_under=rule_set,
            )
    if refused:
        return again(422, errors=[upload_message(e, lang) for e in refused])
    try:
        with unit_of_work(ctx.sessions) as session:
            submitted = licensing.submit_application(session, ctx, party, body)
            for _kind, item in documents:
                store(
                    session,
                    ctx.settings,
                    ctx.clock,
                    party,
                    item,
                    purpose=f"licence-application-{submitted.case.id}",
                    party_id=party.party_id,
                )
            case_id = submitted.case.id
    except InvalidInput as error:
        return again(422, errors=[field_error(_field_of(error), lang)])
    except CertgovError as error:
        if "already holds licence" in error.message:
            message = translate(
                lang,
                "You already hold a licence: apply for its modification or renewal instead.",
            )
        else:
            message = translate(lang, "The application could not be submitted.")
        return again(422, error=message)
    return RedirectResponse(f"/self/licence/{case_id}", status_code=303)


# --- one application ---------------------------------------------------------------------------


def _requested(session: Session, case: Case) -> str | None:
    """What the regulator asked for when it last requested documents."""
    asked = [
        e.reason
        for e in cases.history(session, case)
        if e.kind == "transition" and e.transition == "request_documents"
    ]
    return asked[-1] if asked else None


def _case_page(
    request: Request,
    session: Session,
    ctx: Context,
    actor: Actor,
    case_id: int,
    status: int = 200,
    **values: Any,
) -> Response:
    case = cases.get_case(session, ctx, actor, case_id)
    if case.process_id not in LICENCE_PROCESSES:
        raise InvalidInput("case {case} is not a licence case", case=case_id)
    view = (
        licensing.application_view(session, ctx, actor, case_id)
        if case.process_id == licensing.PROCESS
        else None
    )
    application = (view or {}).get("application") or {}
    documents = list(application.get("documents") or []) + list(
        case.data.get("supplied_documents") or []
    )
    names = {t.name for t in cases.available_transitions(ctx, actor, case)}
    history = [
        e for e in cases.history(session, case) if e.reason or e.kind in ("opened", "transition")
    ]
    evaluation = (view or {}).get("evaluation")
    return page(
        request,
        session,
        "self/licence_case.html",
        actor,
        status,
        case=case,
        state=state_title(ctx, case),
        process=ctx.processes.get(case.process_id),
        deadlines=deadline_rows(session, ctx, case),
        rows=evaluation_rows(evaluation) if evaluation else [],
        licence_number=(view or {}).get("licence"),
        documents=documents,
        kinds=DOCUMENT_KINDS,
        may_supply="supply_documents" in names,
        requested=_requested(session, case) if case.state == "awaiting_documents" else None,
        history=history,
        max_size=size_words(ctx.settings.upload_max_bytes, language_of(request)),
        modification_kinds=MODIFICATION_KINDS,
        **values,
    )


@router.get("/self/licence/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: PathId, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    def view(a: Actor) -> Response:
        return or_not_found(
            request, session, a, lambda: _case_page(request, session, ctx, a, case_id)
        )

    return _guarded(request, session, actor, view)


@router.post("/self/licence/{case_id}/documents", response_class=HTMLResponse)
async def supply_documents(
    request: Request, case_id: PathId, ctx: ContextDep, actor: FormActor
) -> Response:
    """ECS-2.2: supply the requested documents; the stopped decision clock runs again."""
    values, checked, refused = await read_files(
        request, "documents", ctx.settings.upload_max_bytes, DOCUMENTS
    )
    return await run_in_threadpool(_supply, request, ctx, actor, case_id, values, checked, refused)


def _supply(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    case_id: int,
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
            return or_not_found(
                request,
                session,
                party,
                lambda: _case_page(request, session, ctx, party, case_id, status, **shown),
            )

    if refused:
        return again(422, errors=[upload_message(e, lang) for e in refused])
    if not checked:
        return again(422, error=translate(lang, "Choose at least one document to supply."))
    note = values.get("note", "").strip()
    try:
        version = int(values.get("version", ""))
    except ValueError:
        version = -1
    try:
        with unit_of_work(ctx.sessions) as session:
            case = cases.get_case(session, ctx, party, case_id)
            supplied = list(case.data.get("supplied_documents") or [])
            for item in checked:
                row = store(
                    session,
                    ctx.settings,
                    ctx.clock,
                    party,
                    item,
                    purpose=f"licence-application-{case_id}",
                    party_id=party.party_id,
                )
                supplied.append(
                    {
                        "kind": "supplied",
                        "filename": item.filename,
                        "sha256": item.sha256,
                        "size": item.size,
                        "upload_id": row.id,
                    }
                )
            cases.transition(
                session,
                ctx,
                party,
                case_id,
                "supply_documents",
                expected_version=version,
                reason=note or "Requested documents supplied",
                payload={"supplied_documents": supplied},
            )
    except CertgovError:
        return again(
            409,
            error=translate(
                lang,
                "The documents could not be supplied: the case is no longer waiting for them "
                "or the page was out of date. The page now shows the current state.",
            ),
        )
    return RedirectResponse(f"/self/licence/{case_id}", status_code=303)
