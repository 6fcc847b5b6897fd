"""Algorithm policy: which keys, curves, hashes and signature algorithms a filed or verified
certificate may use (ECS-3.4; the cross-border review will apply it to foreign certificates).

The values come from the rule set in force (parameters ``rsa_min_bits``, ``allowed_curves``,
``allowed_hashes``, ``allowed_signature_algorithms``), spelled as the rule sets spell them:
curves ``secp256r1`` … ``sm2p256v1`` (and ``ed25519`` / ``ed448`` for EdDSA keys), hashes
``sha256`` … ``sm3``, signature algorithms by OpenSSL long name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from certgov.pki._oids import KeyAlgorithm
from certgov.pki.certificate import Certificate
from certgov.pki.problems import Problem, ProblemCode

if TYPE_CHECKING:
    from certgov.rules.model import RuleSet

__all__ = ["AlgorithmPolicy"]


@dataclass(frozen=True, slots=True)
class AlgorithmPolicy:
    """Allowed algorithms. Precondition: ``rsa_min_bits >= 0``.

    An EdDSA key passes only when its curve name (``ed25519``, ``ed448``) is among
    ``allowed_curves``; DSA and unknown key types never pass.
    """

    rsa_min_bits: int
    allowed_curves: frozenset[str]
    allowed_hashes: frozenset[str]
    allowed_signature_algorithms: frozenset[str]

    @classmethod
    def of(
        cls,
        *,
        rsa_min_bits: int,
        allowed_curves: Iterable[str],
        allowed_hashes: Iterable[str],
        allowed_signature_algorithms: Iterable[str],
    ) -> AlgorithmPolicy:
        """A policy from any iterables of names."""
        return cls(
            rsa_min_bits,
            frozenset(allowed_curves),
            frozenset(allowed_hashes),
            frozenset(allowed_signature_algorithms),
        )

    @classmethod
    def from_rule_set(cls, rule_set: RuleSet) -> AlgorithmPolicy:
        """The policy of ``rule_set``; :class:`certgov.errors.ConfigurationError` when one of
        the four parameters is missing or of the wrong kind."""
        return cls.of(
            rsa_min_bits=rule_set.count("rsa_min_bits"),
            allowed_curves=rule_set.items("allowed_curves"),
            allowed_hashes=rule_set.items("allowed_hashes"),
            allowed_signature_algorithms=rule_set.items("allowed_signature_algorithms"),
        )

    def check(
        self,
        certificate: Certificate,
        *,
        key: bool = True,
        signature: bool = True,
        position: int | None = None,
    ) -> list[Problem]:
        """Problems of ``certificate`` under this policy: its key (``key_too_small``,
        ``curve_not_allowed``, ``algorithm_not_allowed``) unless ``key`` is false, and its
        signature (``algorithm_not_allowed``, ``hash_not_allowed``) unless ``signature`` is
        false (a trust anchor's self-signature is not relied upon)."""
        problems: list[Problem] = []
        summary = certificate.summary

        def problem(code: ProblemCode, message: str) -> None:
            problems.append(Problem.about(code, certificate, message, position=position))

        if key:
            family = summary.key_algorithm
            if family is KeyAlgorithm.RSA:
                if summary.key_size is None or summary.key_size < self.rsa_min_bits:
                    problem(
                        ProblemCode.KEY_TOO_SMALL,
                        f"has a {summary.key_size}-bit RSA key; the policy requires at least "
                        f"{self.rsa_min_bits} bits",
                    )
            elif family in (KeyAlgorithm.EC, KeyAlgorithm.ED25519, KeyAlgorithm.ED448):
                if summary.curve not in self.allowed_curves:
                    problem(
                        ProblemCode.CURVE_NOT_ALLOWED,
                        f"has a key on curve {summary.curve}; the policy allows "
                        f"{_listing(self.allowed_curves)}",
                    )
            else:
                problem(
                    ProblemCode.ALGORITHM_NOT_ALLOWED,
                    f"has a {family.value} key; the policy allows RSA of at least "
                    f"{self.rsa_min_bits} bits and keys on {_listing(self.allowed_curves)}",
                )
        if signature:
            if summary.signature_algorithm not in self.allowed_signature_algorithms:
                problem(
                    ProblemCode.ALGORITHM_NOT_ALLOWED,
                    f"is signed with {summary.signature_algorithm}; the policy allows "
                    f"{_listing(self.allowed_signature_algorithms)}",
                )
            hash_name = summary.signature_hash
            if hash_name is not None and hash_name not in self.allowed_hashes:
                problem(
                    ProblemCode.HASH_NOT_ALLOWED,
                    f"is signed with hash {hash_name}; the policy allows "
                    f"{_listing(self.allowed_hashes)}",
                )
        return problems


def _listing(names: frozenset[str]) -> str:
    return ", ".join(sorted(names)) if names else "none"
