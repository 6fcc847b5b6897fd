"""Licences (ECS-2.3) and the business-registration changes CAs must file (ECS-2.4)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certgov.history.models import StatusHistoryLine
from certgov.store.base import Base


class LicenceStatus(StrEnum):
    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


#: Statuses a licence never leaves.
FINAL_STATUSES = frozenset({LicenceStatus.REVOKED, LicenceStatus.EXPIRED, LicenceStatus.WITHDRAWN})


class Licence(Base):
    """An electronic certification service licence, issued when an application is approved.

    The holder never changes: a licence cannot be transferred, rented or lent (M2015 Art. 11).
    """

    __tablename__ = "licences"
    __table_args__ = (Index("ix_licences_status_valid_until", "status", "valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``ECP<jurisdiction><year><serial>``, e.g. ``ECP3100002025001``.
    number: Mapped[str] = mapped_column(String(32), unique=True)
    holder_party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    #: The holder's home province when issued: the provincial regulator that supervises it.
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    #: What the licence allows (the rule set's ``licence_scope``).
    scope: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[dt.date]
    #: Last day of validity (inclusive).
    valid_until: Mapped[dt.date]
    issued_at: Mapped[dt.datetime]
    #: The application case whose approval issued it.
    application_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    #: The rule set the validity was computed under.
    rule_set_id: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is


class LicenceEvent(StatusHistoryLine, Base):
    """One line of a licence's status history: issued, suspended, reinstated, renewed,
    modified, revoked, expired, withdrawn."""

    __tablename__ = "licence_events"

    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    valid_until: Mapped[dt.date]


class RegistrationChange(Base):
    """A change of the CA's business registration (name, domicile, legal representative,
    registered capital) and its filing with the regulator, due within the rule set's
    ``registration_change_filing_period`` (ECS-2.4).

    A regulator may record a change it learnt of (from the business registry) before the CA
    files it; ``filed_at`` stays empty until the CA does, and the monitor flags it once due.
    """

    __tablename__ = "registration_changes"
    __table_args__ = (UniqueConstraint("party_id", "item", "changed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    #: One of the rule set's ``registration_change_items``.
    item: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    #: The date the business registration changed.
    changed_on: Mapped[dt.date]
    #: The last day to file it, and the rule set that says so.
    due_on: Mapped[dt.date] = mapped_column(index=True)
    rule_set_id: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime]
    recorded_by: Mapped[str] = mapped_column(String(200))
    filed_at: Mapped[dt.datetime | None]
    filed_on: Mapped[dt.date | None]
    #: SYS-8: who stated ``filed_on`` when an official recorded a filing made on paper.
    filed_on_stated_by: Mapped[str | None] = mapped_column(String(200))
    late: Mapped[bool | None]
    #: Document evidencing the change (the new business licence), by digest.
    document_sha256: Mapped[str | None] = mapped_column(String(64))
