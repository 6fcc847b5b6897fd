"""Cases: one instance of a procedure, its history and its deadline clocks (SYS-1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from certgov.history.models import HistoryLine
from certgov.store.base import Base


class Case(Base):
    __tablename__ = "cases"
    #: The work queue's counts: one grouped read of this index, in its order (cases.queue).
    __table_args__ = (
        Index(
            "ix_cases_queue",
            "closed",
            "process_id",
            "state",
            "jurisdiction",
            "subject_party_id",
            "assigned_user_id",
            "next_due_on",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    #: SHA-256 of the process definition the case was opened under.
    process_digest: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    #: The title as an English template and its parameters (certgov.text), so that a page
    #: says it in the reader's language; None for a title typed by a person.
    title_text: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(64), index=True)
    closed: Mapped[bool] = mapped_column(default=False, index=True)
    #: Optimistic concurrency: every change increments it; a stale writer gets a conflict.
    version: Mapped[int] = mapped_column(default=1)
    subject_party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    #: A party acting on the case besides the subject (a testing agency assigned to it).
    assignee_party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    #: The official of the competent authority handling the case (the work queue's "my cases").
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    #: The date that decides which rule set judges the case (SYS-2).
    relevant_date: Mapped[dt.date]
    #: The rule sets the case was judged under; never rewritten by a later rule change.
    rule_set_ids: Mapped[list[str]] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    opened_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None]
    #: The day the nearest running deadline falls due, set where the case's clocks change
    #: (the work queue sorts and counts on it). The sweep's expiries do not touch it: a value
    #: not after today may be stale and is read again from the deadlines (cases.queue).
    next_due_on: Mapped[dt.date | None]

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is


class CaseEvent(HistoryLine, Base):
    """One line of a case's history: who did what, when and why."""

    __tablename__ = "case_events"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    actor_kind: Mapped[str] = mapped_column(String(16))
    transition: Mapped[str | None] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(64))
    to_state: Mapped[str | None] = mapped_column(String(64))


class CaseDeadline(Base):
    """A deadline clock of a case. ``(status, due_at)`` is indexed so the sweep is a range scan."""

    __tablename__ = "case_deadlines"
    __table_args__ = (
        UniqueConstraint("case_id", "name"),
        Index("ix_case_deadlines_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    #: The period as counted, e.g. "45 calendar days", and where it came from.
    period: Mapped[str] = mapped_column(String(64))
    rule_set_id: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime | None]
    due_on: Mapped[dt.date | None]
    nominal_due: Mapped[dt.date | None]
    remaining: Mapped[int | None]
    extension: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    ended_at: Mapped[dt.datetime | None]
