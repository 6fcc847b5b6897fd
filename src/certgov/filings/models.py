"""Filed CA certificates (ECS-3.4): each one stored with its summary and its index in the
``filings`` transparency log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from certgov.store.base import Base


class Filing(Base):
    """One accepted submission of a CA: one or more CA certificates, all or none."""

    __tablename__ = "filings"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    filed_at: Mapped[dt.datetime]
    filed_by: Mapped[str] = mapped_column(String(200))
    rule_set_id: Mapped[str] = mapped_column(String(100))
    #: The log size and checkpoint right after the filing's entries were sequenced.
    log_size: Mapped[int]
    checkpoint: Mapped[str] = mapped_column(String(2000))


class FiledCertificate(Base):
    """A root or subordinate CA certificate a CA filed."""

    __tablename__ = "filed_certificates"
    __table_args__ = (
        UniqueConstraint("party_id", "sha256"),
        Index("ix_filed_certificates_subject_hash", "subject_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    #: ``root`` (self-issued) or ``subordinate``.
    role: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: SHA-256 of the subject's DER: finds the filed issuers of a certificate by its issuer.
    subject_hash: Mapped[str] = mapped_column(String(64))
    issuer_hash: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(1000))
    issuer: Mapped[str] = mapped_column(String(1000))
    serial: Mapped[str] = mapped_column(String(100))
    not_before: Mapped[dt.datetime]
    not_after: Mapped[dt.datetime] = mapped_column(index=True)
    key: Mapped[str] = mapped_column(String(64))
    signature_algorithm: Mapped[str] = mapped_column(String(64))
    crl_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    ocsp_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    der: Mapped[bytes] = mapped_column(LargeBinary)
    log_index: Mapped[int]
    filed_at: Mapped[dt.datetime]
    #: Days between notBefore and the filing, for subordinates; late when over the rule set's
    #: ``subordinate_ca_filing_period``.
    late: Mapped[bool] = mapped_column(default=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# The public certificate search (issue 16): by the start of the subject's or issuer's common
# name, case-insensitive and in name order, and by serial number, without reading the table.
Index(
    "ix_filed_certificates_subject_name", func.lower(FiledCertificate.subject), FiledCertificate.id
)
Index("ix_filed_certificates_issuer_name", func.lower(FiledCertificate.issuer), FiledCertificate.id)
Index("ix_filed_certificates_serial", FiledCertificate.serial)
# The supervision dashboard counts each CA's filed certificates and its last filing from this
# index alone (issue 17, 10^6 filed certificates).
Index("ix_filed_certificates_party_filed_at", FiledCertificate.party_id, FiledCertificate.filed_at)


class FilingMonth(Base):
    """The CA certificates a CA filed in one month (Beijing time), counted by the filing that
    adds them (:func:`certgov.filings.months.count_filed`): the supervision dashboard reads each
    CA's total, its last filing and its filings over time from these rows instead of counting
    10^6 filed certificates on every view (issue 17). Filed certificates are never deleted, so
    the counts only grow."""

    __tablename__ = "filing_months"

    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    #: The first day of the month, Beijing time.
    month: Mapped[dt.date] = mapped_column(primary_key=True)
    certificates: Mapped[int]
    last_filed_at: Mapped[dt.datetime]


class RevocationSource(Base):
    """A CRL distribution point or OCSP responder of a CA, monitored by the worker (ECS-3.5,
    ECS-4.2) and read by relying-party verification (SYS-5).

    Registered when a filed CA certificate names it, or when a verified chain that leads to a
    filed CA certificate names it. ``subject_sha256`` is the certificate whose status the
    source is probed for (for a CRL: a certificate the CRL covers, so its issuer signs it)."""

    __tablename__ = "revocation_sources"
    __table_args__ = (UniqueConstraint("party_id", "kind", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    #: ``crl`` or ``ocsp``.
    kind: Mapped[str] = mapped_column(String(8))
    url: Mapped[str] = mapped_column(String(1000))
    subject_sha256: Mapped[str] = mapped_column(String(64))
    #: DER of the certificate probed (filed or learnt from a verified chain) and its issuer.
    subject_der: Mapped[bytes] = mapped_column(LargeBinary)
    issuer_der: Mapped[bytes] = mapped_column(LargeBinary)
    registered_at: Mapped[dt.datetime]
    #: ``pending`` (never checked), ``ok``, ``problem`` or ``unsupported`` (e.g. an LDAP URL).
    status: Mapped[str] = mapped_column(String(16), default="pending")
    #: The finding code of the current problem (``crl-stale``, ``ocsp-unreachable``, …).
    problem: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(String(2000))
    checked_at: Mapped[dt.datetime | None]
    ok_at: Mapped[dt.datetime | None]
    next_check_at: Mapped[dt.datetime] = mapped_column(index=True)
    #: The last good CRL (signature verified, fresh when fetched) and its facts.
    #: Deferred: read only when a CRL is not yet in the process's cache.
    crl_der: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    crl_sha256: Mapped[str | None] = mapped_column(String(64))
    this_update: Mapped[dt.datetime | None]
    next_update: Mapped[dt.datetime | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CertificateLint(Base):
    """The standards lint (pkilint, RFC 5280 profile) of a filed CA certificate (ECS-3.4),
    made by the worker after filing; made again when the linter's version changes."""

    __tablename__ = "certificate_lints"

    id: Mapped[int] = mapped_column(primary_key=True)
    filed_certificate_id: Mapped[int] = mapped_column(
        ForeignKey("filed_certificates.id"), unique=True
    )
    linted_at: Mapped[dt.datetime]
    #: The linter and its version (``pkilint 0.13.3``) and the profile applied (``rfc5280``).
    linter: Mapped[str] = mapped_column(String(64))
    profile: Mapped[str] = mapped_column(String(32))
    #: False when pkilint could not decode the certificate at all (``reason`` says why).
    linted: Mapped[bool] = mapped_column(default=True)
    reason: Mapped[str | None] = mapped_column(String(1000))
    #: Every lint finding: code, severity, message, node path, validator.
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: Findings per pkilint severity.
    fatal_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    warning_count: Mapped[int] = mapped_column(default=0)
    notice_count: Mapped[int] = mapped_column(default=0)
    info_count: Mapped[int] = mapped_column(default=0)
