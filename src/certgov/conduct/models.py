"""What a CA declares about how it operates (ECS-3.1–3.3): its certification practice
statements, the functions it outsources, the provinces it operates in and its service outlets;
and what it reports (ECS-4.1): its operating statistics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certgov.store.base import Base


class PracticeStatement(Base):
    """One filed version of a CA's certification practice statement (CPS, ESL Art. 19).

    Versions are numbered 1, 2, … per CA and never change once filed; the one in effect on a
    date is the latest filed version whose ``effective_on`` is on or before it.
    """

    __tablename__ = "practice_statements"
    __table_args__ = (UniqueConstraint("party_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    version: Mapped[int]
    #: The CA's own version label (e.g. "V3.2").
    label: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int | None]
    #: Where the CA publishes it.
    url: Mapped[str | None] = mapped_column(String(500))
    effective_on: Mapped[dt.date]
    filed_at: Mapped[dt.datetime]
    filed_by: Mapped[str] = mapped_column(String(200))


class OutsourcingDeclaration(Base):
    """A CA's declaration of the functions it outsources (ECS-3.2); each new declaration
    replaces the previous one, which stays on record."""

    __tablename__ = "outsourcing_declarations"
    __table_args__ = (UniqueConstraint("party_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    version: Mapped[int]
    #: ``[{"function": ..., "provider": ..., "critical": bool}]``.
    functions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    rule_set_id: Mapped[str] = mapped_column(String(100))
    declared_at: Mapped[dt.datetime]
    declared_by: Mapped[str] = mapped_column(String(200))


class OperatingProvince(Base):
    """A province or region where the CA provides its service (ECS-3.3)."""

    __tablename__ = "operating_provinces"
    __table_args__ = (UniqueConstraint("party_id", "jurisdiction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    since: Mapped[dt.date]


class ServiceOutlet(Base):
    """A service outlet of the CA in a province (ECS-3.3); closed outlets stay on record."""

    __tablename__ = "service_outlets"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    opened_on: Mapped[dt.date]
    closed_on: Mapped[dt.date | None]


class OperatingReport(Base):
    """A CA's operating statistics for one reporting period (ECS-4.1): certificates issued and
    revoked, by certificate type. A correction replaces the figures and keeps the earlier
    ones in ``history``."""

    __tablename__ = "operating_reports"
    __table_args__ = (UniqueConstraint("party_id", "period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    period_start: Mapped[dt.date] = mapped_column(index=True)
    period_end: Mapped[dt.date]
    due_on: Mapped[dt.date]
    rule_set_id: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[dt.datetime]
    submitted_by: Mapped[str] = mapped_column(String(200))
    late: Mapped[bool] = mapped_column(default=False)
    certificates_issued: Mapped[int]
    certificates_revoked: Mapped[int]
    certificates_valid: Mapped[int | None]
    by_type: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
