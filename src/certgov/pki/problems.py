"""Problems found in a certificate, a chain or a CRL: a machine code and a message naming the
certificate or CRL. A verification reports every problem it can, not only the first."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from certgov.pki.certificate import Certificate

__all__ = ["Problem", "ProblemCode"]


class ProblemCode(StrEnum):
    #: ``at`` is after the certificate's notAfter.
    EXPIRED = "expired"
    #: ``at`` is before the certificate's notBefore.
    NOT_YET_VALID = "not_yet_valid"
    #: The issuer's key does not verify the certificate's signature.
    BAD_SIGNATURE = "bad_signature"
    #: The signature or key algorithm is one this library cannot verify.
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    #: The issuer's public key does not load (malformed or off the curve).
    INVALID_KEY = "invalid_key"
    #: An issuer lacks basicConstraints cA=TRUE (RFC 5280 §4.2.1.9).
    ISSUER_NOT_CA = "issuer_not_ca"
    #: An issuer's pathLenConstraint is exceeded (RFC 5280 §4.2.1.9).
    PATH_LENGTH_EXCEEDED = "path_length_exceeded"
    #: An issuer's keyUsage lacks keyCertSign, or the target lacks a required usage.
    KEY_USAGE = "key_usage"
    #: A certificate's issuer name is not the next certificate's subject.
    NAME_MISMATCH = "name_mismatch"
    #: A name below a CA violates that CA's nameConstraints (RFC 5280 §4.2.1.10).
    NAME_CONSTRAINTS = "name_constraints"
    #: A critical extension this library does not process (RFC 5280 §4.2).
    UNHANDLED_CRITICAL_EXTENSION = "unhandled_critical_extension"
    #: No path from the certificate to a trust anchor.
    NO_PATH = "no_path"
    #: Signature algorithm or key algorithm outside the algorithm policy.
    ALGORITHM_NOT_ALLOWED = "algorithm_not_allowed"
    #: Signature hash outside the algorithm policy.
    HASH_NOT_ALLOWED = "hash_not_allowed"
    #: RSA key shorter than the policy's minimum.
    KEY_TOO_SMALL = "key_too_small"
    #: Elliptic curve (or EdDSA curve) outside the policy.
    CURVE_NOT_ALLOWED = "curve_not_allowed"
    #: The issuer's key does not verify the CRL's signature (RFC 5280 §6.3.3 (g)).
    CRL_BAD_SIGNATURE = "crl_bad_signature"
    #: The CRL's issuer name is not the subject of the certificate it was checked against.
    CRL_ISSUER_MISMATCH = "crl_issuer_mismatch"
    #: ``at`` is after the CRL's nextUpdate: the CA has not published on time (ECS-3.5).
    CRL_STALE = "crl_stale"
    #: ``at`` is before the CRL's thisUpdate.
    CRL_NOT_YET_VALID = "crl_not_yet_valid"
    #: The CRL has no nextUpdate (RFC 5280 §5.1.2.5 requires one).
    CRL_NO_NEXT_UPDATE = "crl_no_next_update"
    #: The OCSP response does not decode, or has no answer for the certificate asked about.
    OCSP_MALFORMED = "ocsp_malformed"
    #: The responder answered with an error status (RFC 6960 §2.3), e.g. tryLater.
    OCSP_ERROR_STATUS = "ocsp_error_status"
    #: The response's signature does not verify with the issuer's key or an authorised
    #: responder's (RFC 6960 §4.2.2.2), or the responder is not authorised.
    OCSP_BAD_SIGNATURE = "ocsp_bad_signature"
    #: The response's nextUpdate has passed, or its thisUpdate is in the future.
    OCSP_STALE = "ocsp_stale"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: ``certificate`` is the SHA-256 fingerprint (hex) of the certificate it is
    about, ``position`` its index in the verified path (0 = the target), when it has one. A
    problem about a CRL has ``crl``, the SHA-256 fingerprint of the CRL, and ``subject``, the
    CRL's issuer."""

    code: ProblemCode
    message: str
    certificate: str | None = None
    subject: str | None = None
    position: int | None = None
    crl: str | None = None

    @classmethod
    def about(
        cls,
        code: ProblemCode,
        certificate: Certificate,
        message: str,
        *,
        position: int | None = None,
    ) -> Problem:
        """A problem about ``certificate``; ``message`` follows its description."""
        return cls(
            code=code,
            message=f"certificate {certificate.describe()} {message}",
            certificate=certificate.fingerprint,
            subject=certificate.subject,
            position=position,
        )

    def at_position(self, position: int) -> Problem:
        return Problem(self.code, self.message, self.certificate, self.subject, position, self.crl)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready; ``crl`` is there only for a problem about a CRL."""
        body: dict[str, Any] = {
            "code": self.code.value,
            "message": self.message,
            "certificate": self.certificate,
            "subject": self.subject,
            "position": self.position,
        }
        if self.crl is not None:
            body["crl"] = self.crl
        return body
