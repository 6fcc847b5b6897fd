"""Penalty decisions of enforcement cases (ECS-6.2): what was decided against whom, under
which catalogue entry and rule set, and when it was made public."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from certgov.store.base import Base


class Penalty(Base):
    """The decision of one ``ecs-enforcement`` case that imposed a penalty. It enters the
    party's credit record (ECS-7.1); once published it is public (SYS-4)."""

    __tablename__ = "penalties"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    #: The catalogue entry (``violations`` of the rule set).
    violation_id: Mapped[str] = mapped_column(String(64))
    violation_title: Mapped[str] = mapped_column(String(300))
    legal_basis: Mapped[str] = mapped_column(String(300))
    #: ``["warning", "fine", "order to correct", "licence revocation"]``, a subset.
    outcomes: Mapped[list[str]] = mapped_column(JSON)
    fine_yuan: Mapped[int | None] = mapped_column(BigInteger)
    illegal_gains_yuan: Mapped[int | None] = mapped_column(BigInteger)
    reasons: Mapped[str] = mapped_column(Text)
    rule_set_id: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime]
    decided_on: Mapped[dt.date] = mapped_column(index=True)
    decided_by: Mapped[str] = mapped_column(String(200))
    #: The licence revoked by the decision, if any.
    licence_number: Mapped[str | None] = mapped_column(String(32))
    published_at: Mapped[dt.datetime | None] = mapped_column(index=True)
