"""JSON shapes of licences and their status history, used by the API and the pages alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from certgov.licensing import services as licensing
from certgov.licensing.models import Licence, LicenceEvent
from certgov.parties.models import Party


def event_out(row: LicenceEvent) -> dict[str, Any]:
    return {
        "at": row.at.isoformat(),
        "kind": row.kind,
        "from_status": row.from_status,
        "to_status": row.to_status,
        "valid_until": row.valid_until.isoformat(),
        "actor": {"name": row.actor_name, "role": row.actor_role},
        "case_id": row.case_id,
        "reason": row.reason,
        "details": row.details,
        "effective_at": row.effective.isoformat(),
        "stated_by": row.stated_by,
    }


def licence_out(session: Session, licence: Licence, *, history: bool = True) -> dict[str, Any]:
    holder = session.get(Party, licence.holder_party_id)
    body: dict[str, Any] = {
        "number": licence.number,
        "holder": {
            "party_id": licence.holder_party_id,
            "name": holder.name if holder else None,
            "name_en": holder.name_en if holder else None,
            "uscc": holder.uscc if holder else None,
        },
        "jurisdiction": licence.jurisdiction,
        "scope": licence.scope,
        "status": licence.status,
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat(),
        "issued_at": licence.issued_at.isoformat(),
        "application_case_id": licence.application_case_id,
        "rule_set": licence.rule_set_id,
        "version": licence.version,
    }
    if history:
        body["history"] = [event_out(e) for e in licensing.licence_history(session, licence)]
    return body
