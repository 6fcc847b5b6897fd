"""The public portal's records as JSON and CSV (SYS-4, SYS-7, APP-9, ECS-6.2, ECS-8.2): each
page of ``/registry``, ``/certificates``, ``/apps``, ``/penalties`` and ``/trust-lists`` is
served here too, from the same read side (``certgov.publication``); every list exports as CSV
(CCADB-style), at most ``certgov.publication.certificates.EXPORT_LIMIT`` rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from certgov.http.deps import ContextDep, PublicActor, SessionDep
from certgov.http.params import PathId
from certgov.publication import certificates, portal

router = APIRouter(tags=["public portal"])


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV attachment; cells defused against spreadsheet formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for count, row in enumerate(rows):
        if count >= certificates.EXPORT_LIMIT:
            break
        writer.writerow([certificates.csv_cell(value) for value in row])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/registry/cas/{party_id}")
def ca_record(
    party_id: PathId, session: SessionDep, ctx: ContextDep, _actor: PublicActor
) -> dict[str, Any]:
    """SYS-4: one licensed CA's public record — licences with status history, every practice
    statement version, operating provinces and outlets, filed CA certificates as a hierarchy,
    published penalties, open conduct findings."""
    return portal.ca_record(session, ctx, party_id)


Text = Annotated[str, Query(max_length=200)]


def _certificate_query(
    q: str, issuer: str, party: int | None, key: str, validity: str, page: int
) -> certificates.CertificateQuery:
    return certificates.CertificateQuery(
        q=q, issuer=issuer, party_id=party, key=key, validity=validity, page=page
    )


@router.get("/certificates")
def search_certificates(
    session: SessionDep,
    ctx: ContextDep,
    _actor: PublicActor,
    q: Annotated[
        str,
        Query(
            max_length=200,
            description="A SHA-256, a serial number (hex) or the start of the subject's common name.",
        ),
    ] = "",
    issuer: Annotated[
        str, Query(max_length=200, description="The start of the issuer's common name.")
    ] = "",
    party: Annotated[int | None, Query(ge=1, le=2**31, description="The filing CA.")] = None,
    key: Annotated[str, Query(max_length=16, description="sm2, rsa or ecdsa")] = "",
    validity: Annotated[
        str, Query(max_length=16, description="valid, expired or not_yet_valid (now)")
    ] = "",
    page: Annotated[int, Query(ge=1, le=certificates.MAX_PAGES)] = 1,
) -> dict[str, Any]:
    """SYS-4, ECS-3.4: search filed CA certificates, a page of 50 at a time."""
    query = _certificate_query(q, issuer, party, key, validity, page)
    return certificates.search(session, ctx.clock.now(), query).as_dict()


@router.get("/certificates/export.csv", response_class=Response)
def export_certificates(
    session: SessionDep,
    ctx: ContextDep,
    _actor: PublicActor,
    q: Text = "",
    issuer: Text = "",
    party: Annotated[int | None, Query(ge=1, le=2**31)] = None,
    key: Annotated[str, Query(max_length=16)] = "",
    validity: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """SYS-4: the filed CA certificates of a search as CSV (at most 10,000 rows)."""
    query = _certificate_query(q, issuer, party, key, validity, 1)
    return Response(
        certificates.export_csv(session, ctx.clock.now(), query),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="certificates.csv"'},
    )


@router.get("/certificates/{sha256}")
def certificate(
    sha256: str, session: SessionDep, ctx: ContextDep, _actor: PublicActor
) -> dict[str, Any]:
    """SYS-4, ECS-3.4: one filed CA certificate — parsed fields, chain to the filed root, lint,
    revocation status with its source, filing, and the inclusion proof against the filing's
    signed checkpoint."""
    return certificates.detail(session, ctx, sha256[:200])


@router.get("/certificates/{sha256}/pem", response_class=Response)
def certificate_pem(sha256: str, session: SessionDep, _actor: PublicActor) -> Response:
    """ECS-3.4: the filed certificate in PEM."""
    row = certificates.find(session, sha256[:200])
    return Response(
        certificates.pem(row),
        media_type="application/x-pem-file",
        headers={"Content-Disposition": f'attachment; filename="{row.sha256}.pem"'},
    )


def _apps(
    session: Any, ctx: Any, q: str, operator: str, system: str, status: str
) -> list[dict[str, Any]]:
    return portal.apps(session, ctx, q=q, operator=operator, system=system, status=status)


@router.get("/apps")
def search_apps(
    session: SessionDep,
    ctx: ContextDep,
    _actor: PublicActor,
    q: Annotated[str, Query(max_length=200, description="App name or certificate number.")] = "",
    operator: Annotated[str, Query(max_length=200, description="The operator's name.")] = "",
    system: Annotated[str, Query(max_length=40, description="Operating system.")] = "",
    status: Annotated[
        str, Query(max_length=16, description="valid, suspended, revoked, expired")
    ] = "",
) -> list[dict[str, Any]]:
    """APP-9: certified apps, searched by name, operator, operating system and status."""
    return _apps(session, ctx, q, operator, system, status)


@router.get("/apps/export.csv", response_class=Response)
def export_apps(
    session: SessionDep,
    ctx: ContextDep,
    _actor: PublicActor,
    q: Text = "",
    operator: Text = "",
    system: Annotated[str, Query(max_length=40)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """APP-9: certified apps as CSV."""
    rows = _apps(session, ctx, q, operator, system, status)
    return csv_response(
        "apps.csv",
        (
            "number",
            "app_name",
            "operating_system",
            "version_line",
            "holder",
            "holder_uscc",
            "status",
            "valid_from",
            "valid_until",
        ),
        (
            (
                r["number"],
                r["app_name"],
                r["operating_system"],
                r["version_line"],
                r["holder"]["name"],
                r["holder"]["uscc"],
                r["status"],
                r["valid_from"],
                r["valid_until"],
            )
            for r in rows
        ),
    )


@router.get("/penalties/export.csv", response_class=Response)
def export_penalties(session: SessionDep, _actor: PublicActor) -> Response:
    """ECS-6.2: published penalty decisions as CSV."""
    return csv_response(
        "penalties.csv",
        (
            "decided_on",
            "party",
            "jurisdiction",
            "violation",
            "legal_basis",
            "outcomes",
            "fine_yuan",
            "licence_revoked",
            "published_at",
        ),
        (
            (
                p["decided_on"],
                p["party"]["name"],
                p["jurisdiction"],
                p["violation_title"],
                p["legal_basis"],
                "; ".join(p["outcomes"]),
                p["fine_yuan"],
                p["licence_revoked"],
                p["published_at"],
            )
            for p in portal.penalties(session)
        ),
    )


@router.get("/trust-lists")
def trust_lists(session: SessionDep, _actor: PublicActor) -> dict[str, Any]:
    """ECS-8.2, SYS-4: recognised foreign CAs (scope, validity, history) and the imported
    foreign trusted lists with every service's status history."""
    return portal.trust_lists(session)


@router.get("/trust-lists/services.csv", response_class=Response)
def export_trust_services(session: SessionDep, _actor: PublicActor) -> Response:
    """ECS-8.2: the services of the imported foreign trusted lists as CSV."""
    lists = portal.trust_lists(session)["imports"]
    return csv_response(
        "trust-services.csv",
        ("territory", "list_sequence", "provider", "service", "service_type", "status", "since"),
        (
            (
                row["territory"],
                row["sequence_number"],
                s["provider"],
                s["name"],
                s["service_type"],
                s["status_short"],
                s["status_starting_time"],
            )
            for row in lists
            for s in row["services"]
        ),
    )
