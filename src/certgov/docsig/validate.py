"""Entry points: validate a signed PDF, CMS / PKCS #7 SignedData (attached ``.p7m``, or
detached ``.p7s`` with its content), or whichever of the two a file is.

Pure functions: the validation time is an argument, trust is the caller's
:class:`~certgov.docsig.trust.TrustEvaluator`, bounds are :class:`~certgov.docsig.limits.Limits`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import datetime

from certgov.docsig.cms import CmsFormatError, parse_signed_data
from certgov.docsig.errors import DocumentTooLargeError, UnsupportedDocumentError
from certgov.docsig.indications import Reason, ReasonCode
from certgov.docsig.judge import failed_format, judge_signer
from certgov.docsig.limits import DEFAULT_LIMITS, Limits
from certgov.docsig.pdf import validate_pdf_signatures
from certgov.docsig.report import DocumentReport
from certgov.docsig.trust import TrustEvaluator
from certgov.errors import InvalidInput
from certgov.text import Text

__all__ = ["validate_cms", "validate_document", "validate_pdf"]

_PEM = re.compile(
    rb"-----BEGIN (PKCS7|CMS|PKCS #7 SIGNED DATA)-----(.*?)-----END \1-----", re.DOTALL
)


def _check(data: bytes, too_large: Text, validation_time: datetime, limits: Limits) -> None:
    """``too_large`` says what is too large, given its ``size`` and ``limit``."""
    if validation_time.tzinfo is None or validation_time.utcoffset() is None:
        raise InvalidInput(
            "expected a validation time with its offset, found {found}",
            found=validation_time.isoformat(),
            hint="e.g. 2026-01-05T10:00:00+08:00",
        )
    if len(data) > limits.max_document_bytes:
        raise DocumentTooLargeError(
            too_large,
            size=len(data),
            limit=limits.max_document_bytes,
            details={"size": len(data), "limit": limits.max_document_bytes},
        )


def _is_pdf(data: bytes) -> bool:
    # ISO 32000-2 §7.5.2 lets a header follow up to 1024 bytes of anything.
    return b"%PDF-" in data[:1024]


def validate_pdf(
    data: bytes,
    *,
    evaluator: TrustEvaluator,
    validation_time: datetime,
    limits: Limits = DEFAULT_LIMITS,
) -> DocumentReport:
    """Validate every signature of the PDF ``data`` at ``validation_time`` (aware).

    Raises :class:`~certgov.docsig.errors.UnsupportedDocumentError` (not a PDF),
    ``MalformedDocumentError``, ``EncryptedDocumentError``, ``DocumentTooLargeError``,
    ``TooManySignaturesError``. A PDF without signatures gets an INDETERMINATE report with
    reason ``no_signature``."""
    data = bytes(data)
    _check(
        data,
        Text("the PDF is {size} bytes, more than the {limit} allowed"),
        validation_time,
        limits,
    )
    if not _is_pdf(data):
        raise UnsupportedDocumentError(
            "expected a PDF (a file starting with %PDF-), found something else",
            hint="send the signed PDF, or a CMS/PKCS #7 signature (.p7s, .p7m)",
        )
    signatures = validate_pdf_signatures(
        data, evaluator=evaluator, validation_time=validation_time, limits=limits
    )
    return DocumentReport(
        kind="pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        validation_time=validation_time,
        signatures=signatures,
        reasons=() if signatures else (Reason(ReasonCode.NO_SIGNATURE),),
    )


def _cms_der(data: bytes) -> bytes:
    stripped = data.lstrip()
    if stripped.startswith(b"-----BEGIN"):
        match = _PEM.search(stripped)
        if match is None:
            raise UnsupportedDocumentError(
                "expected a PEM block 'PKCS7' or 'CMS', found another label or a broken block"
            )
        try:
            return base64.b64decode(b"".join(match.group(2).split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise UnsupportedDocumentError(
                "the PEM block is not base64: {error}", error=str(exc)
            ) from exc
    if stripped[:1] != b"\x30":
        raise UnsupportedDocumentError(
            "expected CMS/PKCS #7 SignedData (DER, BER or PEM), found something else",
            hint="send the .p7s or .p7m file as received",
        )
    return stripped


def validate_cms(
    data: bytes,
    *,
    content: bytes | None = None,
    evaluator: TrustEvaluator,
    validation_time: datetime,
    limits: Limits = DEFAULT_LIMITS,
) -> DocumentReport:
    """Validate every signer of CMS / PKCS #7 SignedData ``data`` (DER, BER or PEM; PKCS #7
    or GB/T 35275 object identifiers). Attached content is used when present; otherwise
    ``content`` is the detached content (without it: INDETERMINATE/SIGNED_DATA_NOT_FOUND).

    CMS that does not read gets a report with one TOTAL_FAILED/FORMAT_FAILURE entry; input
    that is not CMS at all raises :class:`~certgov.docsig.errors.UnsupportedDocumentError`."""
    data = bytes(data)
    _check(
        data,
        Text("the CMS is {size} bytes, more than the {limit} allowed"),
        validation_time,
        limits,
    )
    if content is not None:
        _check(
            content,
            Text("the detached content is {size} bytes, more than the {limit} allowed"),
            validation_time,
            limits,
        )
    der = _cms_der(data)
    digest = hashlib.sha256(data).hexdigest()
    try:
        signed = parse_signed_data(der, limits)
    except CmsFormatError as exc:
        entry = failed_format("cms", "cms", exc.reason)
        return DocumentReport("cms", digest, len(data), validation_time, (entry,))
    attached = signed.content is not None
    signed_content = signed.content if attached else content
    reports = tuple(
        judge_signer(
            identifier=f"signer-{signer.index + 1}",
            format_name="cms-attached" if attached else "cms-detached",
            signed=signed,
            signer=signer,
            content=signed_content,
            evaluator=evaluator,
            validation_time=validation_time,
            limits=limits,
        )
        for signer in signed.signers
    )
    return DocumentReport("cms", digest, len(data), validation_time, reports)


def validate_document(
    data: bytes,
    *,
    content: bytes | None = None,
    evaluator: TrustEvaluator,
    validation_time: datetime,
    limits: Limits = DEFAULT_LIMITS,
) -> DocumentReport:
    """A PDF (``content`` must be None) or CMS, told apart by their first bytes."""
    data = bytes(data)
    if _is_pdf(data):
        if content is not None:
            raise InvalidInput(
                "a PDF carries its own signed content; detached content is only for CMS (.p7s)"
            )
        return validate_pdf(
            data, evaluator=evaluator, validation_time=validation_time, limits=limits
        )
    return validate_cms(
        data,
        content=content,
        evaluator=evaluator,
        validation_time=validation_time,
        limits=limits,
    )
