"""Users, API tokens and login sessions. Secrets are stored only as hashes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from certgov.actors import Role
from certgov.store.base import Base

_ROLE = Enum(
    Role,
    native_enum=False,
    length=32,
    validate_strings=True,
    values_callable=lambda members: [m.value for m in members],
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    #: argon2id hash (argon2-cffi), never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_ROLE)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]


class ApiToken(Base):
    """A bearer token for a machine client (a CA's system, a testing agency's tool)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The first characters of the token, shown in listings so an operator can tell them apart.
    prefix: Mapped[str] = mapped_column(String(16))
    #: SHA-256 of the token (256 random bits: a slow hash adds nothing).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(_ROLE)
    jurisdiction: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]


class LoginSession(Base):
    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    ended_at: Mapped[dt.datetime | None]


class LoginFailure(Base):
    """A failed login, kept for the throttle's window: per account and per client address,
    failures beyond the allowance make the next attempt wait, doubling each time."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
