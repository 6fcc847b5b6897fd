"""The columns every history line has (after warehouse's ``HasEvents`` and NetBox's change
log): when, what kind of change, who made it in which role, in which case, why, and details.
A model adds the key of what it is the history of, and what else a line records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class HistoryLine:
    """Mixin: one line of a history."""

    #: Increasing id: a history is its lines in id order.
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    kind: Mapped[str] = mapped_column(String(32))
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: SYS-8: when the change took effect in the real world, as an official stated it (a
    #: suspension decided on paper last week); ``None`` when it took effect at ``at``.
    effective_at: Mapped[dt.datetime | None]
    #: Who stated ``effective_at``.
    stated_by: Mapped[str | None] = mapped_column(String(200))

    @property
    def effective(self) -> dt.datetime:
        """When the change took effect: the stated time, else the time it was entered."""
        return self.effective_at or self.at


class StatusHistoryLine(HistoryLine):
    """Mixin: one line of a credential's status history (issued, suspended, revoked, …)."""

    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
