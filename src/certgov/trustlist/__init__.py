"""ETSI TS 119 612 trusted lists (ECS-8.2, SYS-4): a pure library over bytes and dataclasses.

- :func:`verify_trusted_list` — read an untrusted list safely and verify its enveloped XML
  signature (XAdES or plain XML-DSig) against a pinned certificate; the content returned is
  what the signature covers;
- :func:`parse_trusted_list` — the content without the signature check (display, tests);
- :func:`write_trusted_list` — a list written as TS 119 612 XML and signed (XAdES enveloped).

Every failure is a :class:`TrustListError` (an :class:`certgov.errors.InvalidInput`). See
``docs/trust-list.md``.
"""

from certgov.trustlist.errors import (
    MalformedTrustListError,
    TrustListError,
    TrustListSignatureError,
)
from certgov.trustlist.model import (
    SERVICE_TYPE_CA_PKC,
    STATUS_DEPRECATED,
    STATUS_GRANTED,
    STATUS_RECOGNISED,
    STATUS_WITHDRAWN,
    OtherListPointer,
    ServiceHistoryEntry,
    TrustedList,
    TrustService,
    TrustServiceProvider,
    VerifiedTrustedList,
    short_status,
)
from certgov.trustlist.reader import (
    DEFAULT_MAX_BYTES,
    fingerprint,
    load_certificate,
    parse_trusted_list,
    verify_trusted_list,
)
from certgov.trustlist.writer import build_trusted_list, sign_trusted_list, write_trusted_list

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SERVICE_TYPE_CA_PKC",
    "STATUS_DEPRECATED",
    "STATUS_GRANTED",
    "STATUS_RECOGNISED",
    "STATUS_WITHDRAWN",
    "MalformedTrustListError",
    "OtherListPointer",
    "ServiceHistoryEntry",
    "TrustListError",
    "TrustListSignatureError",
    "TrustService",
    "TrustServiceProvider",
    "TrustedList",
    "VerifiedTrustedList",
    "build_trusted_list",
    "fingerprint",
    "load_certificate",
    "parse_trusted_list",
    "short_status",
    "sign_trusted_list",
    "verify_trusted_list",
    "write_trusted_list",
]
