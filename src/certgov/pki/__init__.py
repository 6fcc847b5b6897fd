"""X.509 for filings and verification: bundles, certificate summaries, SM2, chains, policy.

Pure library (no database, no I/O, no clock: the verification time is an argument):

- :mod:`certgov.pki.bundle` — PEM, DER and PKCS #7 bundles into :class:`Certificate` objects;
- :mod:`certgov.pki.certificate` — a parsed certificate and its typed summary;
- :mod:`certgov.pki.signature` — signature verification, SM2/SM3 through tongsuopy;
- :mod:`certgov.pki.chain` — path building and validation, every problem reported;
- :mod:`certgov.pki.crl` — CRLs: summary, signature and freshness, revocation lookup;
- :mod:`certgov.pki.ocsp` — OCSP requests and the check of responses;
- :mod:`certgov.pki.constraints` — RFC 5280 name constraints;
- :mod:`certgov.pki.policy` — the algorithm policy of a rule set;
- :mod:`certgov.pki.problems` — problem codes and messages;
- :mod:`certgov.pki.errors` — the errors, all :class:`certgov.errors.InvalidInput`.

See ``docs/pki.md``.
"""

from certgov.pki._oids import KeyAlgorithm
from certgov.pki.bundle import DEFAULT_MAX_CERTIFICATES, parse_bundle, parse_certificate
from certgov.pki.certificate import Certificate, CertificateSummary
from certgov.pki.chain import ChainResult, ChainVerifier, verify_chain, verify_path
from certgov.pki.crl import (
    Crl,
    CrlScopeError,
    CrlSummary,
    MalformedCrlError,
    Revoked,
    check_crl,
    parse_crl,
    revocation_status,
)
from certgov.pki.errors import (
    EmptyBundleError,
    MalformedBundleError,
    NotACertificateError,
    PkiError,
    TooManyCertificatesError,
)
from certgov.pki.ocsp import OcspAnswer, build_request, check_response
from certgov.pki.policy import AlgorithmPolicy
from certgov.pki.problems import Problem, ProblemCode
from certgov.pki.signature import SM2_DEFAULT_ID, check_signature, sm2_available

__all__ = [
    "DEFAULT_MAX_CERTIFICATES",
    "SM2_DEFAULT_ID",
    "AlgorithmPolicy",
    "Certificate",
    "CertificateSummary",
    "ChainResult",
    "ChainVerifier",
    "Crl",
    "CrlScopeError",
    "CrlSummary",
    "EmptyBundleError",
    "KeyAlgorithm",
    "MalformedBundleError",
    "MalformedCrlError",
    "NotACertificateError",
    "OcspAnswer",
    "PkiError",
    "Problem",
    "ProblemCode",
    "Revoked",
    "TooManyCertificatesError",
    "build_request",
    "check_crl",
    "check_response",
    "check_signature",
    "parse_bundle",
    "parse_certificate",
    "parse_crl",
    "revocation_status",
    "sm2_available",
    "verify_chain",
    "verify_path",
]
