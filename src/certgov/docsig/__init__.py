"""Signed documents for relying parties (SYS-5 "or signed data"): PDF signatures and CMS /
PKCS #7 SignedData, RSA, ECDSA and SM2/SM3, validated to an ETSI EN 319 102-1 verdict.

Pure library: no database, no clock, no network. What the registry knows (a filed CA
certificate, a licence at the signing time, revocation, an inclusion proof) comes in through
a :class:`TrustEvaluator` the caller passes; :class:`AnchorTrustEvaluator` is the standalone
one (a chain to given trust anchors).

- :func:`validate_document`, :func:`validate_pdf`, :func:`validate_cms` → :class:`DocumentReport`;
- :mod:`certgov.docsig.indications` — indications, sub-indications, reasons;
- :mod:`certgov.docsig.messages` — every reason in English and Chinese;
- :func:`report_json`, :func:`sign_report`, :func:`verify_report` — the report as evidence.

See ``docs/document-validation.md``.
"""

from certgov.docsig.errors import (
    DocumentError,
    DocumentTooLargeError,
    EncryptedDocumentError,
    MalformedDocumentError,
    TooManySignaturesError,
    UnsupportedDocumentError,
)
from certgov.docsig.indications import Indication, Reason, ReasonCode, SubIndication
from certgov.docsig.limits import DEFAULT_LIMITS, Limits
from certgov.docsig.messages import (
    INDICATION_LABELS,
    MESSAGES,
    SUB_INDICATION_LABELS,
    render_reason,
)
from certgov.docsig.report import (
    Coverage,
    DocumentReport,
    Integrity,
    ReportSignatureError,
    SignatureReport,
    SigningTime,
    TimestampReport,
    explain,
    report_json,
    sign_report,
    verify_report,
)
from certgov.docsig.trust import (
    AnchorTrustEvaluator,
    Purpose,
    TimeBasis,
    TrustEvaluator,
    TrustRequest,
    TrustResult,
    TrustStatus,
)
from certgov.docsig.validate import validate_cms, validate_document, validate_pdf

__all__ = [
    "DEFAULT_LIMITS",
    "INDICATION_LABELS",
    "MESSAGES",
    "SUB_INDICATION_LABELS",
    "AnchorTrustEvaluator",
    "Coverage",
    "DocumentError",
    "DocumentReport",
    "DocumentTooLargeError",
    "EncryptedDocumentError",
    "Indication",
    "Integrity",
    "Limits",
    "MalformedDocumentError",
    "Purpose",
    "Reason",
    "ReasonCode",
    "ReportSignatureError",
    "SignatureReport",
    "SigningTime",
    "SubIndication",
    "TimeBasis",
    "TimestampReport",
    "TooManySignaturesError",
    "TrustEvaluator",
    "TrustRequest",
    "TrustResult",
    "TrustStatus",
    "UnsupportedDocumentError",
    "explain",
    "render_reason",
    "report_json",
    "sign_report",
    "validate_cms",
    "validate_document",
    "validate_pdf",
    "verify_report",
]
