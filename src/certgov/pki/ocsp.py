"""OCSP (RFC 6960): the request for one certificate's status and the check of the answer.

For the revocation monitor (ECS-3.5: a responder that does not answer properly is a finding)
and for relying-party verification (SYS-5). Pure: DER in, :class:`OcspAnswer` out; the HTTP
exchange belongs to the caller.

The request names the certificate by hashes (SHA-1, as RFC 5019 profiles and every responder
accepts), computed from the issuer's encoded name and key, so SM2 issuers work as well as RSA
and ECDSA. The response's signature is checked with :func:`certgov.pki.signature.signature_failure`
(SM2 with SM3 through tongsuopy): signed by the issuer itself, or by a responder certificate
the issuer issued for OCSP signing (id-kp-OCSPSigning).
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, SignatureAlgorithmOID

from certgov.pki import _der
from certgov.pki.certificate import PARSE_ERRORS, Certificate
from certgov.pki.errors import PkiError
from certgov.pki.problems import Problem, ProblemCode
from certgov.pki.signature import check_signature, signature_failure

__all__ = ["OcspAnswer", "build_request", "check_response"]

_RSA_PKCS1 = frozenset(
    {
        SignatureAlgorithmOID.RSA_WITH_SHA1.dotted_string,
        SignatureAlgorithmOID.RSA_WITH_SHA224.dotted_string,
        SignatureAlgorithmOID.RSA_WITH_SHA256.dotted_string,
        SignatureAlgorithmOID.RSA_WITH_SHA384.dotted_string,
        SignatureAlgorithmOID.RSA_WITH_SHA512.dotted_string,
    }
)


@dataclass(frozen=True)
class OcspAnswer:
    """What a responder said about one certificate: ``status`` is ``good``, ``revoked``,
    ``unknown``, or None when the response could not be used (see ``problems``).

    ``reason`` is the RFC 5280 §5.3.1 name (``keyCompromise``), as in a CRL entry;
    ``responder`` is the subject of the certificate whose key verified the response (the
    issuer's or its delegated responder's) and ``responder_key_hash`` the SHA-1 of that key
    (hex, as a ResponderID byKey, RFC 6960 §4.2.1); ``sha256`` is the SHA-256 of the response
    as received (hex), set whenever there was a response.
    """

    status: str | None
    this_update: datetime | None = None
    next_update: datetime | None = None
    revoked_at: datetime | None = None
    reason: str | None = None
    responder: str | None = None
    problems: tuple[Problem, ...] = field(default=())
    produced_at: datetime | None = None
    responder_key_hash: str | None = None
    sha256: str | None = None

    @property
    def usable(self) -> bool:
        """A relying party may act on it: ``good`` or ``revoked`` from a response whose
        signature, responder and freshness checked out."""
        return self.status in ("good", "revoked") and not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "produced_at": self.produced_at.isoformat() if self.produced_at else None,
            "this_update": self.this_update.isoformat() if self.this_update else None,
            "next_update": self.next_update.isoformat() if self.next_update else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "reason": self.reason,
            "responder": self.responder,
            "responder_key_hash": self.responder_key_hash,
            "sha256": self.sha256,
            "problems": [{"code": p.code.value, "message": p.message} for p in self.problems],
        }


def _issuer_hashes(issuer: Certificate) -> tuple[bytes, bytes]:
    name = _der.tbs_parts(issuer.tbs).subject
    key = _der.spki_parts(issuer.spki).key
    return hashlib.sha1(name).digest(), hashlib.sha1(key).digest()  # noqa: S324 - RFC 6960 CertID


def build_request(certificate: Certificate, issuer: Certificate) -> bytes:
    """The DER OCSPRequest for ``certificate`` issued by ``issuer``."""
    name_hash, key_hash = _issuer_hashes(issuer)
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate_by_hash(
            name_hash,
            key_hash,
            certificate.summary.serial,
            hashes.SHA1(),  # noqa: S303
        )
        .build()
    )
    return request.public_bytes(serialization.Encoding.DER)


class _Signed:
    """The signature parameters of an OCSP response, in the shape signature_failure reads."""

    def __init__(self, response: ocsp.OCSPResponse) -> None:
        try:
            self.signature_hash_algorithm: hashes.HashAlgorithm | None = (
                response.signature_hash_algorithm
            )
        except UnsupportedAlgorithm:  # SM3: the SM2 path does not need it
            self.signature_hash_algorithm = None
        oid = response.signature_algorithm_oid.dotted_string
        self.signature_algorithm_parameters: Any = None
        if oid in _RSA_PKCS1:
            self.signature_algorithm_parameters = padding.PKCS1v15()
        elif self.signature_hash_algorithm is not None and oid.startswith("1.2.840.10045.4."):
            self.signature_algorithm_parameters = ec.ECDSA(self.signature_hash_algorithm)


def _is_ocsp_signer(candidate: Certificate) -> bool:
    try:
        usage = candidate.x509.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        return False
    return ExtendedKeyUsageOID.OCSP_SIGNING in usage.value


def check_response(
    data: bytes, certificate: Certificate, issuer: Certificate, at: datetime
) -> OcspAnswer:
    """Read the responder's answer ``data`` about ``certificate`` at time ``at`` (aware).

    Problems: ``ocsp_malformed`` (no OCSP response, or none for this certificate),
    ``ocsp_error_status`` (e.g. tryLater, unauthorized), ``ocsp_bad_signature`` (signature or
    responder authorisation), ``ocsp_stale`` (nextUpdate passed or thisUpdate ahead). The
    status is reported only from a response whose signature verifies.
    """
    subject = certificate.subject
    digest = hashlib.sha256(bytes(data)).hexdigest()

    def failed(code: ProblemCode, message: str) -> OcspAnswer:
        return OcspAnswer(
            None,
            problems=(
                Problem(code, f"OCSP response about {certificate.describe()} {message}", subject),
            ),
            sha256=digest,
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            response = ocsp.load_der_ocsp_response(bytes(data))
        except PARSE_ERRORS as exc:
            return failed(ProblemCode.OCSP_MALFORMED, f"does not decode: {exc}")
        if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
            return failed(
                ProblemCode.OCSP_ERROR_STATUS,
                f"has status {response.response_status.name} (RFC 6960 §2.3)",
            )
        name_hash, key_hash = _issuer_hashes(issuer)
        serial = certificate.summary.serial
        try:
            single = next(
                (
                    one
                    for one in response.responses
                    if one.serial_number == serial
                    and one.issuer_key_hash
                    == _rehash(one.hash_algorithm, issuer, key_hash, name=False)
                    and one.issuer_name_hash
                    == _rehash(one.hash_algorithm, issuer, name_hash, name=True)
                ),
                None,
            )
            signer = _responder(response, issuer)
        except (*PARSE_ERRORS, PkiError) as exc:
            return failed(ProblemCode.OCSP_MALFORMED, f"does not decode: {exc}")
        if single is None:
            return failed(
                ProblemCode.OCSP_MALFORMED,
                f"has no answer for serial {serial:x} of issuer {issuer.subject}",
            )
        if isinstance(signer, str):
            return failed(ProblemCode.OCSP_BAD_SIGNATURE, signer)
        failure = signature_failure(
            response.signature_algorithm_oid.dotted_string,
            response.tbs_response_bytes,
            response.signature,
            _Signed(response),
            signer,
        )
        if failure is not None:
            return failed(ProblemCode.OCSP_BAD_SIGNATURE, failure[1])
        status = single.certificate_status
        this_update = single.this_update_utc
        next_update = single.next_update_utc
        revoked_at = single.revocation_time_utc if status is ocsp.OCSPCertStatus.REVOKED else None
        reason = (
            single.revocation_reason.value
            if status is ocsp.OCSPCertStatus.REVOKED and single.revocation_reason
            else None
        )
        produced_at = response.produced_at_utc
    key_hash_hex = hashlib.sha1(_der.spki_parts(signer.spki).key).hexdigest()  # noqa: S324 - RFC 6960 KeyHash
    problems: list[Problem] = []
    if next_update is not None and next_update < at:
        problems.append(
            Problem(
                ProblemCode.OCSP_STALE,
                f"OCSP response about {certificate.describe()} is stale: its nextUpdate "
                f"{next_update.isoformat()} has passed (checked at {at.isoformat()})",
                subject,
            )
        )
    if this_update > at:
        problems.append(
            Problem(
                ProblemCode.OCSP_STALE,
                f"OCSP response about {certificate.describe()} is not valid before its "
                f"thisUpdate {this_update.isoformat()} (checked at {at.isoformat()})",
                subject,
            )
        )
    return OcspAnswer(
        status.name.lower(),
        this_update=this_update,
        next_update=next_update,
        revoked_at=revoked_at,
        reason=reason,
        responder=signer.subject,
        problems=tuple(problems),
        produced_at=produced_at,
        responder_key_hash=key_hash_hex,
        sha256=digest,
    )


def _rehash(
    algorithm: hashes.HashAlgorithm, issuer: Certificate, sha1: bytes, *, name: bool
) -> bytes:
    """The CertID hash of the issuer's name or key with the response's hash algorithm."""
    if isinstance(algorithm, hashes.SHA1):
        return sha1
    part = _der.tbs_parts(issuer.tbs).subject if name else _der.spki_parts(issuer.spki).key
    return hashlib.new(algorithm.name, part).digest()


def _responder(response: ocsp.OCSPResponse, issuer: Certificate) -> Certificate | str:
    """The certificate whose key signed ``response``: the issuer, or a delegated responder the
    issuer certified for OCSP signing; a message when the responder is not authorised."""
    if not response.certificates:
        return issuer
    for embedded in response.certificates:
        candidate = Certificate.from_der(
            embedded.public_bytes(serialization.Encoding.DER), where="the responder certificate"
        )
        if candidate.der == issuer.der:
            return issuer
        if (
            candidate.issuer_key == issuer.subject_key
            and check_signature(candidate, issuer) is None
            and _is_ocsp_signer(candidate)
        ):
            return candidate
    return (
        f"is signed by a responder {issuer.describe()} did not authorise (RFC 6960 §4.2.2.2: "
        "a delegated responder needs a certificate from the issuer with id-kp-OCSPSigning)"
    )
