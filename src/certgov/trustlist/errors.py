"""Errors of the trusted-list library: every one an :class:`certgov.errors.InvalidInput`, so an
adapter answers 422 naming what is wrong with the list."""

from __future__ import annotations

from certgov.errors import InvalidInput


class TrustListError(InvalidInput):
    """A trusted list cannot be read or trusted; the message says why."""

    code = "trust_list_invalid"


class MalformedTrustListError(TrustListError):
    """Not a well-formed, safe ETSI TS 119 612 document (too large, a DTD or entity, not XML,
    a required element missing or of the wrong form)."""

    code = "trust_list_malformed"


class TrustListSignatureError(TrustListError):
    """The list's XML signature does not verify against the pinned certificate, or does not
    cover the whole list."""

    code = "trust_list_signature"
