"""Trusted lists over HTTP: our signed ETSI TS 119 612 list and the registry exports (SYS-4);
foreign schemes, their pinned signers and imported lists (ECS-8.2)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from certgov.context import Context
from certgov.http.deps import (
    ContextDep,
    NationalRegulator,
    PublicActor,
    RawBody,
    Regulator,
    SessionDep,
)
from certgov.publication import trusted_list as publication
from certgov.recognition import trusted_lists as lists
from certgov.recognition.schemas import import_out, service_out
from certgov.store.engine import unit_of_work

router = APIRouter(tags=["trusted lists and registry exports"])
#: Served at the site root, beside the logs' tiles: ``/trust-list.xml``.
publication_router = APIRouter(tags=["trusted lists and registry exports"])

XML_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/xml": {"schema": {"type": "string"}}},
    }
}
PEM_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/x-pem-file": {"schema": {"type": "string"}}},
    }
}
TSL_MEDIA = "application/vnd.etsi.tsl+xml"


def _our_list(ctx: Context) -> bytes:
    with unit_of_work(ctx.sessions, readonly=True) as session:
        return publication.export_trust_list(session, ctx)


@publication_router.get("/trust-list.xml", response_class=Response)
async def trust_list(request: Request) -> Response:
    """SYS-4: our trusted list (ETSI TS 119 612, enveloped XAdES signature), public."""
    ctx: Context = request.app.state.ctx
    body = await run_in_threadpool(_our_list, ctx)
    return Response(body, media_type=TSL_MEDIA, headers={"Cache-Control": "no-cache"})


@router.get("/trust-list/signer.pem", response_class=Response)
def trust_list_signer(ctx: ContextDep, _actor: PublicActor) -> Response:
    """SYS-4: the certificate that signs ``/trust-list.xml`` (pin it to verify the list)."""
    return Response(publication.signer(ctx).certificate_pem, media_type="application/x-pem-file")


@router.get("/registry/export.json")
def registry_json(session: SessionDep, ctx: ContextDep, _actor: PublicActor) -> dict[str, Any]:
    """SYS-4: the public registry: licensed CAs with licences and history, recognised foreign
    CAs with scope, validity and history."""
    return publication.registry_export(session, ctx)


@router.get("/registry/export.csv", response_class=Response)
def registry_csv(session: SessionDep, ctx: ContextDep, _actor: PublicActor) -> Response:
    """SYS-4: the public registry as CSV, one row per credential."""
    return Response(
        publication.registry_csv(session, ctx),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="registry.csv"'},
    )


def _scheme_out(session: Any, scheme: Any) -> dict[str, Any]:
    return {
        "code": scheme.code,
        "name": scheme.name,
        "signers": [
            {
                "sha256": p.sha256,
                "subject": p.subject,
                "not_after": p.not_after.isoformat(),
                "pinned_at": p.pinned_at.isoformat(),
                "pinned_by": p.pinned_by,
            }
            for p in lists.pinned_certificates(session, scheme)
        ],
        "imports": [
            import_out(row, scheme.code) for row in lists.list_imports(session, scheme.code)
        ],
    }


@router.get("/trust-lists/schemes")
def schemes(session: SessionDep, _actor: Regulator) -> list[dict[str, Any]]:
    """ECS-8.2: foreign trusted-list schemes with their pinned signers and imports."""
    from sqlalchemy import select

    from certgov.recognition.models import TrustListScheme

    rows = session.scalars(select(TrustListScheme).order_by(TrustListScheme.code))
    return [_scheme_out(session, scheme) for scheme in rows]


@router.get("/trust-lists/schemes/{code}")
def scheme(code: str, session: SessionDep, _actor: Regulator) -> dict[str, Any]:
    """ECS-8.2: one foreign scheme."""
    return _scheme_out(session, lists.get_scheme(session, code))


@router.post("/trust-lists/schemes/{code}/signers", status_code=201, openapi_extra=PEM_BODY)
def pin(
    code: str,
    body: RawBody,
    session: SessionDep,
    ctx: ContextDep,
    actor: NationalRegulator,
    name: Annotated[str | None, Query(description="The scheme's name.", max_length=300)] = None,
) -> dict[str, Any]:
    """ECS-8.2: pin a signer certificate (PEM or DER body) for scheme ``code`` (its
    territory, e.g. EE), obtained out of band."""
    lists.pin_certificate(session, ctx, actor, code, body, name=name)
    return _scheme_out(session, lists.get_scheme(session, code))


@router.post("/trust-lists/schemes/{code}/imports", status_code=201, openapi_extra=XML_BODY)
def import_list(
    code: str,
    body: RawBody,
    session: SessionDep,
    ctx: ContextDep,
    actor: NationalRegulator,
    response: Response,
    signer: Annotated[
        str | None, Query(description="SHA-256 of the pinned signer to verify with.")
    ] = None,
) -> dict[str, Any]:
    """ECS-8.2: import scheme ``code``'s signed trusted list (the XML body). Its signature must
    verify against a pinned certificate — a list changed after signing is refused (422
    ``trust_list_signature``) and nothing is stored; the same list again answers 200."""
    imported = lists.import_list(session, ctx, actor, code, body, signer_sha256=signer)
    if not imported.created:
        response.status_code = 200
    row = imported.trusted_list
    return {
        **import_out(row, code.upper()),
        "created": imported.created,
        "services_listed": [service_out(s) for s in lists.services_of(session, row)],
    }


@router.get("/trust-lists/imports/{sha256}")
def get_import(sha256: str, session: SessionDep, _actor: Regulator) -> dict[str, Any]:
    """ECS-8.2: an imported list with its services, status and history."""
    row = lists.get_import(session, sha256)
    return {
        **import_out(row),
        "services_listed": [service_out(s) for s in lists.services_of(session, row)],
    }


@router.get("/trust-lists/imports/{sha256}/document", response_class=Response)
def get_import_document(sha256: str, session: SessionDep, _actor: Regulator) -> Response:
    """ECS-8.2: the imported list as received (its signature can be checked again)."""
    return Response(lists.get_import(session, sha256).document, media_type=TSL_MEDIA)
