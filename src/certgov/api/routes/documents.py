"""Relying parties validate signed documents (SYS-5 "or signed data") over HTTP: a signed PDF,
or CMS / PKCS #7 SignedData with its detached content, judged against the registry (filed CA
certificates, licences, recognitions, revocation) with the evidence; optionally signed by the
platform so that the report stands as evidence itself. See ``docs/document-validation.md``."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from certgov.actors import ALL_ROLES, Actor
from certgov.docsig import explain, report_json, sign_report
from certgov.errors import InvalidInput
from certgov.http.deps import ContextDep, PublicActor, allow_own_work
from certgov.verification import documents

router = APIRouter(tags=["filings and verification"])


def _time(text: str | None) -> dt.datetime | None:
    if text is None or not text.strip():
        return None
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"'at' must be an ISO 8601 time with its offset, not {text[:60]!r}",
            hint="e.g. 2026-01-05T10:00:00+08:00",
        ) from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise InvalidInput(
            f"'at' needs its offset: {text[:60]!r} does not say which time zone",
            hint="e.g. 2026-01-05T10:00:00+08:00",
        )
    return when


async def _read(upload: UploadFile | None, limit: int) -> bytes | None:
    if upload is None:
        return None
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(f"{upload.filename or 'the file'} is larger than {limit} bytes")
    return data


@router.post(
    "/verify/document",
    responses={422: {"description": "not a document certgov can read, or bad input"}},
)
async def verify_document(
    request: Request,
    ctx: ContextDep,
    _actor: Annotated[Actor, Depends(allow_own_work(*ALL_ROLES))],
    document: Annotated[
        UploadFile, File(description="The signed PDF, or the CMS / PKCS #7 (.p7s, .p7m).")
    ],
    content: Annotated[
        UploadFile | None, File(description="The signed content of a detached CMS (.p7s).")
    ] = None,
    at: Annotated[
        str | None,
        Form(description="The validation time, ISO 8601 with offset; default now."),
    ] = None,
    certificate_type: Annotated[
        str | None,
        Form(max_length=200, description="For a foreign CA's signer: the certificate type."),
    ] = None,
    scenario: Annotated[
        str | None,
        Form(max_length=200, description="For a foreign CA's signer: the application scenario."),
    ] = None,
    signed: Annotated[
        bool,
        Query(description="Add the platform's detached Ed25519 signature of the report JSON."),
    ] = False,
) -> JSONResponse:
    """SYS-5 for signed data: every signature of the document, with its EN 319 102-1 verdict
    (TOTAL_PASSED, TOTAL_FAILED, INDETERMINATE and a sub-indication), is the signer's chain
    led to a CA certificate filed by the signing time, was the CA licensed (or recognised)
    then, was any certificate revoked — with the filing's inclusion proof and checkpoint, the
    licence and the CRL or OCSP response as evidence. ``report`` is the report
    (``certgov.docsig.DocumentReport.as_dict``), ``explanation`` its reasons in English and
    Chinese; with ``signed=true``, ``signature`` is the platform's signature of the report's
    canonical JSON (sorted keys, no spaces, UTF-8, a final newline)."""
    limit = ctx.settings.max_upload_bytes
    data = await _read(document, limit)
    assert data is not None
    detached = await _read(content, limit)
    when = _time(at)

    def work() -> dict[str, Any]:
        report = documents.validate_signed_document(
            ctx,
            data,
            detached,
            when,
            certificate_type=certificate_type or None,
            scenario=scenario or None,
        )
        answer: dict[str, Any] = {"report": report.as_dict(), "explanation": explain(report)}
        if signed:
            signer = documents.report_signer(ctx)
            canonical = report_json(report)
            answer["signature"] = {
                "line": sign_report(canonical, signer),
                "key_name": signer.name,
                "verifier_key": signer.verifier_key(),
                "signed_sha256": hashlib.sha256(canonical).hexdigest(),
            }
        return answer

    limiter: anyio.CapacityLimiter = request.app.state.verify_limiter
    return JSONResponse(await anyio.to_thread.run_sync(work, limiter=limiter))


@router.get("/verify/document/key")
def report_key(ctx: ContextDep, _actor: PublicActor) -> dict[str, str]:
    """The platform's public key that signs document validation reports (a C2SP signed-note
    verifier key ``name+keyid+base64``), for checking a signed report offline."""
    signer = documents.report_signer(ctx)
    return {"key_name": signer.name, "verifier_key": signer.verifier_key()}
