"""Certification path building and validation (RFC 5280 §6.1, the parts listed below) for
signing certificates as much as TLS ones.

Given a target (a leaf, or a CA certificate being filed), intermediates and trust anchors, a
path is built by issuer/subject name (RFC 5280 §7.1 comparison), preferring trust anchors,
authority/subject key identifier matches and certificates valid at ``at``. Each path found is
validated; the first without problems wins, otherwise the one with the fewest. Validation
checks, and reports every problem it finds rather than the first:

- each signature (RSA PKCS #1 v1.5 and PSS, ECDSA, Ed25519/Ed448, DSA, SM2 with SM3);
- validity of every certificate at ``at``, the trust anchor's included;
- name chaining (issuer of one = subject of the next);
- basicConstraints cA on every issuer (a version 1 trust anchor is accepted as a CA);
- pathLenConstraint (self-issued intermediates not counted, §6.1.4 (l));
- keyUsage keyCertSign on every issuer that has a keyUsage extension;
- nameConstraints (:mod:`certgov.pki.constraints`);
- critical extensions this library does not know;
- the :class:`~certgov.pki.policy.AlgorithmPolicy`, when one is given (the trust anchor's
  self-signature is not relied upon and not checked against it).

Not checked: certificate policies (policy mapping, policyConstraints, inhibitAnyPolicy are
recognised but not enforced), extended key usage, revocation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from certgov.pki.certificate import Certificate
from certgov.pki.constraints import check_name_constraints
from certgov.pki.errors import PkiError
from certgov.pki.names import NameKey
from certgov.pki.policy import AlgorithmPolicy
from certgov.pki.problems import Problem, ProblemCode
from certgov.pki.signature import check_signature

__all__ = [
    "RECOGNISED_EXTENSIONS",
    "ChainResult",
    "ChainVerifier",
    "verify_chain",
    "verify_path",
]

#: Extensions a critical flag does not make a problem (RFC 5280 §4.2 and common ones).
RECOGNISED_EXTENSIONS = frozenset(
    {
        "2.5.29.14",  # subjectKeyIdentifier
        "2.5.29.15",  # keyUsage
        "2.5.29.17",  # subjectAltName
        "2.5.29.18",  # issuerAltName
        "2.5.29.19",  # basicConstraints
        "2.5.29.30",  # nameConstraints
        "2.5.29.31",  # cRLDistributionPoints
        "2.5.29.32",  # certificatePolicies (recognised, not enforced)
        "2.5.29.33",  # policyMappings (recognised, not enforced)
        "2.5.29.35",  # authorityKeyIdentifier
        "2.5.29.36",  # policyConstraints (recognised, not enforced)
        "2.5.29.37",  # extKeyUsage
        "2.5.29.46",  # freshestCRL
        "2.5.29.54",  # inhibitAnyPolicy (recognised, not enforced)
        "1.3.6.1.5.5.7.1.1",  # authorityInfoAccess
        "1.3.6.1.5.5.7.1.11",  # subjectInfoAccess
        "1.3.6.1.4.1.11129.2.4.2",  # CT signed certificate timestamps
    }
)

DEFAULT_MAX_DEPTH = 10
_MAX_PATHS = 16
_MAX_STEPS = 2000


@dataclass(frozen=True, slots=True)
class ChainResult:
    """The outcome of a verification: ``path`` runs from the target (index 0) towards the
    trust anchor; when ``anchored`` is false it is the longest partial path found. ``ok``
    means anchored and no problems."""

    ok: bool
    at: datetime
    path: tuple[Certificate, ...]
    anchored: bool
    problems: tuple[Problem, ...]

    @property
    def codes(self) -> frozenset[ProblemCode]:
        return frozenset(problem.code for problem in self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "at": self.at.isoformat(),
            "anchored": self.anchored,
            "path": [
                {"subject": certificate.subject, "fingerprint_sha256": certificate.fingerprint}
                for certificate in self.path
            ],
            "problems": [problem.as_dict() for problem in self.problems],
        }


_UNKNOWN: Any = object()


class ChainVerifier:
    """Verifies targets against fixed trust anchors and intermediates.

    Keep one verifier for many targets: issuers' public keys are loaded once and signature
    results between pool certificates (anchors and intermediates given here) are cached, so
    only each target's own signature is verified per call. Sharing one verifier between threads
    is safe as far as its own caches go (a race only repeats work).
    """

    def __init__(
        self,
        anchors: Iterable[Certificate],
        intermediates: Iterable[Certificate] = (),
        *,
        policy: AlgorithmPolicy | None = None,
        max_depth: int = DEFAULT_MAX_DEPTH,
        signatures: MutableMapping[tuple[bytes, bytes], Problem | None] | None = None,
    ) -> None:
        """``signatures``: a cache of signature results (by subject and issuer DER) shared
        with other verifiers, e.g. a bounded per-process one for a service that verifies
        the same chains again and again; when given, every result is kept in it, targets'
        too (a signature over given bytes with a given key always verifies the same way)."""
        self.policy = policy
        self.max_depth = max_depth
        self._shared = signatures
        self._anchors: dict[bytes, Certificate] = {cert.der: cert for cert in anchors}
        self._pool: dict[bytes, Certificate] = dict(self._anchors)
        for cert in intermediates:
            self._pool.setdefault(cert.der, cert)
        self._by_subject = _index(self._pool.values())
        self._signatures: dict[tuple[bytes, bytes], Problem | None] = {}

    def verify(
        self,
        target: Certificate,
        at: datetime,
        *,
        intermediates: Iterable[Certificate] = (),
        required_key_usage: Iterable[str] = (),
    ) -> ChainResult:
        """Build and validate a path from ``target`` to a trust anchor at time ``at`` (aware).

        ``intermediates`` are extra candidates for this call only (a bundle's own CA
        certificates). ``required_key_usage`` names keyUsage bits the target must have when it
        has a keyUsage extension (``digitalSignature``, ``nonRepudiation``, ...).
        """
        _require_aware(at)
        required = tuple(required_key_usage)
        extra = _index(
            {cert.der: cert for cert in intermediates if cert.der not in self._pool}.values()
        )
        best: tuple[tuple[int, int], list[Certificate], list[Problem]] | None = None
        longest: list[Certificate] = [target]
        for path, anchored in self._paths(target, at, extra):
            if not anchored:
                if len(path) > len(longest):
                    longest = path
                continue
            problems = self._evaluate(path, at, True, required, check_names=False)
            if not problems:
                return ChainResult(True, at, tuple(path), True, ())
            score = (_severity(problems), len(problems))
            if best is None or score < best[0]:
                best = (score, path, problems)
        if best is not None:
            return ChainResult(False, at, tuple(best[1]), True, tuple(best[2]))
        problems = [self._no_path(longest, extra)]
        problems += self._evaluate(longest, at, False, required, check_names=False)
        return ChainResult(False, at, tuple(longest), False, tuple(problems))

    def verify_path(
        self,
        path: Sequence[Certificate],
        at: datetime,
        *,
        required_key_usage: Iterable[str] = (),
    ) -> ChainResult:
        """Validate ``path`` as given (target first), without building: names are checked to
        chain, and the last certificate must be one of this verifier's trust anchors."""
        _require_aware(at)
        if not path:
            raise PkiError("expected a path of at least one certificate, found none")
        chain = list(path)
        anchored = chain[-1].der in self._anchors
        problems: list[Problem] = []
        if not anchored:
            problems.append(
                Problem.about(
                    ProblemCode.NO_PATH,
                    chain[-1],
                    "ends the path but is not a trust anchor",
                    position=len(chain) - 1,
                )
            )
        problems += self._evaluate(chain, at, anchored, tuple(required_key_usage), check_names=True)
        return ChainResult(anchored and not problems, at, tuple(chain), anchored, tuple(problems))

    # -- building ---------------------------------------------------------------------------

    def _candidates(
        self, cert: Certificate, at: datetime, extra: dict[NameKey, list[Certificate]]
    ) -> list[Certificate]:
        found = self._by_subject.get(cert.issuer_key, []) + extra.get(cert.issuer_key, [])
        aki = cert.summary.authority_key_identifier

        def rank(candidate: Certificate) -> tuple[bool, bool, bool, float]:
            summary = candidate.summary
            ski = summary.subject_key_identifier
            return (
                candidate.der not in self._anchors,
                aki is not None and ski is not None and aki != ski,
                not summary.not_before <= at <= summary.not_after,
                -summary.not_after.timestamp(),
            )

        return sorted(found, key=rank)

    def _paths(
        self, target: Certificate, at: datetime, extra: dict[NameKey, list[Certificate]]
    ) -> Iterator[tuple[list[Certificate], bool]]:
        """Paths from ``target`` in preference order: (path, True) for each path ending at an
        anchor, (path, False) for each dead end. Bounded in depth, count and steps."""
        steps = 0
        complete = 0
        path = [target]
        on_path = {target.der}

        def walk() -> Iterator[tuple[list[Certificate], bool]]:
            nonlocal steps, complete
            steps += 1
            last = path[-1]
            if last.der in self._anchors:
                complete += 1
                yield list(path), True
                return
            candidates = [
                candidate
                for candidate in self._candidates(last, at, extra)
                if candidate.der not in on_path
            ]
            if not candidates or len(path) > self.max_depth:
                yield list(path), False
                return
            for candidate in candidates:
                if complete >= _MAX_PATHS or steps >= _MAX_STEPS:
                    return
                path.append(candidate)
                on_path.add(candidate.der)
                yield from walk()
                path.pop()
                on_path.discard(candidate.der)

        yield from walk()

    def _no_path(
        self, longest: list[Certificate], extra: dict[NameKey, list[Certificate]]
    ) -> Problem:
        last = longest[-1]
        position = len(longest) - 1
        if len(longest) > self.max_depth:
            message = f"is {position} certificates above the target and no trust anchor is in reach"
        elif last.summary.is_self_issued:
            message = "is self-issued but is not a trust anchor"
        elif self._by_subject.get(last.issuer_key) or extra.get(last.issuer_key):
            message = f"names issuer '{last.summary.issuer}', found only on a loop in the path"
        else:
            message = (
                f"names issuer '{last.summary.issuer}', which is neither a trust anchor nor "
                "among the intermediates"
            )
        return Problem.about(
            ProblemCode.NO_PATH, last, f"{message}: no path to a trust anchor", position=position
        )

    # -- validation -------------------------------------------------------------------------

    def _signature(self, subject: Certificate, issuer: Certificate) -> Problem | None:
        key = (subject.der, issuer.der)
        if self._shared is not None:
            found = self._shared.get(key, _UNKNOWN)
            if found is not _UNKNOWN:
                return cast(Problem | None, found)
            problem = self._shared[key] = check_signature(subject, issuer)
            return problem
        cacheable = subject.der in self._pool and issuer.der in self._pool
        if cacheable and key in self._signatures:
            return self._signatures[key]
        problem = check_signature(subject, issuer)
        if cacheable:
            self._signatures[key] = problem
        return problem

    def _evaluate(
        self,
        path: list[Certificate],
        at: datetime,
        anchored: bool,
        required_key_usage: tuple[str, ...],
        *,
        check_names: bool,
    ) -> list[Problem]:
        problems: list[Problem] = []
        last = len(path) - 1

        def problem(code: ProblemCode, message: str) -> None:
            problems.append(Problem.about(code, cert, message, position=position))

        for position, cert in enumerate(path):
            summary = cert.summary
            is_anchor = anchored and position == last

            if at < summary.not_before:
                problem(
                    ProblemCode.NOT_YET_VALID,
                    f"is not valid before {summary.not_before.isoformat()} "
                    f"(checked at {at.isoformat()})",
                )
            elif at > summary.not_after:
                problem(
                    ProblemCode.EXPIRED,
                    f"expired at {summary.not_after.isoformat()} (checked at {at.isoformat()})",
                )
            if self.policy is not None:
                problems += self.policy.check(cert, signature=not is_anchor, position=position)
            for oid in summary.critical_extensions:
                if oid not in RECOGNISED_EXTENSIONS:
                    problem(
                        ProblemCode.UNHANDLED_CRITICAL_EXTENSION,
                        f"has critical extension {oid}, which certgov does not process",
                    )
            if position > 0:
                issued = path[position - 1]
                if not summary.is_ca and not (is_anchor and summary.version == 1):
                    problem(
                        ProblemCode.ISSUER_NOT_CA,
                        f"issued {issued.describe()} but is not a CA (basicConstraints cA is not set)",
                    )
                if summary.key_usage is not None and "keyCertSign" not in summary.key_usage:
                    problem(
                        ProblemCode.KEY_USAGE,
                        f"issued {issued.describe()} but its keyUsage ({', '.join(summary.key_usage)}) "
                        "lacks keyCertSign",
                    )
                if summary.path_length is not None:
                    below = sum(1 for c in path[1:position] if not c.summary.is_self_issued)
                    if below > summary.path_length:
                        problem(
                            ProblemCode.PATH_LENGTH_EXCEEDED,
                            f"allows {summary.path_length} intermediate CA certificate(s) below "
                            f"it (pathLenConstraint) but the path has {below}",
                        )
            if position < last:
                issuer = path[position + 1]
                if check_names and cert.issuer_key != issuer.subject_key:
                    problem(
                        ProblemCode.NAME_MISMATCH,
                        f"names issuer '{summary.issuer}' but the next certificate in the path "
                        f"is {issuer.describe()}",
                    )
                signature = self._signature(cert, issuer)
                if signature is not None:
                    problems.append(signature.at_position(position))
        target_usage = path[0].summary.key_usage
        if target_usage is not None:
            missing = [usage for usage in required_key_usage if usage not in target_usage]
            if missing:
                problems.append(
                    Problem.about(
                        ProblemCode.KEY_USAGE,
                        path[0],
                        f"lacks keyUsage {', '.join(missing)} required here "
                        f"(it has {', '.join(target_usage) or 'none'})",
                        position=0,
                    )
                )
        problems += check_name_constraints(path)
        return problems


