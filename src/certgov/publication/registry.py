"""The public registry of licensed CAs (SYS-4, ECS-2.3, ECS-3): one JSON document per CA with
its licences and their status history, practice statement in effect, operating provinces,
outlets and open conduct findings. Served at ``/api/v1/registry/cas`` and by
``certgov ecs registry --json``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.clock import china_date
from certgov.conduct import services as conduct
from certgov.context import Context
from certgov.findings.models import Finding, FindingStatus
from certgov.licensing import services as licensing
from certgov.licensing.models import Licence
from certgov.parties.models import Party

#: The requirements whose findings the registry publishes: the conduct a licence depends on.
PUBLISHED_REQUIREMENTS = ("ECS-2.4", "ECS-3.1", "ECS-3.2", "ECS-3.3", "ECS-3.4", "ECS-3.5")


def _number(licence: Licence) -> str:
    return licence.number


def ca_registry(
    session: Session, ctx: Context, *, licence_status: str | None = None
) -> list[dict[str, Any]]:
    """Every CA that holds or held a licence (with ``licence_status``, those whose current
    licence has it), ordered by licence number."""
    today = china_date(ctx.clock.now())
    licences = sorted(licensing.list_licences(session, status=licence_status), key=_number)
    holders: dict[int, list[Licence]] = {}
    for licence in licences:
        holders.setdefault(licence.holder_party_id, []).append(licence)
    entries = []
    for party_id, held in holders.items():
        party = session.get(Party, party_id)
        assert party is not None
        statements = conduct.practice_statements(session, party_id)
        current = conduct.statement_in_effect(statements, today)
        provinces = conduct.operating_provinces(session, party_id)
        outlets = conduct.outlets(session, party_id, include_closed=False)
        covered = {o.jurisdiction for o in outlets}
        findings = session.scalars(
            select(Finding)
            .where(
                Finding.party_id == party_id,
                Finding.status == FindingStatus.OPEN,
                Finding.requirement.in_(PUBLISHED_REQUIREMENTS),
            )
            .order_by(Finding.id)
        )
        entries.append(
            {
                "party_id": party.id,
                "name": party.name,
                "name_en": party.name_en,
                "uscc": party.uscc,
                "home_province": party.home_province,
                "licences": [
                    {
                        "number": licence.number,
                        "status": licence.status,
                        "scope": licence.scope,
                        "valid_from": licence.valid_from.isoformat(),
                        "valid_until": licence.valid_until.isoformat(),
                        "history": [
                            {
                                "at": e.at.isoformat(),
                                "kind": e.kind,
                                "to_status": e.to_status,
                                "valid_until": e.valid_until.isoformat(),
                                "reason": e.reason,
                            }
                            for e in licensing.licence_history(session, licence)
                        ],
                    }
                    for licence in held
                ],
                "practice_statement": {
                    "version": current.version,
                    "label": current.label,
                    "sha256": current.sha256,
                    "effective_on": current.effective_on.isoformat(),
                    "url": current.url,
                }
                if current
                else None,
                "operating_provinces": provinces,
                "outlets": [
                    {"jurisdiction": o.jurisdiction, "name": o.name, "address": o.address}
                    for o in outlets
                ],
                "provinces_without_outlet": [p for p in provinces if p not in covered],
                "findings": [
                    {
                        "code": f.code,
                        "requirement": f.requirement,
                        "severity": f.severity,
                        "title": f.title,
                        "first_seen": f.first_seen.isoformat(),
                    }
                    for f in findings
                ],
            }
        )
    return entries
