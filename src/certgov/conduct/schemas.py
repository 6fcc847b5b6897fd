"""JSON shapes of what a CA declares and reports (ECS-3.1–3.3, ECS-4.1), used by the API and the pages alike."""

from __future__ import annotations

from typing import Any

from certgov.conduct.models import (
    OperatingReport,
    OutsourcingDeclaration,
    PracticeStatement,
    ServiceOutlet,
)


def statement_out(row: PracticeStatement) -> dict[str, Any]:
    return {
        "version": row.version,
        "label": row.label,
        "title": row.title,
        "sha256": row.sha256,
        "size": row.size,
        "url": row.url,
        "effective_on": row.effective_on.isoformat(),
        "filed_at": row.filed_at.isoformat(),
        "filed_by": row.filed_by,
    }


def declaration_out(row: OutsourcingDeclaration) -> dict[str, Any]:
    return {
        "version": row.version,
        "functions": row.functions,
        "rule_set": row.rule_set_id,
        "declared_at": row.declared_at.isoformat(),
        "declared_by": row.declared_by,
    }


def outlet_out(row: ServiceOutlet) -> dict[str, Any]:
    return {
        "id": row.id,
        "jurisdiction": row.jurisdiction,
        "name": row.name,
        "address": row.address,
        "opened_on": row.opened_on.isoformat(),
        "closed_on": row.closed_on.isoformat() if row.closed_on else None,
    }


def report_out(row: OperatingReport) -> dict[str, Any]:
    return {
        "id": row.id,
        "party_id": row.party_id,
        "period": {
            "start": row.period_start.isoformat(),
            "end": row.period_end.isoformat(),
            "due": row.due_on.isoformat(),
        },
        "certificates_issued": row.certificates_issued,
        "certificates_revoked": row.certificates_revoked,
        "certificates_valid": row.certificates_valid,
        "by_type": row.by_type,
        "submitted_at": row.submitted_at.isoformat(),
        "submitted_by": row.submitted_by,
        "late": row.late,
        "rule_set": row.rule_set_id,
        "corrections": len(row.history),
        "history": row.history,
    }
