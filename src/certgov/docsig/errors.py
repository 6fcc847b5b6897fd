"""Errors of the signed-document library: input that is not a document this library can
read at all. A document that reads but whose signature does not hold is not an error: it gets
a report with a TOTAL_FAILED or INDETERMINATE verdict.

All are :class:`certgov.errors.InvalidInput`; ``details`` names what was found."""

from __future__ import annotations

from certgov.errors import InvalidInput

__all__ = [
    "DocumentError",
    "DocumentTooLargeError",
    "EncryptedDocumentError",
    "MalformedDocumentError",
    "TooManySignaturesError",
    "UnsupportedDocumentError",
]


class DocumentError(InvalidInput):
    """Base of the errors raised by :mod:`certgov.docsig`."""

    code = "docsig_error"


class UnsupportedDocumentError(DocumentError):
    """Neither a PDF nor CMS / PKCS #7 SignedData (DER, BER or PEM)."""

    code = "docsig_unsupported_document"


class MalformedDocumentError(DocumentError):
    """A PDF whose structure (header, cross-reference table, trailer, form fields) does not
    parse, or CMS whose outer structure does not."""

    code = "docsig_malformed_document"


class EncryptedDocumentError(DocumentError):
    """An encrypted PDF that does not open without a password."""

    code = "docsig_encrypted_document"


class DocumentTooLargeError(DocumentError):
    """The document or its detached content is larger than the caller allows."""

    code = "docsig_document_too_large"


class TooManySignaturesError(DocumentError):
    """More signatures (or incremental updates) than the caller allows."""

    code = "docsig_too_many_signatures"
