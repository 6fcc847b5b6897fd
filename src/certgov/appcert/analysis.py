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

import datetime as dt
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from certgov import strict_json
from certgov.actors import SYSTEM_ACTOR, Actor, Role
from certgov.appcert.applications import application_case
from certgov.appcert.base import require, rules_of
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
    compare,
    declaration_as_dict,
    declaration_from_dict,
    identify,
)
from certgov.appscan.clauses import CLAUSE_PARAMETER
from certgov.appscan.isolation import JobLimits, Outcome, run_isolated
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.context import Context
from certgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from certgov.findings.services import Problem, raise_finding
from certgov.store.engine import unit_of_work

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
#: Most analyses one sweep runs (one at a time): each can take up to the wall-clock limit.
DEFAULT_SWEEP_LIMIT = 2
#: An analysis ``running`` for longer than this (a worker stopped mid-way) is claimed again,
#: at most ``MAX_ATTEMPTS`` times in all.
STALE_AFTER = dt.timedelta(minutes=15)
MAX_ATTEMPTS = 2
#: Severity of the finding of each kind (the testing agency confirms each one).
SEVERITY = {
    "collection_before_consent": "high",
    "sdk_before_consent": "high",
    "undeclared_pi_type": "medium",
    "sdk_undeclared_pi_type": "medium",
    "undeclared_sdk": "medium",
    "undeclared_permission": "medium",
    "unnecessary_pi_collected": "low",
}
#: One analysis at a time in each worker process (analyses need their memory limit each).
_RUNNING = threading.Lock()

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
    require(actor, frozenset({Role.APP_OPERATOR}), "declare an app's practices")
    case, application = application_case(session, ctx, actor, case_id)
    if case.state not in DECLARATION_STATES:
        raise Conflict(
            f"application case {case.id} is {case.state}; the declared practices can change "
            f"while it is {', '.join(sorted(DECLARATION_STATES))}"
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
            f"this APK (SHA-256 {sample.sha256}) was already uploaded for application case "
            f"{case.id} (analysis {existing})",
            hint=f"GET /api/v1/app-applications/{case.id}/analysis",
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
    require(actor, frozenset({Role.APP_OPERATOR}), "upload an application's sample")
    limits = limits or JobLimits()
    case, application = application_case(session, ctx, actor, case_id)
    if case.state not in SAMPLE_STATES:
        raise Conflict(
            f"application case {case.id} is {case.state}; the sample is uploaded when it is "
            f"{', '.join(sorted(SAMPLE_STATES))}"
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
    require(actor, frozenset({Role.APP_OPERATOR, Role.CERTIFICATION_BODY}), "upload samples")
    limits = limits or JobLimits()
    cert = get_certification(session, number)
    if actor.role is Role.APP_OPERATOR and actor.party_id != cert.party_id:
        raise Forbidden(f"certification {cert.number} is not held by your organisation")
    if cert.status not in (CertificationStatus.VALID.value, CertificationStatus.SUSPENDED.value):
        raise Conflict(f"certification {cert.number} is {cert.status}; samples concern a live one")
    context_case = None
    purpose = SamplePurpose.SURVEILLANCE
    if context_case_id is not None:
        context_case = cases.get_case(session, ctx, actor, context_case_id)
        found = CONTEXT_PURPOSES.get(context_case.process_id)
        if found is None or context_case.data.get("certification") != cert.number:
            raise InvalidInput(
                f"case_id: case {context_case_id} is not a self-assessment or special "
                f"inspection of certification {cert.number}",
                details={"field": "case_id"},
            )
        if context_case.closed:
            raise Conflict(f"case {context_case.id} is closed ({context_case.state})")
        purpose = found
    elif actor.role is Role.APP_OPERATOR:
        raise InvalidInput(
            "case_id: the holder uploads a later sample with its self-assessment case",
            hint=f"report the event first: POST /api/v1/app-certifications/{cert.number}/events",
            details={"field": "case_id"},
        )
    application = session.scalar(
        select(AppApplication).where(AppApplication.case_id == cert.application_case_id)
    )
    case = session.get(Case, cert.application_case_id)
    if application is None or case is None:
        raise NotFound(f"certification {cert.number} has no application unit on record")
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
        raise Forbidden(f"a {actor.role} may not read sample analyses")
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


@dataclass
class AnalysisSweep:
    done: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    findings: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"done": self.done, "failed": self.failed, "findings": self.findings}


def sweep_analyses(
    ctx: Context, *, limit: int = DEFAULT_SWEEP_LIMIT, limits: JobLimits | None = None
) -> AnalysisSweep:
    """Worker job: claim queued analyses one at a time (SKIP LOCKED on PostgreSQL, so workers
    share the queue), run each in a bounded child process outside any transaction, and record
    the report and findings, or the failure with its reason, in a transaction of its own."""
    report = AnalysisSweep()
    if not _RUNNING.acquire(blocking=False):
        return report  # this process is already analysing (serve's thread and a CLI run)
    try:
        for _ in range(max(limit, 0)):
            claimed = _claim(ctx)
            if claimed is None:
                break
            analysis_id, apk, declaration, clauses = claimed
            outcome = run_isolated(apk, declaration, clauses, limits)
            with unit_of_work(ctx.sessions) as session:
                raised = _record(session, ctx, analysis_id, outcome)
            if outcome.ok:
                report.done.append(analysis_id)
                report.findings += raised
            else:
                report.failed.append(analysis_id)
                log.info("app sample analysis %s failed: %s", analysis_id, outcome.reason)
    finally:
        _RUNNING.release()
    return report


def _claim(ctx: Context) -> tuple[int, bytes, dict[str, Any] | None, dict[str, Any]] | None:
    """Claim the oldest queued analysis (or one left ``running`` by a stopped worker) and
    mark it running; its id, APK, declaration and clause table. Rows past ``MAX_ATTEMPTS``
    are failed on the way."""
    with unit_of_work(ctx.sessions) as session:
        now = ctx.clock.now()
        query = (
            select(AppSampleAnalysis)
            .where(
                or_(
                    AppSampleAnalysis.status == AnalysisStatus.QUEUED.value,
                    (AppSampleAnalysis.status == AnalysisStatus.RUNNING.value)
                    & (AppSampleAnalysis.started_at < now - STALE_AFTER),
                )
            )
            .order_by(AppSampleAnalysis.id)
            .limit(1)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        while (row := session.scalar(query)) is not None:
            case = session.get(Case, row.case_id)
            application = session.get(AppApplication, row.application_id)
            if row.attempts >= MAX_ATTEMPTS:
                _fail(
                    session,
                    ctx,
                    row,
                    f"analysis_abandoned: the analysis did not finish in {row.attempts} "
                    "attempts (the worker stopped during it)",
                )
                continue
            if case is None or application is None:
                _fail(session, ctx, row, "analysis_orphaned: the application unit is gone")
                continue
            rule_set = rules_of(ctx, case)
            clauses = rule_set.clause_table(CLAUSE_PARAMETER)
            row.status = AnalysisStatus.RUNNING.value
            row.started_at = now
            row.attempts += 1
            row.declaration = application.declaration
            row.clause_table_version = f"{rule_set.id}/{CLAUSE_PARAMETER} {clauses.version}"
            session.flush()
            return row.id, row.apk, application.declaration, clauses.as_dict()
        return None


def _fail(session: Session, ctx: Context, row: AppSampleAnalysis, reason: str) -> None:
    row.status = AnalysisStatus.FAILED.value
    row.reason = reason
    row.finished_at = ctx.clock.now()
    ctx.audit.record(
        session,
        SYSTEM_ACTOR,
        "app.sample_analysis_failed",
        case_id=row.case_id,
        subject={"analysis": row.id, "sha256": row.apk_sha256},
        details={"reason": reason},
    )
    session.flush()


def _record(session: Session, ctx: Context, analysis_id: int, outcome: Outcome) -> int:
    """Store the outcome of analysis ``analysis_id``; the number of findings raised."""
    row = session.get(AppSampleAnalysis, analysis_id)
    if row is None or row.status != AnalysisStatus.RUNNING.value:
        return 0  # taken over meanwhile (claimed again as stale): that run records it
    if not outcome.ok or outcome.report is None:
        _fail(session, ctx, row, outcome.reason or "analysis_error: no result")
        return 0
    report: dict[str, Any] = outcome.report
    row.report = report
    row.findings = list(outcome.findings or [])
    row.analyser_version = str(report.get("analyser_version", ""))[:200]
    row.signature_data_version = str(report.get("signature_data_version", ""))[:200]
    row.api_rules_version = str(report.get("api_rules_version", ""))[:200]
    row.status = AnalysisStatus.DONE.value
    row.reason = None
    row.finished_at = ctx.clock.now()
    case = session.get(Case, row.case_id)
    assert case is not None
    raised = 0
    for finding in row.findings:
        raise_finding(session, ctx, SYSTEM_ACTOR, _problem(row, case, finding))
        raised += 1
    if row.certification_id is not None:
        raised += _compare_with_certified(session, ctx, row, case)
    ctx.audit.record(
        session,
        SYSTEM_ACTOR,
        "app.sample_analysed",
        case_id=row.case_id,
        subject={"analysis": row.id, "sha256": row.apk_sha256},
        details={
            "findings": [f"{f['kind']}:{f['subject']}" for f in row.findings],
            "analyser": row.analyser_version,
            "clause_table": row.clause_table_version,
        },
    )
    session.flush()
    return raised


def _problem(row: AppSampleAnalysis, case: Case, finding: Mapping[str, Any]) -> Problem:
    clause = finding["clause"]
    kind, subject = str(finding["kind"]), str(finding["subject"])
    cited = (
        f"GB/T 35273-2020 {clause['gbt35273']} (2017: {clause['gbt35273_2017']}), "
        f"2019 Methods item {clause['methods_item']}"
        + (" — the mapping is assumed" if clause.get("assumed") else "")
    )
    return Problem(
        code=f"app-scan-{kind.replace('_', '-')}",
        key=f"app-scan:{case.id}:{kind}:{subject}",
        severity=SEVERITY.get(kind, "medium"),
        title=f"App sample {row.version}: {finding['message']}"[:500],
        message=f"{finding['message']} ({cited}); sample {row.filename}, SHA-256 "
        f"{row.apk_sha256}, analysis {row.id}.",
        requirement="APP-11",
        party_id=case.subject_party_id,
        jurisdiction=case.jurisdiction,
        case_id=case.id,
        details={
            "analysis_id": row.id,
            "apk_sha256": row.apk_sha256,
            "kind": kind,
            "subject": subject,
            "clause": clause,
            "rule_set": row.rule_set_id,
            "clause_table": row.clause_table_version,
            "evidence": list(finding.get("evidence", []))[:20],
        },
    )


def certified_analysis(session: Session, case_id: int) -> AppSampleAnalysis | None:
    """The done analysis of the sample the unit was certified with: the one whose SHA-256 is
    the application's sample, else the latest done analysis uploaded for the application."""
    application = session.scalar(select(AppApplication).where(AppApplication.case_id == case_id))
    base = select(AppSampleAnalysis).where(
        AppSampleAnalysis.case_id == case_id,
        AppSampleAnalysis.status == AnalysisStatus.DONE.value,
        AppSampleAnalysis.purpose == SamplePurpose.CERTIFICATION.value,
    )
    sha256 = (application.sample or {}).get("sha256") if application else None
    if sha256:
        found = session.scalar(base.where(AppSampleAnalysis.apk_sha256 == sha256))
        if found is not None:
            return found
    return session.scalar(base.order_by(AppSampleAnalysis.id.desc()).limit(1))


def _compare_with_certified(
    session: Session, ctx: Context, row: AppSampleAnalysis, case: Case
) -> int:
    """APP-7: the later sample against the certified one; anything new is a finding and a line
    in the self-assessment (or inspection) case's history."""
    certified = certified_analysis(session, case.id)
    cert = session.get(AppCertification, row.certification_id)
    if certified is None or certified.report is None or row.report is None or cert is None:
        row.comparison = {"compared_with": None, "note": "no analysed certified sample"}
        return 0
    comparison = compare(certified.report, row.report).as_dict()
    row.comparison = {"compared_with": certified.id, **comparison}
    if not comparison["widened"]:
        return 0
    added = {
        "permissions": comparison["new_permissions"],
        "sdks": comparison["new_sdks"],
        "pi_types": comparison["new_pi_types"],
        "call_sites": len(comparison["new_call_sites"]),
    }
    summary = "; ".join(
        f"new {name}: {', '.join(values) if isinstance(values, list) else values}"
        for name, values in added.items()
        if values
    )
    context = session.get(Case, row.context_case_id) if row.context_case_id else None
    raise_finding(
        session,
        ctx,
        SYSTEM_ACTOR,
        Problem(
            code="app-sample-widened",
            key=f"app-sample-widened:{cert.number}:{row.apk_sha256}",
            severity="medium",
            title=f"Certified app {cert.number} collects more in sample {row.version}",
            message=(
                f"Sample {row.version} (SHA-256 {row.apk_sha256}) of {cert.app_name} "
                f"({cert.operating_system}) compared with the certified sample "
                f"{certified.version}: {summary}. A change of the data types or means of "
                "collecting personal information needs a self-assessment report (APP-7)."
            ),
            requirement="APP-7",
            party_id=cert.party_id,
            jurisdiction=case.jurisdiction,
            case_id=context.id if context else case.id,
            details={
                "analysis_id": row.id,
                "certified_analysis_id": certified.id,
                "certification": cert.number,
                **added,
            },
        ),
    )
    if context is not None and not context.closed:
        cases.annotate(
            session,
            ctx,
            SYSTEM_ACTOR,
            context,
            "sample_compared",
            changes={
                "sample_comparison": {
                    "analysis_id": row.id,
                    "certified_analysis_id": certified.id,
                    "widened": True,
                    **added,
                }
            },
            expected_version=None,
            details={"analysis": row.id, **added},
        )
    return 1
