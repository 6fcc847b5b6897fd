"""Errors of the PKI library.

All are :class:`certgov.errors.InvalidInput`: a bundle that does not parse is bad input from
whoever supplied it. Problems found while verifying a chain are not errors but
:class:`certgov.pki.problems.Problem` values, so that every problem can be reported at once.
"""

from __future__ import annotations

from certgov.errors import InvalidInput

__all__ = [
    "EmptyBundleError",
    "MalformedBundleError",
    "NotACertificateError",
    "PkiError",
    "TooManyCertificatesError",
]


class PkiError(InvalidInput):
    """Base of the errors raised by :mod:`certgov.pki`."""

    code = "pki_error"


class EmptyBundleError(PkiError):
    """The bundle holds no bytes, or only whitespace."""

    code = "pki_empty_bundle"


class MalformedBundleError(PkiError):
    """The bundle is neither PEM nor DER, or its PEM framing is broken (a BEGIN line without
    its END line, a block that is not base64)."""

    code = "pki_malformed_bundle"


class NotACertificateError(PkiError):
    """A PEM block or DER object was found but is not an X.509 certificate (a private key, a
    CSR, a CRL, or a certificate that does not decode)."""

    code = "pki_not_a_certificate"


class TooManyCertificatesError(PkiError):
    """The bundle holds more certificates than the caller allows."""

    code = "pki_too_many_certificates"
