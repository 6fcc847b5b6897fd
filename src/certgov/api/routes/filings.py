"""Certificate filings (ECS-3.4) and relying-party verification (SYS-5) over HTTP.

Both take the certificates as the request body: PEM (``application/x-pem-file``), DER
(``application/pkix-cert``) or PKCS #7, size-limited like every request."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from certgov.actors import ALL_ROLES, Actor, Role
from certgov.errors import NotFound
from certgov.filings import services as filings
from certgov.filings.lints import lint_of
from certgov.filings.models import FiledCertificate
from certgov.filings.revocation import Deferred
from certgov.filings.schemas import filed_out, receipt_out
from certgov.http.deps import (
    CERTIFICATES_BODY,
    ContextDep,
    PublicActor,
    RawBody,
    SessionDep,
    allow_own_work,
)
from certgov.store.engine import unit_of_work
from certgov.verification import chains as verification

router = APIRouter(tags=["filings and verification"])


@router.post("/filings", status_code=201, openapi_extra=CERTIFICATES_BODY)
def submit_filing(
    body: RawBody,
    ctx: ContextDep,
    actor: Annotated[Actor, Depends(allow_own_work(Role.CA_OPERATOR))],
) -> dict[str, Any]:
    """ECS-3.4: file root and subordinate CA certificates (the body: a PEM, DER or PKCS #7
    bundle). Each is checked (CA certificate, chain to the CA's filed or enclosed roots,
    signatures, validity, the rule set's algorithm policy), stored and appended to the
    ``filings`` log; the receipt gives each log index with an inclusion proof and the signed
    checkpoint. A refusal lists every reason of every certificate; nothing is filed."""
    # Parsing and signature checks in a read-only transaction, beside other requests; the
    # write transaction (SQLite's single writer) only records.
    with unit_of_work(ctx.sessions, readonly=True) as session:
        checked = filings.check_filing(session, ctx, actor, body)
    with unit_of_work(ctx.sessions) as session:
        return receipt_out(filings.record_filing(session, ctx, actor, checked))


@router.get("/filings/certificates")
def list_filed(
    session: SessionDep,
    _actor: PublicActor,
    party: Annotated[int | None, Query(description="The filing CA's party id.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    """ECS-3.4: filed CA certificates, public (like CCADB's disclosures)."""
    query = select(FiledCertificate).order_by(FiledCertificate.id)
    if party is not None:
        query = query.where(FiledCertificate.party_id == party)
    return [filed_out(row) for row in session.scalars(query.limit(limit).offset(offset))]


@router.get("/filings/certificates/{sha256}")
def get_filed(sha256: str, session: SessionDep, _actor: PublicActor) -> dict[str, Any]:
    """ECS-3.4: one filed certificate by its SHA-256 fingerprint (hex), with its standards
    lint (pkilint; ``lint`` is null until the worker has linted it)."""
    row = session.scalars(
        select(FiledCertificate).where(FiledCertificate.sha256 == sha256.lower())
    ).first()
    if row is None:
        raise NotFound(f"no filed certificate with SHA-256 {sha256}")
    return {**filed_out(row), "lint": lint_of(session, row.id)}


@router.post("/verify", openapi_extra=CERTIFICATES_BODY)
async def verify(
    request: Request,
    body: RawBody,
    ctx: ContextDep,
    _actor: Annotated[Actor, Depends(allow_own_work(*ALL_ROLES))],
    at: Annotated[
        dt.datetime | None,
        Query(description="The signing time (ISO 8601 with offset); default now."),
    ] = None,
    certificate_type: Annotated[
        str | None,
        Query(max_length=200, description="For a foreign chain: the certificate type used."),
    ] = None,
    scenario: Annotated[
        str | None,
        Query(max_length=200, description="For a foreign chain: the application scenario."),
    ] = None,
) -> JSONResponse:
    """SYS-5: does the chain (body: target certificate first, then any intermediates) lead to
    a filed CA certificate of a CA whose licence was valid at ``at``, and is no certificate on
    it revoked (the issuers' CRLs, else the OCSP responders)? Or, for a foreign CA, to a
    certificate recognised (ECS-8) at ``at`` within the given type and scenario? With the
    evidence; ``status`` is valid, invalid or indeterminate (revocation status
    unobtainable)."""

    # A read-only transaction: verifications never wait for SQLite's write lock nor hold it
    # (a CRL fetch may take seconds); what they learn is kept afterwards in a short write.
    # One worker thread for the whole verification (a CRL or OCSP fetch may block), at most
    # CERTGOV_VERIFY_THREADS at once per process.
    def work() -> dict[str, Any]:
        deferred: Deferred = []
        with unit_of_work(ctx.sessions, readonly=True) as session:
            answer = verification.verify(
                session,
                ctx,
                body,
                at,
                certificate_type=certificate_type,
                scenario=scenario,
                deferred=deferred,
            )
        verification.apply_deferred(ctx, deferred)
        return answer

    limiter: anyio.CapacityLimiter = request.app.state.verify_limiter
    return JSONResponse(await anyio.to_thread.run_sync(work, limiter=limiter))
