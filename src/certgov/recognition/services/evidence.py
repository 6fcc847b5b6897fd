"""Recognition evidence for relying-party verification (SYS-5): the recognised certificate a presented chain reaches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.parties.models import Party
from certgov.pki import Certificate, ChainVerifier
from certgov.recognition.models import (
    RecognisedCertificate,
    Recognition,
    RecognitionStatus,
)
from certgov.recognition.services.decisions import name_hash, status_at

#: How far up the issuer hierarchy recognised certificates are looked for.
_MAX_DEPTH = 8


def _candidates(session: Session, presented: Sequence[Certificate]) -> list[RecognisedCertificate]:
    found: dict[int, RecognisedCertificate] = {}
    wanted = {name_hash(c.summary.issuer_der) for c in presented}
    wanted |= {name_hash(c.summary.subject_der) for c in presented}
    seen: set[str] = set()
    for _ in range(_MAX_DEPTH):
        wanted -= seen
        if not wanted:
            break
        seen |= wanted
        rows = session.scalars(
            select(RecognisedCertificate).where(
                RecognisedCertificate.subject_hash.in_(sorted(wanted))
            )
        ).all()
        wanted = set()
        for row in rows:
            if row.id not in found:
                found[row.id] = row
                wanted.add(row.issuer_hash)
    return list(found.values())


def recognition_evidence(
    session: Session,
    certificates: Sequence[Certificate],
    at: dt.datetime,
    *,
    certificate_type: str | None = None,
    scenario: str | None = None,
) -> dict[str, Any] | None:
    """Does the chain ``certificates`` (target first, then any intermediates) lead to a
    recognised foreign CA certificate, and was that recognition in force at ``at`` (SYS-5,
    ECS-8.2)? None when the chain leads to no recognised certificate at all. Otherwise the
    evidence: ``recognised`` (true only when the chain verifies at ``at``, the recognition was
    in force then, and ``certificate_type`` / ``scenario`` — when given — are within its
    scope), the recognition with its scope and validity, the chain, and the ``reasons``
    whenever ``recognised`` is false. Precondition: ``at`` is timezone-aware.
    """
    if not certificates:
        return None
    rows = _candidates(session, certificates)
    if not rows:
        return None
    anchors = {row.sha256: Certificate.from_der(row.der) for row in rows}
    target = certificates[0]
    result = ChainVerifier(anchors.values()).verify(target, at, intermediates=certificates[1:])
    if not result.anchored or result.path[-1].fingerprint not in anchors:
        return None
    anchor = result.path[-1].fingerprint
    choices = []
    for row in rows:
        if row.sha256 != anchor:
            continue
        recognition = session.get(Recognition, row.recognition_id)
        assert recognition is not None
        standing = status_at(session, recognition, at)
        reasons = [p.message for p in result.problems]
        if standing is None:
            reasons.append(
                f"recognition {recognition.number} was not yet granted at {at.isoformat()}"
            )
        elif standing.status != RecognitionStatus.IN_FORCE:
            reasons.append(
                f"recognition {recognition.number} was {standing.status} at {at.isoformat()} "
                f"(since {standing.since.isoformat()})"
            )
        if certificate_type is not None and certificate_type not in recognition.certificate_types:
            reasons.append(
                f"certificate type {certificate_type!r} is outside the scope of recognition "
                f"{recognition.number} ({', '.join(recognition.certificate_types)})"
            )
        if scenario is not None and scenario not in recognition.scenarios:
            reasons.append(
                f"scenario {scenario!r} is outside the scope of recognition "
                f"{recognition.number} ({', '.join(recognition.scenarios)})"
            )
        choices.append((len(reasons), -recognition.id, recognition, standing, row, reasons))
    choices.sort(key=lambda c: (c[0], c[1]))
    _count, _order, recognition, standing, row, reasons = choices[0]
    foreign = session.get(Party, recognition.foreign_party_id)
    assert foreign is not None
    return {
        "recognised": not reasons,
        "at": at.isoformat(),
        "certificate": {"subject": target.subject, "sha256": target.fingerprint},
        "chain": result.as_dict(),
        "recognised_certificate": {"sha256": row.sha256, "subject": row.subject, "role": row.role},
        "foreign_ca": {
            "party_id": foreign.id,
            "name": foreign.name,
            "name_en": foreign.name_en,
            "country": foreign.country,
        },
        "recognition": {
            "number": recognition.number,
            "status_at": standing.status if standing else None,
            "since": standing.since.isoformat() if standing else None,
            "status_now": recognition.status,
            "valid_from": recognition.valid_from.isoformat(),
            "valid_until": recognition.valid_until.isoformat(),
            "basis": recognition.basis,
            "scope": {
                "certificate_types": recognition.certificate_types,
                "scenarios": recognition.scenarios,
            },
        },
        "reasons": reasons,
    }
