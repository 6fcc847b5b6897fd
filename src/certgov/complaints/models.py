"""Complaints and reports from the public (ECS-5): the complaint behind each ``ecs-complaint``
case, its tracking code (stored only as a hash) and its evidence."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certgov.store.base import Base


class Complaint(Base):
    """One complaint or report. The complainant's identity is kept here, never in the case's
    data, so that only the regulators handling it see it (ECS-5.1)."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    #: SHA-256 of the tracking code given to the complainant (the code itself is not stored).
    tracking_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The CA complained about, when it is a registered one.
    target_party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    #: The name the complainant gave for the provider (an unregistered one, say).
    target_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool]
    complainant_name: Mapped[str | None] = mapped_column(String(200))
    complainant_contact: Mapped[str | None] = mapped_column(String(300))
    received_at: Mapped[dt.datetime]


class ComplaintEvidence(Base):
    """A file sent with a complaint, kept with its size and SHA-256 digest."""

    __tablename__ = "complaint_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[dt.datetime]
