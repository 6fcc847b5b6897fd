"""Notifications for the parties (SYS-7): what the worker found since its last run, the cursor
it reads from, and where each party wants its e-mail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certgov.store.base import Base


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    #: ``deadline_started``, ``deadline_approaching``, ``decision`` or ``finding``.
    kind: Mapped[str] = mapped_column(String(32))
    #: One notification per event and party, however often the worker looks.
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"))
    #: What the words are made of in the reader's language: case title and process, deadline
    #: name and day, state, finding title.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    read_at: Mapped[dt.datetime | None]
    emailed_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    email_error: Mapped[str | None] = mapped_column(Text)


class NotificationCursor(Base):
    """How far the worker has read a table (its last id), per source."""

    __tablename__ = "notification_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_id: Mapped[int] = mapped_column(default=0)


class NotificationAddress(Base):
    """An e-mail address a party wants its notifications sent to, in its language."""

    __tablename__ = "notification_addresses"
    __table_args__ = (UniqueConstraint("party_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    created_at: Mapped[dt.datetime]
