"""The technical review of a recognition application (ECS-8.2): the foreign CA certificates
checked with ``certgov.pki`` (CA certificates, algorithms and key sizes of the rule set's policy,
validity, the chain of every subordinate to a submitted foreign root) and the foreign CA's home
supervision status read from the latest imported trusted list of its scheme."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from certgov.pki import AlgorithmPolicy, Certificate, ChainVerifier
from certgov.recognition.trusted_lists import supervision_status
from certgov.rules.model import RuleSet

KEY_CERT_SIGN = "keyCertSign"


def _problems_out(problems: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"code": str(p.code), "message": p.message} for p in problems]


def check_certificates(
    certificates: Sequence[Certificate], rule_set: RuleSet, at: dt.datetime
) -> tuple[list[dict[str, Any]], list[str]]:
    """Each certificate's problems, and the reasons (one line each) that block recognition."""
    policy = AlgorithmPolicy.from_rule_set(rule_set)
    roots = [c for c in certificates if c.summary.is_self_issued]
    others = [c for c in certificates if not c.summary.is_self_issued]
    verifier = ChainVerifier(roots, others, policy=policy)
    reports = []
    blockers = []
    if not roots:
        blockers.append(
            "no foreign root certificate was submitted: the chain to the foreign root cannot "
            "be checked"
        )
    for certificate in certificates:
        problems: list[Any] = []
        if not certificate.summary.is_ca:
            problems.append(_Note("not_ca", f"{certificate.subject} is not a CA certificate"))
        result = verifier.verify(
            certificate,
            at,
            required_key_usage=(KEY_CERT_SIGN,) if certificate.summary.is_ca else (),
        )
        problems.extend(result.problems)
        if certificate.summary.is_self_issued:
            # A root's own signature is not relied upon, its key is (TS 119 612 trust anchor).
            problems.extend(policy.check(certificate, signature=False))
        role = "root" if certificate.summary.is_self_issued else "subordinate"
        reports.append(
            {
                "sha256": certificate.fingerprint,
                "subject": certificate.subject,
                "role": role,
                "not_after": certificate.summary.not_after.isoformat(),
                "ok": not problems,
                "problems": _problems_out(problems),
                "path": [c.fingerprint for c in result.path],
            }
        )
        blockers.extend(f"{certificate.subject}: {p.message}" for p in problems)
    return reports, blockers


class _Note:
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message


def technical_review(
    session: Session,
    certificates: Sequence[Certificate],
    rule_set: RuleSet,
    at: dt.datetime,
    *,
    claimed_status: str | None,
) -> dict[str, Any]:
    """The review stored on the case: ``passed`` when every certificate is sound and the home
    scheme's current list shows the CA under supervision; ``blockers`` say what is missing."""
    reports, blockers = check_certificates(certificates, rule_set, at)
    supervision = supervision_status(
        session,
        [c.fingerprint for c in certificates],
        at,
        rule_set.items("recognition_foreign_statuses"),
    )
    if not supervision["good"]:
        blockers.append(f"home supervision status: {supervision['reason']}")
    listed = sorted({s["status_short"] for s in supervision["services"]})
    return {
        "at": at.isoformat(),
        "rule_set": rule_set.id,
        "certificates": reports,
        "supervision": {
            **supervision,
            "claimed_status": claimed_status,
            "listed_statuses": listed,
            "matches_claim": claimed_status in listed if claimed_status else None,
        },
        "passed": not blockers,
        "blockers": blockers,
    }
