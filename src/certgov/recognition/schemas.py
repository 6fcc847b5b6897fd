"""JSON shapes of recognitions and imported trusted lists, used by the API, the CLI and the pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from certgov.parties.models import Party
from certgov.recognition.models import (
    ImportedTrustList,
    ImportedTrustService,
    Recognition,
)
from certgov.recognition.records import certificates_of, history
from certgov.trustlist import (
    short_status,
)


def recognition_out(session: Session, recognition: Recognition) -> dict[str, Any]:
    foreign = session.get(Party, recognition.foreign_party_id)
    assert foreign is not None
    return {
        "number": recognition.number,
        "status": recognition.status,
        "version": recognition.version,
        "foreign_ca": {
            "party_id": foreign.id,
            "name": foreign.name,
            "name_en": foreign.name_en,
            "country": foreign.country,
        },
        "applicant_party_id": recognition.applicant_party_id,
        "case_id": recognition.case_id,
        "basis": recognition.basis,
        "scope": {
            "certificate_types": recognition.certificate_types,
            "scenarios": recognition.scenarios,
        },
        "technical_standards": recognition.technical_standards,
        "home_territory": recognition.home_territory,
        "valid_from": recognition.valid_from.isoformat(),
        "valid_until": recognition.valid_until.isoformat(),
        "granted_at": recognition.granted_at.isoformat(),
        "rule_set": recognition.rule_set_id,
        "certificates": [
            {
                "sha256": c.sha256,
                "subject": c.subject,
                "role": c.role,
                "not_before": c.not_before.isoformat(),
                "not_after": c.not_after.isoformat(),
            }
            for c in certificates_of(session, recognition)
        ],
        "history": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "to_status": e.to_status,
                "reason": e.reason,
            }
            for e in history(session, recognition)
        ],
    }


def service_out(service: ImportedTrustService) -> dict[str, Any]:
    return {
        "provider": service.provider,
        "service_type": service.service_type,
        "name": service.name,
        "status": service.status,
        "status_short": short_status(service.status),
        "status_starting_time": service.status_starting_time.isoformat(),
        "certificates_sha256": service.certificates,
        "history": service.history,
    }


def import_out(row: ImportedTrustList, scheme_code_: str | None = None) -> dict[str, Any]:
    return {
        "sha256": row.sha256,
        "scheme": scheme_code_,
        "territory": row.territory,
        "scheme_operator": row.scheme_operator,
        "sequence_number": row.sequence_number,
        "issued_at": row.issued_at.isoformat(),
        "next_update": row.next_update.isoformat() if row.next_update else None,
        "signature": {
            "verified": True,
            "signer_sha256": row.signer_sha256,
            "signed_at": row.signed_at.isoformat() if row.signed_at else None,
            "xades": row.xades,
        },
        "services": row.service_count,
        "imported_at": row.imported_at.isoformat(),
        "imported_by": row.imported_by,
    }
