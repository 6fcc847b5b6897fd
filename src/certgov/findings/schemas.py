"""JSON shape of a finding, used by the API and the pages alike."""

from __future__ import annotations

from typing import Any

from certgov.findings.models import Finding


def finding_out(row: Finding) -> dict[str, Any]:
    return {
        "id": row.id,
        "code": row.code,
        "key": row.dedup_key,
        "severity": row.severity,
        "status": row.status,
        "title": row.title,
        "message": row.message,
        "requirement": row.requirement,
        "case_id": row.case_id,
        "party_id": row.party_id,
        "jurisdiction": row.jurisdiction,
        "first_seen": row.first_seen.isoformat(),
        "last_seen": row.last_seen.isoformat(),
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
        "details": row.details,
    }
