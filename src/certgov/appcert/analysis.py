"""App samples in the certification process (APP-3, APP-7, APP-11): the operator's declared
practices on the application unit, the upload of the sample (APK), its analysis by the worker
in a memory- and time-bounded child process, the findings of each mismatch against the
declaration with the clause of the rule set's ``app_finding_clauses`` table, and the comparison
of a later sample (self-assessment, special inspection, surveillance) with the certified one.

The APK is checked by its content on upload (zip limits before anything is inflated, then the
manifest): a file that is not an APK, or a zip bomb, is refused with 422 and nothing is stored.
What only the full analysis can find (malformed dex, a program too large for the memory limit)
leaves the analysis ``failed`` with the reason; the worker stays healthy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import Actor, Role
from certgov.appcert.applications import application_case
from certgov.appcert.base import require, rules_of, state_of
from certgov.appcert.certifications import get as get_certification
from certgov.appcert.models import (
    AnalysisStatus,
    AppApplication,
    AppCertification,
    AppSampleAnalysis,
    CertificationStatus,
    SamplePurpose,
)
from certgov.appscan import (
    SampleIdentity,
    declaration_as_dict,
    declaration_from_dict,
    identify,
)
from certgov.appscan.isolation import JobLimits
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.context import Context
from certgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from certgov.i18n import N_
from certgov.text import Term

log = logging.getLogger("certgov.appcert.analysis")

#: States in which the application unit's operator uploads (or replaces) the sample.
SAMPLE_STATES = frozenset({"accepted", "technical_verification", "suspended_verification"})
#: States in which the declaration can still change (before the technical verification ends).
DECLARATION_STATES = frozenset({"submitted", *SAMPLE_STATES})
#: The processes a later sample can come with, and the purpose it then has.
CONTEXT_PURPOSES = {
    "app-self-assessment": SamplePurpose.SELF_ASSESSMENT,
    "app-special-inspection": SamplePurpose.SPECIAL_INSPECTION,
}
_OFFICIALS = frozenset({Role.CERTIFICATION_BODY, Role.TESTING_AGENCY, Role.APP_OPERATOR})


# --- Declared practices (APP-1) --------------------------------------------------------------


def parse_declaration(value: object, where: str = "") -> dict[str, Any]:
    """The declaration's JSON form, validated by ``certgov.appscan.declaration_from_dict``
    (422 naming the first wrong or unknown field) and normalised."""
    return declaration_as_dict(declaration_from_dict(value, where))


def declare(
    session: Session, ctx: Context, actor: Actor, case_id: int, body: object
) -> AppApplication:
    """The operator states (or restates) the unit's declared practices (APP-1): the body is
    the declaration. Allowed until the technical verification ends; a sample analysed before
    is judged against the declaration of its analysis (re-upload it to judge it again)."""
    require(actor, frozenset({Role.APP_OPERATOR}), N_("declare an app's practices"))
    case, application = application_case(session, ctx, actor, case_id)
    if case.state not in DECLARATION_STATES:
        raise Conflict(
            "application case {case} is {state}; the declared practices can change from its "
            "submission until the technical verification ends",
            case=case.id,
            state=state_of(ctx, case),
        )
    declaration = parse_declaration(body)
    application.declaration = declaration
    cases.annotate(
        session,
        ctx,
        actor,
        case,
        "practices_declared",
        changes={},
        expected_version=None,
        details={
            "pi_types": [p["type"] for p in declaration["pi_types"]],
            "sdks": [s["name"] for s in declaration["sdks"]],
        },
    )
    return application


# --- Sample upload (APP-3, APP-7) ------------------------------------------------------------


@dataclass(frozen=True)
class SampleUpload:
    """What came with the APK's bytes: its file name and the version it is said to be."""

    filename: str | None = None
    version: str | None = None


def _identified(data: bytes, limits: JobLimits) -> SampleIdentity:
    if not data:
        raise InvalidInput(
            "the request body is empty: send the APK's bytes",
            hint="Content-Type: application/vnd.android.package-archive",
        )
    return identify(data, limits.archive)


def _new_analysis(
    session: Session,
    ctx: Context,
    actor: Actor,
    *,
    case: Case,
    application: AppApplication,
    data: bytes,
    upload: SampleUpload,
    purpose: SamplePurpose,
    limits: JobLimits,
    certification: AppCertification | None = None,
    context_case: Case | None = None,
) -> AppSampleAnalysis:
    sample = _identified(data, limits)
    existing = session.scalar(
        select(AppSampleAnalysis.id).where(
            AppSampleAnalysis.case_id == case.id, AppSampleAnalysis.apk_sha256 == sample.sha256
        )
    )
    if existing is not None:
        raise Conflict(
            "this APK (SHA-256 {sha256}) was already uploaded for application case {case} "
            "(analysis {analysis})",
            hint="GET /api/v1/app-applications/{case}/analysis",
            sha256=sample.sha256,
            case=case.id,
            analysis=existing,
        )
    filename = strict_json.text(
        upload.filename or f"{sample.package}.apk", "filename", limit=255
    ).strip()
    version = strict_json.text(
        upload.version or sample.version_name or sample.version_code or "unknown",
        "version",
        limit=64,
    ).strip()
    row = AppSampleAnalysis(
        case_id=case.id,
        application_id=application.id,
        purpose=purpose.value,
        certification_id=certification.id if certification else None,
        context_case_id=context_case.id if context_case else None,
        filename=filename,
        version=version,
        apk_sha256=sample.sha256,
        apk_size=sample.size,
        apk=data,
        package=sample.package[:255],
        version_code=(sample.version_code or None) and sample.version_code[:64],
        version_name=(sample.version_name or None) and sample.version_name[:200],
        status=AnalysisStatus.QUEUED.value,
        attempts=0,
        rule_set_id=rules_of(ctx, case).id,
        uploaded_by=actor.name,
        created_at=ctx.clock.now(),
    )
    session.add(row)
    session.flush()
    ctx.audit.record(
        session,
        actor,
        "app.sample_uploaded",
        case_id=case.id,
        subject={"analysis": row.id, "sha256": row.apk_sha256},
        details={"purpose": purpose.value, "size": row.apk_size, "package": row.package},
    )
    return row


