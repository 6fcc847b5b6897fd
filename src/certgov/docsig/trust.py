"""Trust in a signer's certificate: the question this library leaves to its caller.

Whether a signer's certificate chains to a trusted CA certificate, whether that CA was
allowed to issue it at the time, whether it was revoked then, and what evidence says so, is
a matter of the registry (SYS-5: a filed CA certificate, a licence or recognition, CRL/OCSP,
an inclusion proof). The library asks it through a :class:`TrustEvaluator` and composes the
answer with what it established itself (integrity, coverage, signing time) into the verdict.

:class:`AnchorTrustEvaluator` is the standalone evaluator: a chain to given trust anchors
built and checked with :mod:`certgov.pki`, without revocation checking.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from certgov.docsig.indications import Indication, Reason, ReasonCode, SubIndication, worst
from certgov.pki import AlgorithmPolicy, Certificate, ChainVerifier, ProblemCode
from certgov.pki.problems import Problem

__all__ = [
    "AnchorTrustEvaluator",
    "Purpose",
    "TimeBasis",
    "TrustEvaluator",
    "TrustRequest",
    "TrustResult",
    "TrustStatus",
    "problem_reasons",
    "result_of",
]


class Purpose(StrEnum):
    """What the certificate was used for."""

    SIGNATURE = "signature"
    TIMESTAMP = "timestamp"


class TimeBasis(StrEnum):
    """Where the time a signature is judged at comes from."""

    #: An RFC 3161 timestamp token that verified and whose TSA the evaluator trusted.
    PROVEN = "proven"
    #: The signer's own claim (signingTime attribute, or a PDF's /M entry): no proof.
    CLAIMED = "claimed"
    #: Neither: the validation time.
    VALIDATION = "validation"


class TrustStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    INDETERMINATE = "indeterminate"


@dataclass(frozen=True, slots=True)
class TrustRequest:
    """What an evaluator is asked: is ``certificate`` (the signer's, or a TSA's) trusted for
    ``purpose`` at ``at``? ``embedded`` are the certificates the CMS carried (candidate
    intermediates); ``validation_time`` is when the question is asked and ``basis`` where
    ``at`` comes from (an evaluator that checks revocation should treat a revocation between
    ``at`` and ``validation_time`` as REVOKED_NO_POE unless ``basis`` is PROVEN)."""

    certificate: Certificate
    embedded: tuple[Certificate, ...]
    at: datetime
    purpose: Purpose
    validation_time: datetime
    basis: TimeBasis


@dataclass(frozen=True, slots=True)
class TrustResult:
    """An evaluator's answer. ``status`` PASSED needs no sub-indication; FAILED and
    INDETERMINATE carry one (EN 319 102-1 Table 5: REVOKED, NO_CERTIFICATE_CHAIN_FOUND,
    OUT_OF_BOUNDS_NO_POE, TRY_LATER, CHAIN_CONSTRAINTS_FAILURE, ...). ``reasons`` explain it,
    ``chain`` lists the SHA-256 fingerprints from the certificate to its anchor and
    ``evidence`` is JSON-ready (a filing's inclusion proof, a licence, a CRL ...)."""

    status: TrustStatus
    sub_indication: SubIndication | None = None
    reasons: tuple[Reason, ...] = ()
    chain: tuple[str, ...] = ()
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "sub_indication": self.sub_indication.value if self.sub_indication else None,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "chain": list(self.chain),
            "evidence": dict(self.evidence),
        }


class TrustEvaluator(Protocol):
    """Judges a certificate at a time. Must not raise for untrusted input: say why in the
    result. (An exception is reported as INDETERMINATE/CERTIFICATE_CHAIN_GENERAL_FAILURE.)"""

    def evaluate(self, request: TrustRequest) -> TrustResult: ...


