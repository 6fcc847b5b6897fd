"""The worker's job of app-sample analysis (APP-11, APP-7): it claims queued analyses (SKIP LOCKED on PostgreSQL), runs each in a memory- and time-bounded child process, records the report or the failure, raises a finding for each mismatch against the declaration with its clause, and compares a later sample with the certified one."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from certgov.actors import SYSTEM_ACTOR
from certgov.appcert.base import rules_of
from certgov.appcert.models import (
    AnalysisStatus,
    AppApplication,
    AppCertification,
    AppSampleAnalysis,
    SamplePurpose,
)
from certgov.appscan import (
    compare,
)
from certgov.appscan.clauses import CLAUSE_PARAMETER
from certgov.appscan.isolation import JobLimits, Outcome, run_isolated
from certgov.cases import services as cases
from certgov.cases.models import Case
from certgov.context import Context
from certgov.findings.services import Problem, raise_finding
from certgov.i18n import N_
from certgov.store.engine import unit_of_work
from certgov.text import Text

log = logging.getLogger("certgov.appcert.analysis")

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
#: What a later sample adds to the certified one, one line of the finding each (APP-7).
_NEW = {
    "permissions": N_("new permissions: {values}"),
    "sdks": N_("new sdks: {values}"),
    "pi_types": N_("new pi_types: {values}"),
    "call_sites": N_("new call_sites: {values}"),
}


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
    message = str(finding["message"])
    cited = Text(
        N_(
            "GB/T 35273-2020 {clause} (2017: {clause_2017}), 2019 Methods item {item} — the "
            "mapping is assumed"
        )
        if clause.get("assumed")
        else N_("GB/T 35273-2020 {clause} (2017: {clause_2017}), 2019 Methods item {item}"),
        clause=clause["gbt35273"],
        clause_2017=clause["gbt35273_2017"],
        item=clause["methods_item"],
    )
    return Problem(
        code=f"app-scan-{kind.replace('_', '-')}",
        key=f"app-scan:{case.id}:{kind}:{subject}",
        severity=SEVERITY.get(kind, "medium"),
        # The analysis's own words (English) stay a parameter; the frame is translated.
        title=Text("App sample {version}: {finding}", version=row.version, finding=message),
        message=Text(
            "{finding} ({cited}); sample {filename}, SHA-256 {sha256}, analysis {analysis}.",
            finding=message,
            cited=cited,
            filename=row.filename,
            sha256=row.apk_sha256,
            analysis=row.id,
        ),
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
    parts = [
        Text(_NEW[name], values=", ".join(values) if isinstance(values, list) else values)
        for name, values in added.items()
        if values
    ]
    summary = functools.reduce(
        lambda said, part: Text("{said}; {part}", said=said, part=part), parts
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
            title=Text(
                "Certified app {number} collects more in sample {version}",
                number=cert.number,
                version=row.version,
            ),
            message=Text(
                "Sample {version} (SHA-256 {sha256}) of {app} ({system}) compared with the "
                "certified sample {certified}: {summary}. A change of the data types or means "
                "of collecting personal information needs a self-assessment report (APP-7).",
                version=row.version,
                sha256=row.apk_sha256,
                app=cert.app_name,
                system=cert.operating_system,
                certified=certified.version,
                summary=summary,
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
