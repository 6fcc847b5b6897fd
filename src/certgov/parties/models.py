"""Parties (organisations) and jurisdictions in the database."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from certgov.store.base import Base


class PartyKind(StrEnum):
    CA = "ca"
    APP_OPERATOR = "app_operator"
    TESTING_AGENCY = "testing_agency"
    FOREIGN_CA = "foreign_ca"
    CERTIFICATION_BODY = "certification_body"
    REGULATOR = "regulator"


class JurisdictionRow(Base):
    __tablename__ = "jurisdictions"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))


class Party(Base):
    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: GB 32100 code; foreign parties have none.
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[PartyKind] = mapped_column(
        Enum(
            PartyKind,
            native_enum=False,
            length=32,
            validate_strings=True,
            values_callable=lambda members: [m.value for m in members],
        ),
        index=True,
    )
    home_province: Mapped[str | None] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    #: ISO 3166-1 alpha-2 country of registration.
    country: Mapped[str] = mapped_column(String(2), default="CN")
    created_at: Mapped[dt.datetime]
