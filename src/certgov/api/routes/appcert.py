"""App security certification over HTTP (APP-1 to APP-10): applications and their documents,
eligibility records, testing agencies and assignment, checklist results and deficiencies,
decision receipts and complaints, certifications with public verification, status decisions,
self-assessment events and special inspections. Transitions of the scheme's cases (accept,
submit_sample, complete_verification, grant, deny, …) go through ``/cases/{id}/transitions``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response
from sqlalchemy import select

from certgov import uploads
from certgov.actors import Actor, Role
from certgov.appcert import (
    agencies,
    analysis,
    applications,
    certifications,
    compliance,
    evidence,
    records,
    schemas,
    technical_verification,
)
from certgov.appcert.base import rules_on, today
from certgov.appcert.checklist import checklist
from certgov.cases.schemas import case_detail
from certgov.findings.models import Finding
from certgov.http.deps import ContextDep, PublicActor, RawBody, SessionDep, allow
from certgov.http.params import PathId, QueryId
from certgov.uploads.models import StoredUpload

router = APIRouter(tags=["app security certification"])

JsonBody = Annotated[dict[str, Any], Body()]
AppOperator = Annotated[Actor, Depends(allow(Role.APP_OPERATOR))]
CertificationBody = Annotated[Actor, Depends(allow(Role.CERTIFICATION_BODY))]
Assessor = Annotated[Actor, Depends(allow(Role.TESTING_AGENCY, Role.CERTIFICATION_BODY))]
#: Who sees application units: the scheme's officials, the assigned agency, the applicant.
CaseReader = Annotated[
    Actor,
    Depends(
        allow(
            Role.NATIONAL_REGULATOR,
            Role.CERTIFICATION_BODY,
            Role.TESTING_AGENCY,
            Role.APP_OPERATOR,
        )
    ),
]
RecordReader = Annotated[
    Actor, Depends(allow(Role.NATIONAL_REGULATOR, Role.CERTIFICATION_BODY, Role.APP_OPERATOR))
]
Recorder = Annotated[Actor, Depends(allow(Role.NATIONAL_REGULATOR, Role.CERTIFICATION_BODY))]


# --- Testing agencies (APP-3) ------------------------------------------------------------------


@router.get("/app-testing-agencies")
def list_agencies(session: SessionDep, _actor: PublicActor) -> list[dict[str, Any]]:
    """APP-3: the testing agencies appointed by the certification body, public."""
    return [schemas.agency_out(row, party) for row, party in agencies.agencies(session)]


@router.post("/app-testing-agencies", status_code=201)
def appoint_agency(
    body: JsonBody, session: SessionDep, ctx: ContextDep, actor: CertificationBody
) -> dict[str, Any]:
    """APP-3: appoint a testing agency ``{"party_id"[, "note"]}`` (certification body)."""
    row = agencies.appoint(session, ctx, actor, body)
    party = agencies.appointed(session, row.party_id)
    return schemas.agency_out(row, party)


@router.post("/app-testing-agencies/{party_id}/withdrawal")
def withdraw_agency(
    party_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: CertificationBody
) -> dict[str, Any]:
    """APP-3: end an agency's appointment ``{"reason"}`` (certification body)."""
    row = agencies.withdraw(session, ctx, actor, party_id, body)
    return next(schemas.agency_out(r, p) for r, p in agencies.agencies(session) if r.id == row.id)


@router.get("/app-checklist")
def get_checklist(
    session: SessionDep,
    ctx: ContextDep,
    _actor: PublicActor,
    on: Annotated[dt.date | None, Query(description="Date (default: today, China time).")] = None,
) -> dict[str, Any]:
    """APP-3 / APP-4: the checklist of the technical specification under the rule set in force:
    GB/T 35273 requirement groups and the six 2019 identification categories."""
    rule_set = rules_on(session, ctx, on or today(ctx))
    return {"rule_set": rule_set.id, "items": [i.as_dict() for i in checklist(rule_set)]}


