"""The scheme's records as JSON-ready dictionaries, for every adapter (API, CLI)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import Actor
from certgov.appcert import applications, certifications, evidence, technical_verification
from certgov.appcert.base import COMPLAINT_PROCESS, rules_of, today
from certgov.appcert.checklist import checklist
from certgov.appcert.models import (
    AppApplication,
    AppCertification,
    AppointedAgency,
    AppSampleAnalysis,
    CertificationEvent,
    CertificationStatus,
    Deficiency,
    OperatorRecord,
)
from certgov.cases.models import Case
from certgov.cases.schemas import case_summary
from certgov.context import Context
from certgov.ecs.citation import cite
from certgov.parties.models import Party


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def agency_out(row: AppointedAgency, party: Party) -> dict[str, Any]:
    return {
        "party_id": party.id,
        "name": party.name,
        "name_en": party.name_en,
        "uscc": party.uscc,
        "status": row.status,
        "appointed_on": row.appointed_on.isoformat(),
        "appointed_by": row.appointed_by,
        "note": row.note,
        "withdrawn_on": _iso(row.withdrawn_on),
        "withdrawal_reason": row.withdrawal_reason,
    }


def record_out(row: OperatorRecord) -> dict[str, Any]:
    return {
        "id": row.id,
        "party_id": row.party_id,
        "kind": row.kind,
        "occurred_on": row.occurred_on.isoformat(),
        "ends_on": _iso(row.ends_on),
        "description": row.description,
        "reference": row.reference,
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at.isoformat(),
    }


def deficiency_out(row: Deficiency) -> dict[str, Any]:
    return {
        "id": row.id,
        "stage": row.stage,
        "item": row.item,
        "description": row.description,
        "status": row.status,
        "found_by": row.found_by,
        "found_at": row.found_at.isoformat(),
        "due_on": row.due_on.isoformat(),
        "period": row.period,
        "remedy": {
            "statement": row.remedy_statement,
            "evidence_sha256": row.remedy_evidence_sha256,
            "submitted_at": _iso(row.remedy_submitted_at),
        }
        if row.remedy_submitted_at
        else None,
        "reviewed_by": row.reviewed_by,
        "review_note": row.review_note,
        "remedied_at": _iso(row.remedied_at),
    }


def application_out(unit: applications.Unit) -> dict[str, Any]:
    """An application unit in a list: its case and its record, without documents."""
    app = unit.application
    return {
        "case": case_summary(unit.case),
        "app_name": app.app_name,
        "operating_system": app.operating_system,
        "version_line": app.version_line,
        "applied_on": app.applied_on.isoformat(),
        "eligible": app.eligible,
        "eligibility": app.eligibility,
        "decision": _decision_out(app),
    }


def _decision_out(app: AppApplication) -> dict[str, Any] | None:
    if app.decision is None:
        return None
    return {
        "outcome": app.decision,
        "decided_on": _iso(app.decided_on),
        "reasons": app.decision_reason,
        "received_on": _iso(app.decision_received_on),
    }


def application_view(session: Session, ctx: Context, actor: Actor, case_id: int) -> dict[str, Any]:
    """An application unit as its parties see it: documents (digest and size), eligibility,
    the assigned agency, the checklist with each stage's results, deficiencies, the decision
    and its receipt, the certification issued and any complaint."""
    case, app = applications.application_case(session, ctx, actor, case_id)
    body = application_out(applications.Unit(case, app))
    body["case"]["data"] = case.data
    body["documents"] = [
        {"kind": d.kind, "filename": d.filename, "sha256": d.sha256, "size": d.size}
        for d in applications.documents_of(session, app)
    ]
    body["sample"] = app.sample
    body["declaration"] = app.declaration
    assignee = session.get(Party, case.assignee_party_id) if case.assignee_party_id else None
    body["testing_agency"] = (
        {"party_id": assignee.id, "name": assignee.name} if assignee is not None else None
    )
    results: dict[tuple[str, str], Any] = {
        (r.stage, r.item): r for r in technical_verification.results(session, case.id)
    }
    body["checklist"] = [
        {
            **item.as_dict(),
            "results": {
                stage: {
                    "result": row.result,
                    "note": row.note,
                    "by": row.recorded_by,
                    "at": row.recorded_at.isoformat(),
                }
                for stage in ("technical_verification", "onsite_review")
                if (row := results.get((stage, item.code))) is not None
            },
        }
        for item in checklist(rules_of(ctx, case))
    ]
    if evidence.may_read(actor):
        # The assessors' evidence files per item (SYS-6: not for the applicant).
        files: dict[str, list[dict[str, Any]]] = {}
        for row, stored in evidence.listing(session, case.id):
            files.setdefault(row.item, []).append(evidence.evidence_out(row, stored))
        for entry in body["checklist"]:
            entry["evidence"] = files.get(entry["code"], [])
    body["deficiencies"] = [
        deficiency_out(d) for d in technical_verification.deficiencies(session, case.id)
    ]
    body["conclusions"] = case.data.get("conclusions") or {}
    body["certification"] = session.scalar(
        select(AppCertification.number).where(AppCertification.application_case_id == case.id)
    )
    body["complaints"] = [
        {"case_id": c.id, "state": c.state}
        for c in session.scalars(
            select(Case).where(
                Case.process_id == COMPLAINT_PROCESS, Case.subject_party_id == app.party_id
            )
        )
        if c.data.get("application_case_id") == case.id
    ]
    return body


def event_out(row: CertificationEvent) -> dict[str, Any]:
    return {
        "at": row.at.isoformat(),
        "kind": row.kind,
        "from_status": row.from_status,
        "to_status": row.to_status,
        "actor": {"name": row.actor_name, "role": row.actor_role},
        "case_id": row.case_id,
        "reason": row.reason,
    }


_STATEMENTS = {
    CertificationStatus.VALID.value: "valid — may be used",
    CertificationStatus.SUSPENDED.value: "suspended — may not be used",
    CertificationStatus.REVOKED.value: "revoked — may not be used",
    CertificationStatus.EXPIRED.value: "expired — may not be used",
}


def certification_out(
    session: Session, ctx: Context, cert: AppCertification, *, history: bool = True
) -> dict[str, Any]:
    """A certification as anyone may verify it by number (APP-9): what is certified, its status
    today with what it means for the certificate and the mark, and its status history."""
    holder = session.get(Party, cert.party_id)
    status = certifications.effective_status(cert, today(ctx))
    usable = status == CertificationStatus.VALID.value
    statement = _STATEMENTS[status]
    if status == CertificationStatus.SUSPENDED.value and cert.suspension_ends_on is not None:
        statement += (
            f" (suspended on {_iso(cert.suspended_on)}; revoked after "
            f"{cert.suspension_ends_on.isoformat()} unless reinstated after remedy)"
        )
    rule_set = ctx.rule_sets.get(cert.rule_set_id)
    body: dict[str, Any] = {
        "number": cert.number,
        "app_name": cert.app_name,
        "operating_system": cert.operating_system,
        "version_line": cert.version_line,
        "scope": cert.scope,
        "holder": {
            "party_id": cert.party_id,
            "name": holder.name if holder else None,
            "name_en": holder.name_en if holder else None,
            "uscc": holder.uscc if holder else None,
        },
        "status": status,
        "usable": usable,
        "statement": statement,
        "valid_from": cert.valid_from.isoformat(),
        "valid_until": cert.valid_until.isoformat(),
        "surveillance_due": cert.surveillance_due,
        "suspended_on": _iso(cert.suspended_on) if status == "suspended" else None,
        "suspension_ends_on": _iso(cert.suspension_ends_on) if status == "suspended" else None,
        "revoked_on": _iso(cert.revoked_on),
        "rule_set": cert.rule_set_id,
        "version": cert.version,
    }
    if rule_set is not None:
        body["certification_body"] = rule_set.text("certification_body")
        body["display"] = {
            "places": list(rule_set.items("certificate_display_places")) if usable else [],
            "mark_rules": cite(rule_set, "certification_mark_rules").as_dict(),
        }
    if history:
        body["history"] = [event_out(e) for e in certifications.history(session, cert)]
    return body


def analysis_out(row: AppSampleAnalysis, *, full: bool = True) -> dict[str, Any]:
    """A sample and its analysis (APP-3, APP-7, APP-11): what was uploaded (SHA-256, size,
    package, version), the status (``failed`` with its reason), what judged it, and with
    ``full`` the report, the findings with their clauses and the comparison with the
    certified sample."""
    body: dict[str, Any] = {
        "id": row.id,
        "case_id": row.case_id,
        "purpose": row.purpose,
        "certification_id": row.certification_id,
        "context_case_id": row.context_case_id,
        "filename": row.filename,
        "version": row.version,
        "apk": {
            "sha256": row.apk_sha256,
            "size": row.apk_size,
            "package": row.package,
            "version_code": row.version_code,
            "version_name": row.version_name,
        },
        "status": row.status,
        "reason": row.reason,
        "attempts": row.attempts,
        "versions": {
            "analyser": row.analyser_version,
            "signature_data": row.signature_data_version,
            "api_rules": row.api_rules_version,
            "clause_table": row.clause_table_version,
            "rule_set": row.rule_set_id,
        },
        "uploaded_by": row.uploaded_by,
        "created_at": row.created_at.isoformat(),
        "started_at": _iso(row.started_at),
        "finished_at": _iso(row.finished_at),
        "finding_count": len(row.findings) if row.findings is not None else None,
    }
    if full:
        body["declaration"] = row.declaration
        body["report"] = row.report
        body["findings"] = row.findings
        body["comparison"] = row.comparison
    return body
