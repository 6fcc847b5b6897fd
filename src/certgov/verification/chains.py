"""Relying-party verification (SYS-5): does a certificate chain lead to a filed CA certificate
of a CA whose licence was valid at the signing time? The answer carries its evidence: the
licence number and status then, and the filing's log index with an inclusion proof against the
log's latest signed checkpoint."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from sqlalchemy.orm import Session

from certgov.context import Context
from certgov.errors import InvalidInput, NotFound
from certgov.filings import revocation
from certgov.filings.models import FiledCertificate
from certgov.filings.services import FILINGS_LOG, filed_ancestors, subject_hash
from certgov.licensing.models import LicenceStatus
from certgov.licensing.services import licence_at
from certgov.logs.models import TLog
from certgov.lru import Lru
from certgov.parties.models import Party
from certgov.pki import Certificate, ChainVerifier, parse_bundle
from certgov.pki.problems import Problem
from certgov.recognition.services import recognition_evidence
from certgov.store.engine import unit_of_work

MAX_PRESENTED = 20
log = logging.getLogger("certgov.verification")


# What verification keeps per process. Everything here is either immutable (a certificate
# parsed from the same bytes, a filed certificate) or keyed by the size of the filings log:
# a certificate is filed in the same transaction that appends it to the log, so a new size
# is the only way the candidates of a chain, or the proof of an entry, can change.
_FILED: Lru[str, Certificate] = Lru(4096)
_PRESENTED: Lru[str, tuple[Certificate, ...]] = Lru(1024)
_SIGNATURES: Lru[tuple[bytes, bytes], Problem | None] = Lru(4096)
# Facts of one database: kept per context (ctx.cache).
_Candidates = Lru[tuple[int, frozenset[str]], dict[str, FiledCertificate]]
_Proofs = Lru[tuple[int, int], dict[str, Any]]


def _filed_certificate(row: FiledCertificate) -> Certificate:
    found = _FILED.get(row.sha256)
    return found if found is not None else _FILED.put(row.sha256, Certificate.from_der(row.der))


def _presented(data: bytes) -> tuple[Certificate, ...]:
    """The chain sent, parsed (relying parties send the same chains again and again)."""
    key = hashlib.sha256(data).hexdigest()
    found = _PRESENTED.get(key)
    if found is None:
        found = _PRESENTED.put(key, parse_bundle(data, max_certificates=MAX_PRESENTED))
    return found


def _candidates(
    session: Session, ctx: Context, log_size: int, hashes: frozenset[str]
) -> dict[str, FiledCertificate]:
    cache: _Candidates = ctx.cache("verification.candidates", lambda: Lru(1024))
    key = (log_size, hashes)
    found = cache.get(key)
    if found is None:
        found = cache.put(key, filed_ancestors(session, hashes))
    return found


def _proof(session: Session, ctx: Context, log: TLog, row: FiledCertificate) -> dict[str, Any]:
    cache: _Proofs = ctx.cache("verification.proofs", lambda: Lru(4096))
    key = (row.log_index, log.size)
    found = cache.get(key)
    if found is not None:
        return found
    proof = ctx.logs.inclusion(session, log, row.log_index, log.size)
    return cache.put(
        key, {**proof.as_dict(), "checkpoint": ctx.logs.checkpoint_at(session, log, log.size)}
    )


def verify(
    session: Session,
    ctx: Context,
    data: bytes,
    at: dt.datetime | None,
    *,
    certificate_type: str | None = None,
    scenario: str | None = None,
    deferred: revocation.Deferred | None = None,
) -> dict[str, Any]:
    """Verify the chain in ``data`` (target first) at ``at`` (default: now): to a filed CA
    certificate of a licensed CA, or else to a recognised foreign CA certificate (ECS-8) whose
    recognition was in force then and covers ``certificate_type`` and ``scenario`` when
    given.

    Reads only when ``deferred`` is given: the writes worth doing (revocation sources met for
    the first time, CRLs fetched now) are appended to it for the caller to run in a writing
    unit of work afterwards (see :func:`apply_deferred`); without it they are done in
    ``session``."""
    later: revocation.Deferred = [] if deferred is None else deferred
    answer = _verify(session, ctx, data, at, certificate_type, scenario, later)
    if deferred is None:
        for write in later:
            write(session)
    return answer


def apply_deferred(ctx: Context, deferred: revocation.Deferred) -> None:
    """Run the writes a verification deferred, in one writing unit of work. They only keep
    what verification learnt (a new source, a fresh CRL) for the worker and later requests:
    the answer stands without them, so a failure is logged, not reported to the relying
    party."""
    if not deferred:
        return
    try:
        with unit_of_work(ctx.sessions) as session:
            for write in deferred:
                write(session)
    except Exception:  # e.g. another request registered the same source at the same moment
        log.warning("keeping what a verification learnt failed", exc_info=True)


def _verify(
    session: Session,
    ctx: Context,
    data: bytes,
    at: dt.datetime | None,
    certificate_type: str | None,
    scenario: str | None,
    deferred: revocation.Deferred,
) -> dict[str, Any]:
    if at is not None and at.tzinfo is None:
        raise InvalidInput("give the time with its offset, e.g. 2025-09-25T10:00:00+08:00")
    at = at or ctx.clock.now()
    presented = list(_presented(data))
    target = presented[0]
    try:
        log: TLog | None = ctx.logs.get(session, FILINGS_LOG)
    except NotFound:  # nothing filed yet
        log = None
    hashes = frozenset(
        {subject_hash(c.summary.issuer_der) for c in presented}
        | {subject_hash(c.summary.subject_der) for c in presented}
    )
    candidates = _candidates(session, ctx, log.size, hashes) if log is not None else {}
    loaded = {sha: _filed_certificate(row) for sha, row in candidates.items()}
    anchors = [loaded[sha] for sha, row in candidates.items() if row.role == "root"]
    intermediates = [loaded[sha] for sha, row in candidates.items() if row.role != "root"]
    result = ChainVerifier(anchors, intermediates, signatures=_SIGNATURES).verify(
        target, at, intermediates=presented[1:]
    )
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
            "serial": target.summary.serial_hex,
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
        assert party is not None and log is not None
        answer["filed"] = {
            "sha256": filed_row.sha256,
            "subject": filed_row.subject,
            "role": filed_row.role,
            "filed_at": filed_row.filed_at.isoformat(),
            "inclusion": _proof(session, ctx, log, filed_row),
        }
        answer["ca"] = {"party_id": party.id, "name": party.name, "uscc": party.uscc}
        checked = revocation.check_path(session, ctx, party.id, list(result.path), at, deferred)
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
