"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from certgov.parties.models import PartyKind


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    kind: PartyKind
    uscc: str | None = Field(default=None, max_length=32)
    name_en: str | None = Field(default=None, max_length=200)
    home_province: str | None = Field(default=None, max_length=16)
    country: str = Field(default="CN", max_length=2)


class PartyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    name_en: str | None
    kind: PartyKind
    uscc: str | None
    home_province: str | None
    country: str


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    process_id: str = Field(max_length=100)
    title: str = Field(min_length=1, max_length=300)
    subject_party_id: int | None = None
    jurisdiction: str | None = Field(default=None, max_length=16)
    relevant_date: dt.date | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    transition: str = Field(max_length=64)
    expected_version: int = Field(
        description="The case version you acted on; a stale one is answered 409 Conflict."
    )
    reason: str | None = Field(default=None, max_length=10_000)
    payload: dict[str, Any] = Field(default_factory=dict)
    stated_on: str | None = Field(
        default=None,
        max_length=10,
        description="SYS-8, officials only: the day (YYYY-MM-DD) the action took effect in the "
        "real world (a report that arrived by post, a decision taken on paper); the history "
        "keeps it beside the time it was entered and the deadlines it starts count from it.",
    )


class ExtensionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: int = Field(gt=0, le=3650, description="Days (or hours for hour periods) to add.")
    reason: str = Field(min_length=1, max_length=10_000)
    expected_version: int


class ActivationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    effective_from: dt.date
    reason: str = Field(default="", max_length=10_000)
