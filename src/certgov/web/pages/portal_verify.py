"""``/verify`` (SYS-5): a relying party uploads or pastes a certificate chain with a time and
reads the verdict with every piece of evidence in words; or uploads a signed document (PDF, CMS
/ PKCS #7) and reads the validation report, or downloads it as JSON. Plain multipart forms:
they work without JavaScript. Same use cases as ``POST /api/v1/verify`` and
``POST /api/v1/verify/document``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import anyio
import anyio.to_thread
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from certgov.clock import CHINA_TZ
from certgov.docsig import explain
from certgov.errors import CertgovError
from certgov.filings.revocation import Deferred
from certgov.http.deps import ContextDep
from certgov.i18n import N_, translate
from certgov.store.engine import unit_of_work
from certgov.verification import chains as verification
from certgov.verification import documents
from certgov.web.pages.common import FormActor, language_of, page_error, router
from certgov.web.pages.portal_records import WORDS, _page

WORDS.update(
    {
        "verdict": {
            "valid": N_(
                "Valid: the chain leads to a filed CA certificate of a CA licensed at that time, and nothing on it was revoked"
            ),
            "invalid": N_("Not valid"),
            "indeterminate": N_("Cannot be decided now: a revocation status could not be obtained"),
        },
        "problem": {
            "expired": N_("The certificate had expired at that time"),
            "not_yet_valid": N_("The certificate was not yet valid at that time"),
            "bad_signature": N_("The issuer's key does not verify the certificate's signature"),
            "unsupported_algorithm": N_("The signature algorithm is not supported"),
            "invalid_key": N_("The issuer's public key cannot be read"),
            "issuer_not_ca": N_("An issuer is not a CA certificate"),
            "path_length_exceeded": N_("An issuer's path length limit is exceeded"),
            "key_usage": N_("A certificate's key usage does not allow this use"),
            "name_mismatch": N_("An issuer's name does not match"),
            "name_constraints": N_("A name violates a CA's name constraints"),
            "unhandled_critical_extension": N_("A critical extension cannot be processed"),
            "no_path": N_("No path to a CA certificate filed with the regulator"),
            "algorithm_not_allowed": N_("An algorithm outside the permitted algorithms"),
            "hash_not_allowed": N_("A hash algorithm outside the permitted algorithms"),
            "key_too_small": N_("An RSA key is shorter than permitted"),
            "curve_not_allowed": N_("An elliptic curve outside the permitted curves"),
        },
    }
)
#: Size limit of a pasted or uploaded chain (a chain is a few kilobytes).
MAX_CHAIN_BYTES = 256 * 1024


def _form(request: Request, actor: Any, status: int = 200, **values: Any) -> HTMLResponse:
    values.setdefault("form", {})
    return _page(request, "public/verify.html", status, actor=actor, **values)


@router.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request, actor: FormActor) -> Response:
    """SYS-5: the forms: verify a certificate chain; validate a signed document."""
    return _form(request, actor)


def _at(text: str) -> dt.datetime | None:
    """The time of the form: ``datetime-local`` in Beijing time, or ISO 8601 with offset."""
    text = text.strip()
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _FormError(
            N_("Give the time as year-month-day hours:minutes, Beijing time.")
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=CHINA_TZ)


class _FormError(Exception):
    def __init__(self, msgid: str) -> None:
        super().__init__(msgid)
        self.msgid = msgid


async def _upload(form: Any, name: str, limit: int) -> bytes | None:
    upload = form.get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise _FormError(N_("The file is too large."))
    return data


@router.post("/verify", response_class=HTMLResponse)
async def verify_chain(request: Request, ctx: ContextDep, actor: FormActor) -> Response:
    """SYS-5: verify the uploaded or pasted chain at the time given (default now)."""
    form = await request.form()
    values = {
        "at": str(form.get("at") or "")[:40],
        "pasted": str(form.get("pasted") or "")[:MAX_CHAIN_BYTES],
    }
    lang = language_of(request)
    try:
        data = await _upload(form, "chain", MAX_CHAIN_BYTES) or values["pasted"].encode()
        if not data.strip():
            raise _FormError(N_("Choose a certificate file or paste the certificates."))
        at = _at(values["at"])
    except _FormError as exc:
        return _form(request, actor, 422, error=translate(lang, exc.msgid), form=values)

    def work() -> dict[str, Any]:
        deferred: Deferred = []
        with unit_of_work(ctx.sessions, readonly=True) as session:
            answer = verification.verify(session, ctx, data, at, deferred=deferred)
        verification.apply_deferred(ctx, deferred)
        return answer

    limiter: anyio.CapacityLimiter = request.app.state.verify_limiter
    try:
        answer = await anyio.to_thread.run_sync(work, limiter=limiter)
    except CertgovError as exc:
        return _form(
            request,
            actor,
            422,
            error=translate(lang, "These certificates cannot be read:"),
            error_detail=page_error(language_of(request), exc),
            form=values,
        )
    return _form(request, actor, answer=answer, form=values)


@router.post("/verify/document", response_class=HTMLResponse)
async def verify_document(request: Request, ctx: ContextDep, actor: FormActor) -> Response:
    """SYS-5 for signed data: validate a signed PDF or CMS; the report as a page, or as a JSON
    download (the button "download the JSON report")."""
    form = await request.form()
    lang = language_of(request)
    values = {"document_at": str(form.get("at") or "")[:40]}
    limit = ctx.settings.max_upload_bytes
    try:
        document = await _upload(form, "document", limit)
        if document is None:
            raise _FormError(N_("Choose the signed document."))
        content = await _upload(form, "content", limit)
        at = _at(values["document_at"])
    except _FormError as exc:
        return _form(request, actor, 422, document_error=translate(lang, exc.msgid), form=values)

    def work() -> dict[str, Any]:
        report = documents.validate_signed_document(ctx, document, content, at)
        return {"report": report.as_dict(), "explanation": explain(report)}

    limiter: anyio.CapacityLimiter = request.app.state.verify_limiter
    try:
        answer = await anyio.to_thread.run_sync(work, limiter=limiter)
    except CertgovError as exc:
        return _form(
            request,
            actor,
            422,
            document_error=translate(lang, "This document cannot be validated:"),
            document_detail=page_error(language_of(request), exc),
            form=values,
        )
    if form.get("as") == "json":
        return Response(
            json.dumps(answer, ensure_ascii=False, indent=2, sort_keys=True),
            media_type="application/json; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="validation-report.json"'},
        )
    return _form(request, actor, document=answer, form=values)
