"""Revocation services of CAs: monitored by the worker (ECS-3.5, ECS-4.2), read by relying-party
verification (SYS-5).

Every CRL distribution point and OCSP responder named by a filed CA certificate is a
:class:`~certgov.filings.models.RevocationSource`; so is every CRL distribution point of a
certificate whose chain verification led to a filed CA certificate (the CA's own CRLs for its
subscribers). The worker checks each source every ``revocation_check_interval_seconds``:

- CRL: fetched, parsed, its signature checked against the issuer of the certificate that
  names it, its freshness against now. Findings: ``crl-unreachable``, ``crl-unparsable``,
  ``crl-bad-signature`` (signature, issuer name, cRLSign), ``crl-stale`` (nextUpdate passed,
  none, or thisUpdate ahead), ``crl-nonconforming`` (another problem, e.g. an unknown critical
  extension). The last good CRL is kept for verification.
- OCSP: the status of the certificate that names the responder is asked for. Findings:
  ``ocsp-unreachable``, ``ocsp-malformed``, ``ocsp-error``, ``ocsp-bad-signature``,
  ``ocsp-stale``.
- A filed CA certificate that its issuer's CRL or OCSP responder says is revoked is a finding
  too (``filed-ca-certificate-revoked``).

One finding per source (its key names the source), so a problem seen again moves its
``last_seen``; a good check closes it. Network I/O happens outside any database transaction:
the sources due are claimed in one transaction (``SKIP LOCKED`` on PostgreSQL, so several
workers share the work), fetched, and each result is recorded in its own transaction.

Verification (:func:`check_path`) asks, for each certificate of the verified path, its
issuer's CRL first and the certificate's OCSP responder only when no CRL answers (none named,
unreachable, stale, wrongly signed, out of scope). CRL first because the CRL the worker keeps
answers without any network exchange and for every certificate of the issuer, so the usual
request stays local; it is also kept in the database, the same evidence for every relying
party; and asking a responder tells the CA which certificate is being relied on. OCSP covers
the certificates that name no CRL and the CRL outages. A usable OCSP answer (good or revoked,
issuer-signed or signed by a delegated responder with id-kp-OCSPSigning, fresh now) is kept in
process memory until its nextUpdate, or ``revocation_ocsp_cache_seconds`` when it has none; it
is per certificate, so it is not stored with the source. A CRL distribution point or OCSP
responder that verification meets for the first time is registered as a source, so the worker
monitors it from then on."""

from __future__ import annotations

from certgov.filings.revocation.monitoring import (
    REQUIREMENT,
    Checker,
    Outcome,
    RevocationReport,
    register_sources,
    sweep_revocation,
)
from certgov.filings.revocation.status import Deferred, check_path

__all__ = [
    "REQUIREMENT",
    "Checker",
    "Deferred",
    "Outcome",
    "RevocationReport",
    "check_path",
    "register_sources",
    "sweep_revocation",
]
