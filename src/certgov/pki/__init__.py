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
- :mod:`certgov.pki.lint` — standards lints with pkilint (imported on first use: pkilint
  takes a tenth of a second to import);
- :mod:`certgov.pki.errors` — the errors, all :class:`certgov.errors.InvalidInput`.

See ``docs/pki.md``.
"""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from certgov.pki.lint import LintFinding, LintReport, LintSeverity, lint_certificate

_LAZY = {"LintFinding", "LintReport", "LintSeverity", "lint_certificate"}


def __getattr__(attribute: str) -> Any:
    """The lint names, imported from :mod:`certgov.pki.lint` when first asked for."""
    if attribute in _LAZY:
        from certgov.pki import lint

        return getattr(lint, attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")


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
    "LintFinding",
    "LintReport",
    "LintSeverity",
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
    "lint_certificate",
    "parse_bundle",
    "parse_certificate",
    "parse_crl",
    "revocation_status",
    "sm2_available",
    "verify_chain",
    "verify_path",
]
