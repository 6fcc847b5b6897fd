"""Filed CA certificates (ECS-3.4): each one stored with its summary and its index in the
``filings`` transparency log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
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
