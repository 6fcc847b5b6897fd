"""Cross-border recognition of foreign CAs (ECS-8) and the foreign trusted lists (ETSI TS 119 612)
their home supervision status is read from."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certgov.history.models import StatusHistoryLine
from certgov.store.base import Base


class RecognitionStatus(StrEnum):
    IN_FORCE = "in_force"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Recognition(Base):
    """A foreign CA's certificates recognised (ESL Art. 26) for a scope (certificate types and
    application scenarios) until ``valid_until`` (inclusive), unless withdrawn earlier."""

    __tablename__ = "recognitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``REC<year><serial>``, e.g. ``REC2025001``.
    number: Mapped[str] = mapped_column(String(32), unique=True)
    foreign_party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    #: The domestic institution that applied.
    applicant_party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    #: One of the rule set's ``recognition_bases`` (agreement, reciprocity).
    basis: Mapped[str] = mapped_column(String(32))
    certificate_types: Mapped[list[str]] = mapped_column(JSON)
    scenarios: Mapped[list[str]] = mapped_column(JSON)
    technical_standards: Mapped[list[str]] = mapped_column(JSON)
    #: The foreign scheme (trusted-list territory) that supervises the CA, when known.
    home_territory: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[dt.date]
    valid_until: Mapped[dt.date]
    granted_at: Mapped[dt.datetime]
    rule_set_id: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is


class RecognitionEvent(StatusHistoryLine, Base):
    """One line of a recognition's history: granted, withdrawn, expired."""

    __tablename__ = "recognition_events"

    recognition_id: Mapped[int] = mapped_column(ForeignKey("recognitions.id"), index=True)


class RecognisedCertificate(Base):
    """A foreign CA certificate covered by a recognition (the trust points of SYS-5)."""

    __tablename__ = "recognised_certificates"
    __table_args__ = (UniqueConstraint("recognition_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recognition_id: Mapped[int] = mapped_column(ForeignKey("recognitions.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: SHA-256 of the subject's DER: finds recognised issuers of a presented certificate.
    subject_hash: Mapped[str] = mapped_column(String(64), index=True)
    issuer_hash: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(1000))
    #: ``root`` (self-issued) or ``subordinate``.
    role: Mapped[str] = mapped_column(String(16))
    not_before: Mapped[dt.datetime]
    not_after: Mapped[dt.datetime]
    der: Mapped[bytes] = mapped_column(LargeBinary)


class TrustListScheme(Base):
    """A foreign trusted-list scheme (by its TS 119 612 territory, e.g. ``EE``) and the signer
    certificates pinned for it by the national regulator."""

    __tablename__ = "trust_list_schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class PinnedSignerCertificate(Base):
    """A certificate whose key may sign a scheme's list (configured out of band)."""

    __tablename__ = "pinned_signer_certificates"
    __table_args__ = (UniqueConstraint("scheme_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("trust_list_schemes.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(1000))
    not_after: Mapped[dt.datetime]
    der: Mapped[bytes] = mapped_column(LargeBinary)
    pinned_at: Mapped[dt.datetime]
    pinned_by: Mapped[str] = mapped_column(String(200))


class ImportedTrustList(Base):
    """A foreign trusted list whose signature verified against a pinned certificate; the
    document is kept as received."""

    __tablename__ = "imported_trust_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("trust_list_schemes.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    territory: Mapped[str] = mapped_column(String(16))
    scheme_operator: Mapped[str] = mapped_column(Text)
    sequence_number: Mapped[int]
    issued_at: Mapped[dt.datetime]
    next_update: Mapped[dt.datetime | None]
    signer_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime | None]
    xades: Mapped[bool]
    service_count: Mapped[int]
    imported_at: Mapped[dt.datetime]
    imported_by: Mapped[str] = mapped_column(String(200))
    document: Mapped[bytes] = mapped_column(LargeBinary)


class ImportedTrustService(Base):
    """One service of an imported list: its status then and its history."""

    __tablename__ = "imported_trust_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("imported_trust_lists.id"), index=True)
    provider: Mapped[str] = mapped_column(Text)
    service_type: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    status_starting_time: Mapped[dt.datetime]
    #: ``[{"status", "status_starting_time", "service_type", "name"}]``, newest first.
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    certificates: Mapped[list[str]] = mapped_column(JSON)


class ImportedServiceCertificate(Base):
    """Index of an imported service's digital identities by certificate SHA-256."""

    __tablename__ = "imported_service_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("imported_trust_services.id"), index=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("imported_trust_lists.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