# --- What bars applications (APP-2) -----------------------------------------------------------


@router.post("/app-operators/{party_id}/records", status_code=201)
def add_record(
    party_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: Recorder
) -> dict[str, Any]:
    """APP-2: record what may bar an operator's applications ``{"kind", "occurred_on",
    "description"[, "ends_on", "reference"]}``: ``law_violation``,
    ``serious_security_incident``, ``similar_certification_revoked`` or a bar of the rule set's
    ``additional_eligibility_bars``."""
    return schemas.record_out(records.add_record(session, ctx, actor, party_id, body))


@router.get("/app-operators/{party_id}/records")
def list_records(
    party_id: PathId, session: SessionDep, ctx: ContextDep, actor: RecordReader
) -> list[dict[str, Any]]:
    """APP-2: an operator's records (the scheme's officials; the operator its own)."""
    return [schemas.record_out(r) for r in records.records_of(session, ctx, actor, party_id)]


@router.get("/app-operators/{party_id}/eligibility")
def eligibility(
    party_id: PathId,
    session: SessionDep,
    ctx: ContextDep,
    actor: RecordReader,
    on: Annotated[dt.date | None, Query(description="Application date (default: today).")] = None,
) -> dict[str, Any]:
    """APP-2: would an application on ``on`` be barred, and by what?"""
    return records.eligibility_of(session, ctx, actor, party_id, on).as_dict()


# --- Applications (APP-1 to APP-6) -------------------------------------------------------------


@router.post("/app-applications", status_code=201)
def submit_application(
    body: JsonBody, session: SessionDep, ctx: ContextDep, actor: AppOperator
) -> dict[str, Any]:
    """APP-1 / APP-2: apply for an app on one or more operating systems ``{"app_name",
    "version_line", "operating_systems": [...], "documents": [{"kind", "filename",
    "content_base64"[, "sha256"]}]}``: one application unit (case) per system; eligibility is
    judged on submission and a barred unit is refused at once with every reason."""
    units = applications.submit(session, ctx, actor, body)
    return {
        "eligible": all(u.application.eligible for u in units),
        "units": [schemas.application_out(u) for u in units],
    }


