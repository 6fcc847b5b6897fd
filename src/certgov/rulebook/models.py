"""Rule-set activations recorded by operators (SYS-2)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certgov.store.base import Base


class RuleSetActivation(Base):
    """An operator's decision that a rule set is in force from a date (e.g. the 2024 draft once
    promulgated). The latest activation of a rule set counts; older ones are history."""

    __tablename__ = "rule_set_activations"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[str] = mapped_column(String(100), index=True)
    effective_from: Mapped[dt.date]
    activated_at: Mapped[dt.datetime]
    activated_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
