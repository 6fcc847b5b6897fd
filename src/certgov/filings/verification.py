"""Relying-party verification (SYS-5): does a certificate chain lead to a filed CA certificate
of a CA whose licence was valid at the signing time? The answer carries its evidence: the
licence number and status then, and the filing's log index with an inclusion proof against the
log's latest signed checkpoint."""

from __future__ import annotations

import base64
import datetime as dt
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy.orm import Session

from certgov.context import Context
from certgov.errors import InvalidInput
from certgov.filings import revocation
from certgov.filings.models import FiledCertificate
from certgov.filings.services import FILINGS_LOG, filed_ancestors, subject_hash
from certgov.licensing.models import LicenceStatus
from certgov.licensing.services import licence_at
from certgov.pki import Certificate, ChainVerifier, parse_bundle
from certgov.recognition.services import recognition_evidence
from certgov.registry.models import Party

MAX_PRESENTED = 20


class _ParsedCache:
    """Filed certificates parsed once per process, by SHA-256 (they never change): the hot
    path of verification parses only what the relying party sends."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._items: OrderedDict[str, Certificate] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, row: FiledCertificate) -> Certificate:
        with self._lock:
            found = self._items.get(row.sha256)
            if found is not None:
                self._items.move_to_end(row.sha256)
                return found
        certificate = Certificate.from_der(row.der)
        with self._lock:
            self._items[row.sha256] = certificate
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return certificate


_PARSED = _ParsedCache()


def _proof(session: Session, ctx: Context, row: FiledCertificate) -> dict[str, Any]:
    log = ctx.logs.get(session, FILINGS_LOG)
    proof = ctx.logs.inclusion(session, log, row.log_index, log.size)
    return {
        "log": FILINGS_LOG,
        "index": row.log_index,
        "size": proof.size,
        "leaf_hash": base64.b64encode(proof.leaf_hash).decode(),
        "hashes": [base64.b64encode(h).decode() for h in proof.hashes],
        "root_hash": base64.b64encode(proof.root_hash).decode(),
        "checkpoint": ctx.logs.latest_checkpoint(session, log),
    }


def verify(
    session: Session,
    ctx: Context,
    data: bytes,
    at: dt.datetime | None,
    *,
    certificate_type: str | None = None,
    scenario: str | None = None,
) -> dict[str, Any]:
    """Verify the chain in ``data`` (target first) at ``at`` (default: now): to a filed CA
    certificate of a licensed CA, or else to a recognised foreign CA certificate (ECS-8) whose
    recognition was in force then and covers ``certificate_type`` and ``scenario`` when
    given."""
    if at is not None and at.tzinfo is None:
        raise InvalidInput("give the time with its offset, e.g. 2025-09-25T10:00:00+08:00")
    at = at or ctx.clock.now()
    presented = list(parse_bundle(data, max_certificates=MAX_PRESENTED))
    target = presented[0]
    candidates = filed_ancestors(
        session,
        {subject_hash(c.summary.issuer_der) for c in presented}
        | {subject_hash(c.summary.subject_der) for c in presented},
    )
    loaded = {sha: _PARSED.get(row) for sha, row in candidates.items()}
    anchors = [loaded[sha] for sha, row in candidates.items() if row.role == "root"]
    intermediates = [loaded[sha] for sha, row in candidates.items() if row.role != "root"]
    result = ChainVerifier(anchors, intermediates).verify(target, at, intermediates=presented[1:])
    reasons = [problem.message for problem in result.problems]
    indeterminate: list[str] = []
    filed_row = next(
        (candidates[c.fingerprint] for c in result.path if c.fingerprint in candidates), None
    )
    answer: dict[str, Any] = {
        "at": at.isoformat(),
        "certificate": {
            "subject": target.subject,
            "issuer": target.summary.issuer,
            "serial": target.summary.as_dict()["serial"],
            "sha256": target.fingerprint,
        },
        "chain": result.as_dict(),
        "filed": None,
        "ca": None,
        "licence": None,
        "revocation": {
            "checked": False,
            "reason": "the chain does not lead to a filed CA certificate",
        },
        "recognition": None,
    }
    if not result.anchored or filed_row is None:
        evidence = recognition_evidence(
            session, presented, at, certificate_type=certificate_type, scenario=scenario
        )
        answer["recognition"] = evidence
        if evidence is None:
            reasons.append(
                "the chain does not lead to a CA certificate filed with the regulator (ECS-3.4) "
                "nor to a recognised foreign CA certificate (ECS-8)"
            )
        else:
            # A foreign CA's chain: judged by its recognition, not by a licence.
            answer["chain"] = evidence["chain"]
            answer["revocation"] = {
                "checked": False,
                "reason": "revocation of foreign certificates is not checked",
            }
            reasons = list(evidence["reasons"])
    else:
        party = session.get(Party, filed_row.party_id)
        assert party is not None
        answer["filed"] = {
            "sha256": filed_row.sha256,
            "subject": filed_row.subject,
            "role": filed_row.role,
            "filed_at": filed_row.filed_at.isoformat(),
            "inclusion": _proof(session, ctx, filed_row),
        }
        answer["ca"] = {"party_id": party.id, "name": party.name, "uscc": party.uscc}
        checked = revocation.check_path(session, ctx, party.id, list(result.path), at)
        answer["revocation"] = checked
        for entry in checked["certificates"]:
            if entry["status"] == "revoked":
                reasons.append(
                    f"certificate {entry['subject']} was revoked at {entry['revoked_at']} "
                    f"(reason: {entry['reason'] or 'unspecified'}; {entry['method'].upper()} {entry['source']})"
                )
            elif entry["status"] == "unknown":
                indeterminate.append(
                    f"the revocation status of {entry['subject']} is unknown: {entry['reason']}"
                )
        standing = licence_at(session, party.id, at)
        if standing is None:
            reasons.append(f"{party.name} held no licence at {at.isoformat()}")
        else:
            answer["licence"] = {
                "number": standing.licence.number,
                "status_at": standing.status,
                "since": standing.since.isoformat(),
                "valid_from": standing.licence.valid_from.isoformat(),
                "valid_until": standing.licence.valid_until.isoformat(),
                "status_now": standing.licence.status,
            }
            if standing.status != LicenceStatus.VALID:
                reasons.append(
                    f"licence {standing.licence.number} of {party.name} was {standing.status} "
                    f"at {at.isoformat()}"
                )
    answer["valid"] = not reasons and not indeterminate
    # valid, invalid (a reason says why), or indeterminate: nothing wrong was found but a
    # revocation status could not be obtained (a CRL unreachable or stale).
    answer["status"] = "invalid" if reasons else "indeterminate" if indeterminate else "valid"
    answer["reasons"] = reasons + indeterminate
    return answer