_CONSTRAINTS = {
    ProblemCode.ISSUER_NOT_CA,
    ProblemCode.PATH_LENGTH_EXCEEDED,
    ProblemCode.KEY_USAGE,
    ProblemCode.NAME_CONSTRAINTS,
    ProblemCode.UNHANDLED_CRITICAL_EXTENSION,
}
_CRYPTO = {
    ProblemCode.ALGORITHM_NOT_ALLOWED,
    ProblemCode.HASH_NOT_ALLOWED,
    ProblemCode.KEY_TOO_SMALL,
    ProblemCode.CURVE_NOT_ALLOWED,
}
_VALIDITY = {ProblemCode.EXPIRED, ProblemCode.NOT_YET_VALID}


def _sub_indication(code: ProblemCode) -> SubIndication:
    """EN 319 102-1 clause 5.2.6 (X.509 certificate validation) outcomes of a pki problem."""
    if code is ProblemCode.NO_PATH:
        return SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    if code is ProblemCode.NOT_YET_VALID:
        return SubIndication.NOT_YET_VALID_NO_POE
    if code is ProblemCode.EXPIRED:
        return SubIndication.OUT_OF_BOUNDS_NO_POE
    if code in _CONSTRAINTS:
        return SubIndication.CHAIN_CONSTRAINTS_FAILURE
    if code in _CRYPTO:
        return SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    return SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE


class AnchorTrustEvaluator:
    """Trusts certificates that chain to one of ``anchors`` at the time asked, through the
    given ``intermediates`` and those embedded in the CMS (:class:`certgov.pki.ChainVerifier`:
    validity periods, signatures, basic constraints, key usage, name constraints, the
    optional algorithm ``policy``). Revocation is not checked: the evidence says so.

    Keep one for many documents: issuers' keys and pool signatures are cached."""

    def __init__(
        self,
        anchors: Iterable[Certificate],
        intermediates: Iterable[Certificate] = (),
        *,
        policy: AlgorithmPolicy | None = None,
    ) -> None:
        self._verifier = ChainVerifier(anchors, intermediates, policy=policy)

    def evaluate(self, request: TrustRequest) -> TrustResult:
        result = self._verifier.verify(
            request.certificate, request.at, intermediates=request.embedded
        )
        chain = tuple(certificate.fingerprint for certificate in result.path)
        evidence = {
            "anchored": result.anchored,
            "path": [
                {"subject": certificate.subject, "sha256": certificate.fingerprint}
                for certificate in result.path
            ],
            "revocation": "not checked (standalone evaluator)",
        }
        if result.ok:
            return TrustResult(TrustStatus.PASSED, None, (), chain, evidence)
        reasons = problem_reasons(result.problems)
        return result_of(reasons, chain, evidence)


def problem_reasons(problems: Iterable[Problem]) -> tuple[Reason, ...]:
    """The reasons of :mod:`certgov.pki` chain problems, each with its EN 319 102-1 clause
    5.2.6 sub-indication (for evaluators that build chains with ``ChainVerifier``)."""
    return tuple(
        Reason(
            ReasonCode.NO_CHAIN_TO_ANCHOR
            if problem.code is ProblemCode.NO_PATH
            else ReasonCode.CHAIN_OUT_OF_VALIDITY
            if problem.code in _VALIDITY
            else ReasonCode.CHAIN_PROBLEM,
            _sub_indication(problem.code),
            {
                "problem": problem.code.value,
                "certificate": problem.subject,
                "position": problem.position,
                "detail": problem.message,
            },
        )
        for problem in problems
    )


def result_of(
    reasons: Iterable[Reason], chain: tuple[str, ...], evidence: Mapping[str, Any]
) -> TrustResult:
    """An evaluator's answer from its reasons: PASSED when none carries a sub-indication
    (notes only), else the worst one's indication and sub-indication (see
    :func:`certgov.docsig.indications.worst`)."""
    reasons = tuple(reasons)
    verdict = worst(reasons)
    status = {
        Indication.TOTAL_PASSED: TrustStatus.PASSED,
        Indication.TOTAL_FAILED: TrustStatus.FAILED,
        Indication.INDETERMINATE: TrustStatus.INDETERMINATE,
    }[verdict.indication]
    return TrustResult(status, verdict.sub_indication, reasons, chain, evidence)
