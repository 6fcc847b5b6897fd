"""Findings: something found wrong, by a monitor, a reviewer or a passed deadline (ECS-4.2)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certgov.store.base import Base


class FindingStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Finding(Base):
    __tablename__ = "findings"
    # The supervision dashboard counts each CA's findings by status and severity from this
    # index alone (issue 17, 10^5 findings).
    __table_args__ = (Index("ix_findings_party_status_severity", "party_id", "status", "severity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What kind of finding (e.g. ``licence-decision-overdue``).
    code: Mapped[str] = mapped_column(String(100), index=True)
    #: One finding per problem: the same problem seen again updates ``last_seen``.
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=FindingStatus.OPEN, index=True)
    title: Mapped[str] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text)
    #: Title and explanation as English templates with their parameters (certgov.text), so
    #: that a page says them in the reader's language.
    title_text: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    message_text: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The requirement ID of REGULATIONS.md the finding is about, when there is one.
    requirement: Mapped[str | None] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    jurisdiction: Mapped[str | None] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    first_seen: Mapped[dt.datetime]
    last_seen: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: A regulator's triage (ECS-4.2, ECS-6.2): ``confirmed`` or ``dismissed``; None untriaged.
    #: Kept apart from ``details``, which a check rewrites each time it sees the problem.
    triage: Mapped[str | None] = mapped_column(String(16), index=True)
    triage_note: Mapped[str | None] = mapped_column(Text)
    triaged_by: Mapped[str | None] = mapped_column(String(200))
    triaged_at: Mapped[dt.datetime | None]