def upload_sample(
    session: Session,
    ctx: Context,
    actor: Actor,
    case_id: int,
    data: bytes,
    upload: SampleUpload,
    limits: JobLimits | None = None,
) -> AppSampleAnalysis:
    """The operator uploads the application unit's sample (APP-3): checked by content,
    its SHA-256 kept, an analysis queued. In ``accepted`` (with a testing agency assigned) this
    is the ``submit_sample`` transition; during the technical verification it replaces the
    sample (a remedy, say)."""
    require(actor, frozenset({Role.APP_OPERATOR}), N_("upload an application's sample"))
    limits = limits or JobLimits()
    case, application = application_case(session, ctx, actor, case_id)
    if case.state not in SAMPLE_STATES:
        raise Conflict(
            "application case {case} is {state}; the sample is uploaded once the application "
            "is accepted, until the technical verification ends",
            case=case.id,
            state=state_of(ctx, case),
        )
    row = _new_analysis(
        session,
        ctx,
        actor,
        case=case,
        application=application,
        data=data,
        upload=upload,
        purpose=SamplePurpose.CERTIFICATION,
        limits=limits,
    )
    sample = {
        "filename": row.filename,
        "sha256": row.apk_sha256,
        "size": row.apk_size,
        "version": row.version,
    }
    if case.state == "accepted":
        cases.transition(
            session,
            ctx,
            actor,
            case.id,
            "submit_sample",
            expected_version=None,
            payload={"sample": sample},
        )
    else:
        application.sample = sample
        cases.annotate(
            session,
            ctx,
            actor,
            case,
            "sample_replaced",
            changes={"sample": sample},
            expected_version=None,
            details={"analysis": row.id},
        )
    return row


def upload_later_sample(
    session: Session,
    ctx: Context,
    actor: Actor,
    number: str,
    data: bytes,
    upload: SampleUpload,
    context_case_id: int | None,
    limits: JobLimits | None = None,
) -> AppSampleAnalysis:
    """A sample of a certified app after certification (APP-7, APP-8): by the holder with a
    self-assessment report (``context_case_id``: its open ``app-self-assessment`` case), or by
    the certification body (surveillance; or with a special inspection case). Analysed like
    the first one and compared with the certified sample's report."""
    require(actor, frozenset({Role.APP_OPERATOR, Role.CERTIFICATION_BODY}), N_("upload samples"))
    limits = limits or JobLimits()
    cert = get_certification(session, number)
    if actor.role is Role.APP_OPERATOR and actor.party_id != cert.party_id:
        raise Forbidden(
            "certification {number} is not held by your organisation", number=cert.number
        )
    if cert.status not in (CertificationStatus.VALID.value, CertificationStatus.SUSPENDED.value):
        raise Conflict(
            "certification {number} is {status}; samples concern a live one",
            number=cert.number,
            status=Term("certification_status", cert.status),
        )
    context_case = None
    purpose = SamplePurpose.SURVEILLANCE
    if context_case_id is not None:
        context_case = cases.get_case(session, ctx, actor, context_case_id)
        found = CONTEXT_PURPOSES.get(context_case.process_id)
        if found is None or context_case.data.get("certification") != cert.number:
            raise InvalidInput(
                "case_id: case {case} is not a self-assessment or special inspection of "
                "certification {number}",
                details={"field": "case_id"},
                case=context_case_id,
                number=cert.number,
            )
        if context_case.closed:
            raise Conflict(
                "case {case} is closed ({state})",
                case=context_case.id,
                state=state_of(ctx, context_case),
            )
        purpose = found
    elif actor.role is Role.APP_OPERATOR:
        raise InvalidInput(
            "case_id: the holder uploads a later sample with its self-assessment case",
            hint="report the event first: POST /api/v1/app-certifications/{number}/events",
            details={"field": "case_id"},
            number=cert.number,
        )
    application = session.scalar(
        select(AppApplication).where(AppApplication.case_id == cert.application_case_id)
    )
    case = session.get(Case, cert.application_case_id)
    if application is None or case is None:
        raise NotFound(
            "certification {number} has no application unit on record", number=cert.number
        )
    return _new_analysis(
        session,
        ctx,
        actor,
        case=case,
        application=application,
        data=data,
        upload=upload,
        purpose=purpose,
        limits=limits,
        certification=cert,
        context_case=context_case,
    )


# --- Reading (APP-3, APP-11) -----------------------------------------------------------------


def analyses_of(
    session: Session, ctx: Context, actor: Actor, case_id: int
) -> tuple[Case, AppApplication, list[AppSampleAnalysis]]:
    """The samples of an application unit and their analyses, newest first: for the
    certification body, the assigned testing agency and the unit's operator."""
    if actor.role not in _OFFICIALS:
        raise Forbidden(
            "a {role} may not {what}",
            role=Term("role", actor.role),
            what=Term("message", N_("read sample analyses")),
        )
    case, application = application_case(session, ctx, actor, case_id)
    rows = list(
        session.scalars(
            select(AppSampleAnalysis)
            .where(AppSampleAnalysis.case_id == case.id)
            .order_by(AppSampleAnalysis.id.desc())
        )
    )
    return case, application, rows


# --- The worker job (APP-11) -----------------------------------------------------------------
