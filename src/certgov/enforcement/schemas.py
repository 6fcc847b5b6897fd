"""JSON shape of penalty decisions (public and for regulators)."""

from __future__ import annotations

from typing import Any

from certgov.enforcement.models import Penalty


def penalty_out(row: Penalty, *, public: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": row.id,
        "party_id": row.party_id,
        "jurisdiction": row.jurisdiction,
        "violation": row.violation_id,
        "violation_title": row.violation_title,
        "legal_basis": row.legal_basis,
        "outcomes": row.outcomes,
        "fine_yuan": row.fine_yuan,
        "illegal_gains_yuan": row.illegal_gains_yuan,
        "reasons": row.reasons,
        "rule_set": row.rule_set_id,
        "decided_on": row.decided_on.isoformat(),
        "licence_revoked": row.licence_number,
        "published_at": row.published_at.isoformat() if row.published_at else None,
    }
    if not public:
        body["case_id"] = row.case_id
        body["decided_by"] = row.decided_by
    return body
