"""Official documents as PDF over HTTP (issue 17): a licence (ECS-2.3), a penalty decision
(ECS-6.2), an app security certificate (APP-5, APP-9) and a complaint decision (ECS-5.2), in
Chinese (``lang=zh``, the default) or English (``lang=en``), each with its number, day of
issue and a QR code of the record's public page; and the lookup of an issued document by its
SHA-256. See ``docs/official-documents.md``.

Who may have which (SYS-6): a licence, its holder and the regulators (a provincial regulator
those of its province); a penalty decision, the penalised CA and the regulators who see its
case; an app certificate, anyone (as its verification page); a complaint decision, the
regulators handling the complaint.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from certgov.actors import ALL_ROLES, Actor, Role
from certgov.context import Context
from certgov.documents import DocumentKind, document_out, find, issue, links
from certgov.errors import ConfigurationError
from certgov.http.deps import ContextDep, PublicActor, SessionDep, allow_own_work
from certgov.http.params import PathId

router = APIRouter(tags=["official documents"])

LicenceReader = Annotated[
    Actor,
    Depends(allow_own_work(Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR, Role.CA_OPERATOR)),
]
Anyone = Annotated[Actor, Depends(allow_own_work(*ALL_ROLES))]
ComplaintReader = Annotated[
    Actor, Depends(allow_own_work(Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR))
]
Language = Annotated[
    Literal["zh", "en"],
    Query(description="The document's language: zh (Chinese, the default) or en (English)."),
]
_PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the document (PDF)"},
    404: {"description": "no such record, or one you may not see"},
    409: {"description": "the record has no such document yet (a complaint not decided)"},
    503: {"description": "the server cannot lay out documents (fonts not installed)"},
}


async def _document(
    ctx: Context, actor: Actor, kind: DocumentKind, reference: str, lang: str
) -> Response:
    try:
        issued = await run_in_threadpool(issue, ctx, actor, kind, reference, lang)
    except ConfigurationError as exc:
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=503)
    digest = base64.b64encode(hashlib.sha256(issued.data).digest()).decode("ascii")
    return Response(
        issued.data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{issued.filename}"',
            # RFC 9530: the SHA-256 of the document, as the platform keeps it.
            "Repr-Digest": f"sha-256=:{digest}:",
            "Cache-Control": "no-store" if kind is not DocumentKind.APP_CERTIFICATE else "no-cache",
        },
    )


@router.get("/licences/{number}/document.pdf", response_class=Response, responses=_PDF)
async def licence_document(
    number: str, ctx: ContextDep, actor: LicenceReader, lang: Language = "zh"
) -> Response:
    """ECS-2.3: the licence as an official document (电子认证服务许可证): holder, scope,
    validity, operating provinces, status on the day of issue. For its holder and the
    regulators (a provincial regulator: a CA registered in its province)."""
    return await _document(ctx, actor, DocumentKind.LICENCE, number, lang)


@router.get("/penalties/{penalty_id}/document.pdf", response_class=Response, responses=_PDF)
async def penalty_document(
    penalty_id: PathId, ctx: ContextDep, actor: LicenceReader, lang: Language = "zh"
) -> Response:
    """ECS-6.2: a penalty decision as an official document (行政处罚决定书): party, violation
    and its legal basis, penalty and fine, day of decision, reasons, rights of remedy. For the
    penalised CA and the regulators who may see its enforcement case."""
    return await _document(ctx, actor, DocumentKind.PENALTY, str(penalty_id), lang)


@router.get("/app-certifications/{number}/document.pdf", response_class=Response, responses=_PDF)
async def app_certificate_document(
    number: str, ctx: ContextDep, actor: Anyone, lang: Language = "zh"
) -> Response:
    """APP-5, APP-9: an app security certificate as an official document
    (移动互联网应用程序(App)安全认证证书), public like its verification page."""
    return await _document(ctx, actor, DocumentKind.APP_CERTIFICATE, number, lang)


@router.get("/complaints/cases/{case_id}/document.pdf", response_class=Response, responses=_PDF)
async def complaint_decision_document(
    case_id: PathId, ctx: ContextDep, actor: ComplaintReader, lang: Language = "zh"
) -> Response:
    """ECS-5.2: the decision on a complaint as an official document (投诉处理决定书): the
    complaint, the decision and its reasons; once decided. For the regulators handling it."""
    return await _document(ctx, actor, DocumentKind.COMPLAINT_DECISION, str(case_id), lang)


@router.get("/official-documents/{sha256}")
def official_document(
    sha256: Annotated[str, "the document's SHA-256, hex"],
    session: SessionDep,
    ctx: ContextDep,
    _actor: PublicActor,
) -> dict[str, Any]:
    """Check a copy: the document the platform issued with this SHA-256 (what it is, its
    number, language and day of issue, and the public page of its record); 404 when the
    platform issued no such document. Public: only someone holding the document knows it."""
    return document_out(find(session, sha256[:128]), links(ctx))
