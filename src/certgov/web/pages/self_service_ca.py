"""The CA's self-service pages (ECS-3.4, ECS-4.4): certificate filing by file upload with the
receipt (log index, checkpoint, inclusion proof, JSON download) and each rejection reason in
words; incident reports (preliminary, full, updates) with the full report's deadline."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import Actor, Role
from certgov.cases import services as cases
from certgov.clock import CHINA_TZ
from certgov.conduct import reports
from certgov.context import Context
from certgov.errors import CertgovError
from certgov.filings import services as filings
from certgov.filings.errors import FilingRefused
from certgov.filings.models import FiledCertificate
from certgov.filings.schemas import receipt_out
from certgov.http.deps import ContextDep, SessionDep
from certgov.http.params import PathId
from certgov.i18n import N_, translate
from certgov.pki.bundle import parse_bundle
from certgov.store.engine import unit_of_work
from certgov.uploads import Checked, Kind, store
from certgov.uploads.models import StoredUpload
from certgov.uploads.services import CERTIFICATES
from certgov.web.pages.common import FormActor, PageActor, language_of, page_error, router
from certgov.web.pages.self_service import (
    _guarded,
    deadline_rows,
    or_not_found,
    page,
    party_of,
    read_files,
    state_title,
    upload_message,
)

#: Why a certificate may not be filed, in words (by problem code).
PROBLEMS = {
    "not_a_ca_certificate": N_(
        "It is not a CA certificate: only root and subordinate CA certificates are filed."
    ),
    "key_usage": N_("Its key usage does not allow signing certificates."),
    "expired": N_("It has expired."),
    "not_yet_valid": N_("It is not valid yet."),
    "bad_signature": N_("Its signature does not verify with the issuer's key."),
    "unsupported_algorithm": N_("Its signature algorithm cannot be verified."),
    "invalid_key": N_("The issuer's public key cannot be read."),
    "issuer_not_ca": N_("Its issuer is not a CA certificate."),
    "path_length_exceeded": N_("The issuer's path length limit is exceeded."),
    "name_mismatch": N_("Its issuer name does not match the issuing certificate."),
    "name_constraints": N_("It violates the issuer's name constraints."),
    "unhandled_critical_extension": N_("It has a critical extension that cannot be processed."),
    "no_path": N_("It does not chain to a root certificate you have filed or enclosed."),
    "algorithm_not_allowed": N_("Its algorithm is not allowed by the rule set in force."),
    "hash_not_allowed": N_("Its hash algorithm is not allowed by the rule set in force."),
    "key_too_small": N_("Its key is shorter than the rule set allows."),
    "curve_not_allowed": N_("Its elliptic curve is not allowed by the rule set in force."),
}
OTHER_PROBLEM = N_("It cannot be filed for another reason (see the technical detail).")

INCIDENT_ACTIONS = {
    "submit_full_report": N_("Submit the full report"),
    "update": N_("Submit an update"),
}


def _filing_page(
    request: Request, session: Session, actor: Actor, status: int = 200, **values: Any
) -> Response:
    own = list(
        session.scalars(
            select(StoredUpload)
            .where(
                StoredUpload.party_id == actor.party_id,
                StoredUpload.purpose == "filing-receipt",
            )
            .order_by(StoredUpload.id.desc())
            .limit(20)
        )
    )
    filed = list(
        session.scalars(
            select(FiledCertificate)
            .where(FiledCertificate.party_id == actor.party_id)
            .order_by(FiledCertificate.id.desc())
            .limit(100)
        )
    )
    return page(
        request, session, "self/filings.html", actor, status, receipts=own, filed=filed, **values
    )


@router.get("/self/filings", response_class=HTMLResponse)
def filings_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    if actor is not None and actor.role is not Role.CA_OPERATOR:
        actor = None if party_of(actor) is None else actor
    return _guarded(request, session, actor, lambda a: _filing_page(request, session, a))


def _as_pem(checked: list[Checked]) -> bytes:
    """The certificates of every file as one PEM bundle (each file parsed on its own)."""
    out = []
    for item in checked:
        for certificate in parse_bundle(item.data, max_certificates=filings.MAX_CERTIFICATES):
            body = base64.encodebytes(certificate.der).decode("ascii").replace("\n", "")
            lines = [body[i : i + 64] for i in range(0, len(body), 64)]
            out.append(
                "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"
            )
    return "".join(out).encode("ascii")


def _refusal_words(error: FilingRefused, lang: str) -> list[dict[str, Any]]:
    shown = []
    for certificate in error.details.get("certificates", []):
        shown.append(
            {
                "subject": certificate.get("subject", ""),
                "sha256": certificate.get("sha256", ""),
                "reasons": [
                    {
                        "words": translate(lang, PROBLEMS.get(str(p.get("code")), OTHER_PROBLEM)),
                        "detail": p.get("message", ""),
                    }
                    for p in certificate.get("problems", [])
                ],
            }
        )
    return shown


@router.post("/self/filings", response_class=HTMLResponse)
async def filing_submit(request: Request, ctx: ContextDep, actor: FormActor) -> Response:
    """ECS-3.4: file CA certificates from one or more uploaded files (PEM, DER, PKCS #7)."""
    _values, checked, refused = await read_files(
        request, "certificates", ctx.settings.upload_max_bytes, CERTIFICATES
    )
    return await run_in_threadpool(_file, request, ctx, actor, checked, refused)


def _file(
    request: Request,
    ctx: Context,
    actor: Actor | None,
    checked: list[Checked],
    refused: list[Any],
) -> Response:
    party = party_of(actor)
    if party is None or party.role is not Role.CA_OPERATOR:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)

    def again(status: int, **values: Any) -> Response:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _filing_page(request, session, party, status, **values)

    if refused:
        return again(422, errors=[upload_message(e, lang) for e in refused])
    if not checked:
        return again(422, errors=[translate(lang, "Choose at least one certificate file.")])
    try:
        bundle = _as_pem(checked)
        with unit_of_work(ctx.sessions, readonly=True) as session:
            verified = filings.check_filing(session, ctx, party, bundle)
    except FilingRefused as error:
        return again(422, refusals=_refusal_words(error, lang))
    except CertgovError:
        return again(
            422,
            errors=[translate(lang, "The files could not be read as certificates.")],
        )
    with unit_of_work(ctx.sessions) as session:
        receipt = receipt_out(filings.record_filing(session, ctx, party, verified))
        for item in checked:
            store(
                session,
                ctx.settings,
                ctx.clock,
                party,
                item,
                purpose="filing",
                party_id=party.party_id,
            )
        document = json.dumps(receipt, ensure_ascii=False, indent=2).encode("utf-8")
        import hashlib

        store(
            session,
            ctx.settings,
            ctx.clock,
            party,
            Checked(
                f"filing-{receipt['filing_id']}-receipt.json",
                Kind.JSON,
                hashlib.sha256(document).hexdigest(),
                document,
            ),
            purpose="filing-receipt",
            party_id=party.party_id,
        )
    with unit_of_work(ctx.sessions, readonly=True) as session:
        return page(request, session, "self/receipt.html", party, 201, receipt=receipt)