def verify_chain(
    target: Certificate,
    *,
    anchors: Iterable[Certificate],
    at: datetime,
    intermediates: Iterable[Certificate] = (),
    policy: AlgorithmPolicy | None = None,
    required_key_usage: Iterable[str] = (),
) -> ChainResult:
    """Build and validate a path from ``target`` to one of ``anchors`` at ``at``. For many
    targets under the same anchors, keep a :class:`ChainVerifier` instead."""
    verifier = ChainVerifier(anchors, intermediates, policy=policy)
    return verifier.verify(target, at, required_key_usage=required_key_usage)


def verify_path(
    path: Sequence[Certificate],
    *,
    anchors: Iterable[Certificate],
    at: datetime,
    policy: AlgorithmPolicy | None = None,
    required_key_usage: Iterable[str] = (),
) -> ChainResult:
    """Validate an ordered path (target first, trust anchor last) as given."""
    verifier = ChainVerifier(anchors, policy=policy)
    return verifier.verify_path(path, at, required_key_usage=required_key_usage)


_SEVERE = frozenset(
    {
        ProblemCode.BAD_SIGNATURE,
        ProblemCode.NAME_MISMATCH,
        ProblemCode.UNSUPPORTED_ALGORITHM,
        ProblemCode.INVALID_KEY,
    }
)


def _severity(problems: list[Problem]) -> int:
    """Paths whose signatures fail rank below paths with only other problems."""
    return sum(1 for problem in problems if problem.code in _SEVERE)


def _index(certificates: Iterable[Certificate]) -> dict[NameKey, list[Certificate]]:
    index: dict[NameKey, list[Certificate]] = {}
    for cert in certificates:
        index.setdefault(cert.subject_key, []).append(cert)
    return index


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise PkiError(
            "expected a timezone-aware time to verify at, found naive {at}",
            at=at.isoformat(),
            hint="pass datetime.now(UTC) or the clock's now()",
        )