@router.get("/app-applications")
def list_applications(
    session: SessionDep,
    ctx: ContextDep,
    actor: CaseReader,
    state: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Application units you may see: all (certification body), your assigned ones (testing
    agency), your own (operator)."""
    units = applications.list_units(session, ctx, actor, state=state, limit=limit)
    return [schemas.application_out(u) for u in units]


@router.get("/app-applications/{case_id}")
def get_application(
    case_id: PathId, session: SessionDep, ctx: ContextDep, actor: CaseReader
) -> dict[str, Any]:
    """An application unit with documents, eligibility, checklist results, deficiencies,
    decision and certification."""
    return schemas.application_view(session, ctx, actor, case_id)


@router.get("/app-applications/{case_id}/documents/{sha256}")
def get_document(
    case_id: PathId, sha256: str, session: SessionDep, ctx: ContextDep, actor: CaseReader
) -> Response:
    """APP-1: a document of the application, as stored (its SHA-256 names it)."""
    row = applications.document(session, ctx, actor, case_id, sha256)
    return Response(
        row.content,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="document-{row.sha256[:16]}"',
            "X-Content-SHA256": row.sha256,
        },
    )


@router.post("/app-applications/{case_id}/assignment")
def assign(
    case_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: CertificationBody
) -> dict[str, Any]:
    """APP-3: assign the application to an appointed testing agency ``{"agency_party_id"}``."""
    case = applications.assign(session, ctx, actor, case_id, body)
    return case_detail(session, ctx, actor, case)


@router.post("/app-applications/{case_id}/results")
def record_results(
    case_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: Assessor
) -> dict[str, Any]:
    """APP-3 / APP-4: record checklist results ``{"results": [{"item", "result", "note"[,
    "due_on"]}]}``: the assigned testing agency during the technical verification, the
    certification body on site. A deficient item opens a deficiency with its deadline."""
    technical_verification.record_results(session, ctx, actor, case_id, body)
    return schemas.application_view(session, ctx, actor, case_id)


_EVIDENCE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            kind: {"schema": {"type": "string", "format": "binary"}}
            for kind in ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp")
        },
    }
}
EvidenceItem = Annotated[
    str,
    Query(
        min_length=1,
        max_length=40,
        description="The checklist item (``group-1`` … ``category-6``, see /app-checklist).",
    ),
]
EvidenceName = Annotated[str | None, Query(max_length=255, description="The file's name.")]
#: Who reads the assessors' evidence files (SYS-6): not the applicant.
EvidenceReader = Annotated[
    Actor,
    Depends(allow(Role.NATIONAL_REGULATOR, Role.CERTIFICATION_BODY, Role.TESTING_AGENCY)),
]


@router.post("/app-applications/{case_id}/evidence", status_code=201, openapi_extra=_EVIDENCE_BODY)
def attach_evidence(
    case_id: PathId,
    data: RawBody,
    session: SessionDep,
    ctx: ContextDep,
    actor: Assessor,
    item: EvidenceItem,
    filename: EvidenceName = None,
) -> dict[str, Any]:
    """APP-3 / APP-4: an evidence file for a checklist item (the file's bytes as the body, a PDF
    or an image, checked by content and size: an empty, oversized or other file is 422 and
    nothing is stored), by the stage's assessor while it assesses; recorded in the case
    history. The file is then listed under the item in the application's checklist."""
    checked = uploads.check(
        data, filename or "evidence", evidence.KINDS, ctx.settings.upload_max_bytes
    )
    (row,) = technical_verification.attach_evidence(
        session, ctx, actor, case_id, [evidence.EvidenceIn(item, checked)]
    )
    stored = session.get(StoredUpload, row.upload_id)
    assert stored is not None
    return evidence.evidence_out(row, stored)


@router.get("/app-applications/{case_id}/evidence/{evidence_id}")
def get_evidence(
    case_id: PathId,
    evidence_id: PathId,
    session: SessionDep,
    ctx: ContextDep,
    actor: EvidenceReader,
) -> Response:
    """APP-3 / APP-4: an evidence file of the checklist, as a download (certification body,
    the assigned testing agency, the national regulator)."""
    _row, stored, content = evidence.evidence_file(session, ctx, actor, case_id, evidence_id)
    return Response(
        content,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="evidence-{stored.sha256[:16]}"',
            "X-Content-SHA256": stored.sha256,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.post("/app-applications/{case_id}/remedies")
def submit_remedy(
    case_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: AppOperator
) -> dict[str, Any]:
    """APP-3 / APP-4: remedy a deficiency ``{"deficiency_id", "statement"[,
    "evidence_sha256"]}``."""
    return schemas.deficiency_out(
        technical_verification.submit_remedy(session, ctx, actor, case_id, body)
    )


@router.post("/app-applications/{case_id}/remedy-reviews")
def review_remedy(
    case_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: Assessor
) -> dict[str, Any]:
    """APP-3 / APP-4: accept or refuse a remedy ``{"deficiency_id", "accepted", "note"}``; a
    suspended process resumes once no deficiency is past its deadline."""
    technical_verification.review_remedy(session, ctx, actor, case_id, body)
    return schemas.application_view(session, ctx, actor, case_id)


@router.post("/app-applications/{case_id}/decision-receipt")
def record_receipt(
    case_id: PathId,
    body: JsonBody,
    session: SessionDep,
    ctx: ContextDep,
    actor: Annotated[Actor, Depends(allow(Role.APP_OPERATOR, Role.CERTIFICATION_BODY))],
) -> dict[str, Any]:
    """APP-5 / APP-6: the day the applicant received the decision ``{"received_on"}``."""
    applications.record_receipt(session, ctx, actor, case_id, body)
    return schemas.application_view(session, ctx, actor, case_id)


@router.post("/app-complaints", status_code=201)
def file_complaint(
    body: JsonBody, session: SessionDep, ctx: ContextDep, actor: AppOperator
) -> dict[str, Any]:
    """APP-6: complain against a denial ``{"application_case_id", "grounds"}`` within 10
    business days of receiving it (a later one is refused with the last day it could be
    filed); acceptance is due within 5 and the decision within 30 business days."""
    case = applications.file_complaint(session, ctx, actor, body)
    return case_detail(session, ctx, actor, case)


@router.get("/app-findings")
def list_findings(
    session: SessionDep,
    actor: Recorder,
    status: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """APP-6 / APP-7: findings of the scheme (overdue complaint handling, late self-assessment
    reports), newest first."""
    query = select(Finding).where(Finding.requirement.startswith("APP-"))
    if status is not None:
        query = query.where(Finding.status == status)
    rows = session.scalars(query.order_by(Finding.id.desc()).limit(limit))
    return [
        {
            "id": f.id,
            "code": f.code,
            "key": f.dedup_key,
            "severity": f.severity,
            "status": f.status,
            "title": f.title,
            "message": f.message,
            "requirement": f.requirement,
            "case_id": f.case_id,
            "party_id": f.party_id,
            "first_seen": f.first_seen.isoformat(),
            "last_seen": f.last_seen.isoformat(),
        }
        for f in rows
    ]


# --- Certifications (APP-5, APP-7 to APP-10) ---------------------------------------------------


@router.get("/app-certifications")
def list_certifications(
    session: SessionDep,
    ctx: ContextDep,
    _actor: PublicActor,
    status: Annotated[str | None, Query(max_length=16)] = None,
    holder: Annotated[int | None, Query(description="Holder party id.")] = None,
) -> list[dict[str, Any]]:
    """APP-9: certified apps with their status, public."""
    return [
        schemas.certification_out(session, ctx, cert, history=False)
        for cert in certifications.list_certifications(session, status=status, party_id=holder)
    ]


@router.get("/app-certifications/{number}")
def verify_certification(
    number: str, session: SessionDep, ctx: ContextDep, _actor: PublicActor
) -> dict[str, Any]:
    """APP-9 / APP-10: verify a certification by its number, no login: what is certified, its
    status (a suspended one "may not be used") and its history."""
    return schemas.certification_out(session, ctx, certifications.get(session, number))


@router.post("/app-certifications/{number}/status")
def change_status(
    number: str, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: CertificationBody
) -> dict[str, Any]:
    """APP-10: suspend (for the rule set's suspension_period), reinstate after remedy, or revoke
    ``{"action", "reason"[, "expected_version"]}`` (certification body)."""
    cert = certifications.change_status(session, ctx, actor, number, body)
    return schemas.certification_out(session, ctx, cert)


@router.post("/app-certifications/{number}/events", status_code=201)
def report_event(
    number: str, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: AppOperator
) -> dict[str, Any]:
    """APP-7: the holder reports an event needing a self-assessment report ``{"trigger",
    "description"[, "occurred_on"]}``; the report is due within the rule set's period (submit
    it as the case's ``submit_report`` transition with payload ``report``)."""
    case = compliance.report_event(session, ctx, actor, number, body)
    return case_detail(session, ctx, actor, case)


@router.post("/app-certifications/{number}/inspections", status_code=201)
def open_inspection(
    number: str, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: CertificationBody
) -> dict[str, Any]:
    """APP-8: open a special inspection ``{"trigger", "description"}``; it concludes compliant,
    or suspends or revokes the certification."""
    case = compliance.open_inspection(session, ctx, actor, number, body)
    return case_detail(session, ctx, actor, case)


# --- Samples and their analysis (APP-3, APP-7, APP-11) -----------------------------------------

#: Who reads sample analyses: the certification body, the assigned agency, the app's operator.
AnalysisReader = Annotated[
    Actor, Depends(allow(Role.CERTIFICATION_BODY, Role.TESTING_AGENCY, Role.APP_OPERATOR))
]
SampleUploader = Annotated[Actor, Depends(allow(Role.APP_OPERATOR, Role.CERTIFICATION_BODY))]
_APK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/vnd.android.package-archive": {
                "schema": {"type": "string", "format": "binary"}
            }
        },
    }
}
FileName = Annotated[str | None, Query(max_length=255, description="The APK's file name.")]
SampleVersion = Annotated[
    str | None, Query(max_length=64, description="The version (default: the manifest's).")
]