def _receipt_row(session: Session, actor: Actor, filing_id: int) -> StoredUpload | None:
    return session.scalar(
        select(StoredUpload).where(
            StoredUpload.party_id == actor.party_id,
            StoredUpload.purpose == "filing-receipt",
            StoredUpload.filename == f"filing-{filing_id}-receipt.json",
        )
    )


@router.get("/self/filings/{filing_id}", response_class=HTMLResponse)
def receipt_page(
    request: Request, filing_id: PathId, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    def view(a: Actor) -> Response:
        from certgov.uploads import content

        row = _receipt_row(session, a, filing_id)
        if row is None:
            return page(request, session, "self/receipt.html", a, 404, receipt=None)
        receipt = json.loads(content(ctx.settings, row))
        return page(request, session, "self/receipt.html", a, receipt=receipt)

    return _guarded(request, session, actor, view)


@router.get("/self/filings/{filing_id}/receipt.json")
def receipt_json(
    filing_id: PathId, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    """The receipt as JSON, to keep (its inclusion proofs verify against its checkpoint)."""
    from certgov.uploads import content

    party = party_of(actor)
    row = _receipt_row(session, party, filing_id) if party else None
    if row is None:
        return Response(status_code=404)
    return Response(
        content(ctx.settings, row),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{row.filename}"'},
    )


# --- incidents -------------------------------------------------------------------------------


def _incidents_page(
    request: Request, session: Session, ctx: Context, actor: Actor, status: int = 200, **values: Any
) -> Response:
    own = cases.list_cases(session, ctx, actor, process_id=reports.INCIDENT_PROCESS, limit=100)
    values.setdefault("form", {})
    return page(
        request,
        session,
        "self/incidents.html",
        actor,
        status,
        incidents=[(c, state_title(ctx, c), deadline_rows(session, ctx, c)) for c in own],
        **values,
    )


@router.get("/self/incidents", response_class=HTMLResponse)
def incidents_page(
    request: Request, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    return _guarded(request, session, actor, lambda a: _incidents_page(request, session, ctx, a))


def _beijing(value: str) -> str:
    """A ``datetime-local`` value, read as Beijing time, in ISO 8601 with its offset."""
    try:
        local = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if local.tzinfo is None:
        local = local.replace(tzinfo=CHINA_TZ)
    return local.isoformat()


@router.post("/self/incidents", response_class=HTMLResponse)
def incident_report(
    request: Request,
    ctx: ContextDep,
    actor: FormActor,
    title: Annotated[str, Form(max_length=300)] = "",
    aware_at: Annotated[str, Form(max_length=40)] = "",
    summary: Annotated[str, Form(max_length=10_000)] = "",
    certificates_affected: Annotated[str, Form(max_length=12)] = "0",
) -> Response:
    """ECS-4.4: the preliminary report of an incident."""
    party = party_of(actor)
    if party is None or party.role is not Role.CA_OPERATOR:
        return RedirectResponse("/console", status_code=303)
    form = {
        "title": title,
        "aware_at": aware_at,
        "summary": summary,
        "certificates_affected": certificates_affected,
    }
    lang = language_of(request)
    try:
        affected = int(certificates_affected or "0")
    except ValueError:
        affected = -1
    try:
        with unit_of_work(ctx.sessions) as session:
            case, _late = reports.report_incident(
                session,
                ctx,
                party,
                {
                    "title": title,
                    "aware_at": _beijing(aware_at),
                    "summary": summary,
                    "certificates_affected": affected,
                },
            )
            case_id = case.id
    except CertgovError as error:
        field = str(error.details.get("field", "")) if error.details else ""
        message = {
            "aware_at": N_(
                "Give the time you became aware of the incident; it cannot be in the future."
            ),
        }.get(
            field,
            N_("Give a title, what happened, and the number of certificates affected (0 or more)."),
        )
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return _incidents_page(
                request, session, ctx, party, 422, error=translate(lang, message), form=form
            )
    return RedirectResponse(f"/self/incidents/{case_id}", status_code=303)


def _incident_page(
    request: Request,
    session: Session,
    ctx: Context,
    actor: Actor,
    case_id: int,
    status: int = 200,
    **values: Any,
) -> Response:
    case = cases.get_case(session, ctx, actor, case_id)
    if case.process_id != reports.INCIDENT_PROCESS:
        raise CertgovError("case {case} is not an incident report", case=case_id)
    actions = [
        (t.name, INCIDENT_ACTIONS.get(t.name, t.title))
        for t in cases.available_transitions(ctx, actor, case)
    ]
    history = [
        e for e in cases.history(session, case) if e.reason or e.kind in ("opened", "transition")
    ]
    return page(
        request,
        session,
        "self/incident.html",
        actor,
        status,
        case=case,
        state=state_title(ctx, case),
        deadlines=deadline_rows(session, ctx, case),
        actions=actions,
        history=history,
        **values,
    )


@router.get("/self/incidents/{case_id}", response_class=HTMLResponse)
def incident_page(
    request: Request, case_id: PathId, ctx: ContextDep, session: SessionDep, actor: PageActor
) -> Response:
    def view(a: Actor) -> Response:
        return or_not_found(
            request, session, a, lambda: _incident_page(request, session, ctx, a, case_id)
        )

    return _guarded(request, session, actor, view)


@router.post("/self/incidents/{case_id}/reports", response_class=HTMLResponse)
def incident_follow_up(
    request: Request,
    case_id: PathId,
    ctx: ContextDep,
    actor: FormActor,
    action: Annotated[str, Form(max_length=64)],
    version: Annotated[int, Form()],
    text: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """ECS-4.4: the full report or an update (its text kept as the transition's reason)."""
    party = party_of(actor)
    if party is None:
        return RedirectResponse("/console", status_code=303)
    lang = language_of(request)
    try:
        if not text.strip():
            raise CertgovError("empty report")
        with unit_of_work(ctx.sessions) as session:
            cases.transition(
                session, ctx, party, case_id, action, expected_version=version, reason=text
            )
    except CertgovError:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            try:
                return _incident_page(
                    request,
                    session,
                    ctx,
                    party,
                    case_id,
                    422,
                    error=translate(
                        lang,
                        "Write the report before submitting it; if the page was out of date, "
                        "it now shows the current state.",
                    ),
                )
            except CertgovError as hidden:
                return page(
                    request,
                    session,
                    "not_found.html",
                    party,
                    404,
                    what=page_error(language_of(request), hidden),
                )
    return RedirectResponse(f"/self/incidents/{case_id}", status_code=303)