@router.put("/app-applications/{case_id}/declaration")
def declare_practices(
    case_id: PathId, body: JsonBody, session: SessionDep, ctx: ContextDep, actor: AppOperator
) -> dict[str, Any]:
    """APP-1 / APP-11: the unit's declared personal-information practices ``{"purposes",
    "pi_types": [{"type", "purpose", "necessary"}], "permissions", "sdks": [{"name", "id",
    "packages", "collects", "purpose"}], "sharing": [{"recipient", "pi_types", "purpose"}]}``;
    a wrong or unknown field is 422 naming it."""
    analysis.declare(session, ctx, actor, case_id, body)
    return schemas.application_view(session, ctx, actor, case_id)


@router.post("/app-applications/{case_id}/sample", status_code=202, openapi_extra=_APK_BODY)
def upload_sample(
    case_id: PathId,
    data: RawBody,
    session: SessionDep,
    ctx: ContextDep,
    actor: AppOperator,
    filename: FileName = None,
    version: SampleVersion = None,
) -> dict[str, Any]:
    """APP-3: upload the unit's sample (the APK's bytes as the body; checked by content, not
    name; a zip bomb or a file that is not an APK is 422 and nothing is stored). Its SHA-256
    is kept and an analysis is queued; in ``accepted`` this submits the sample."""
    row = analysis.upload_sample(
        session, ctx, actor, case_id, data, analysis.SampleUpload(filename, version)
    )
    return schemas.analysis_out(row, full=False)


@router.get("/app-applications/{case_id}/analysis")
def get_analysis(
    case_id: PathId, session: SessionDep, ctx: ContextDep, actor: AnalysisReader
) -> dict[str, Any]:
    """APP-11: the unit's samples and their analyses, newest first: the report (permissions,
    SDKs, call sites with their owner, collection before consent), the findings against the
    declaration with their clauses, and for later samples the comparison with the certified
    one (certification body, assigned testing agency, the app's operator)."""
    case, application, rows = analysis.analyses_of(session, ctx, actor, case_id)
    return {
        "case_id": case.id,
        "declaration": application.declaration,
        "sample": application.sample,
        "analyses": [schemas.analysis_out(row) for row in rows],
    }


@router.post("/app-certifications/{number}/samples", status_code=202, openapi_extra=_APK_BODY)
def upload_later_sample(
    number: str,
    data: RawBody,
    session: SessionDep,
    ctx: ContextDep,
    actor: SampleUploader,
    case_id: QueryId = None,
    filename: FileName = None,
    version: SampleVersion = None,
) -> dict[str, Any]:
    """APP-7 / APP-8: a later sample of a certified app (APK bytes as the body): the holder's
    with its self-assessment case (``case_id``), or the certification body's (surveillance, or
    with a special inspection case). Analysed and compared with the certified sample: new
    permissions, SDKs or call sites are an APP-7 finding."""
    row = analysis.upload_later_sample(
        session, ctx, actor, number, data, analysis.SampleUpload(filename, version), case_id
    )
    return schemas.analysis_out(row, full=False)
