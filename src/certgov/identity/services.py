"""Use cases: people, their login sessions, and machine clients' API tokens (SYS-6)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from certgov.actors import (
    PARTY_ROLES,
    ROLE_PARTY_KIND,
    Actor,
    ActorKind,
    Role,
)
from certgov.clock import Clock
from certgov.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from certgov.identity import secrets
from certgov.identity.models import ApiToken, LoginSession, User
from certgov.jurisdictions import BY_CODE, NATIONAL
from certgov.logs.audit import Auditor
from certgov.parties.models import Party

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
SESSION_PREFIX = "cgs"
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)
TOKEN_PREFIX = "cgt"  # noqa: S105 - a public prefix


@dataclass(frozen=True)
class Grant:
    """Role, jurisdiction scope and party of a user or token."""

    role: Role
    jurisdiction: str = NATIONAL
    party_id: int | None = None


def _check_grant(session: Session, grant: Grant) -> None:
    if grant.role is Role.PUBLIC:
        raise InvalidInput("the public role needs no account")
    if grant.jurisdiction not in BY_CODE:
        raise InvalidInput(
            f"jurisdiction {grant.jurisdiction!r} is neither 'national' nor a GB/T 2260 "
            "provincial-level code"
        )
    if grant.role is Role.PROVINCIAL_REGULATOR and grant.jurisdiction == NATIONAL:
        raise InvalidInput("a provincial regulator needs its province as jurisdiction")
    if grant.role is not Role.PROVINCIAL_REGULATOR and grant.jurisdiction != NATIONAL:
        raise InvalidInput(f"only provincial regulators have a provincial scope, not {grant.role}")
    if grant.role in PARTY_ROLES:
        if grant.party_id is None:
            raise InvalidInput(f"a {grant.role} acts for a party: give its party id")
        party = session.get(Party, grant.party_id)
        if party is None:
            raise NotFound(f"no party with id {grant.party_id}")
        if party.kind != ROLE_PARTY_KIND[grant.role]:
            raise InvalidInput(
                f"a {grant.role} must belong to a party of kind "
                f"{ROLE_PARTY_KIND[grant.role]}; party {party.id} is a {party.kind}"
            )
    elif grant.party_id is not None:
        party = session.get(Party, grant.party_id)
        if party is None:
            raise NotFound(f"no party with id {grant.party_id}")


def _grant_record(grant: Grant) -> dict[str, object]:
    return {"role": grant.role.value, "jurisdiction": grant.jurisdiction, "party": grant.party_id}


def create_user(
    session: Session,
    audit: Auditor,
    *,
    by: Actor,
    username: str,
    display_name: str,
    password: str,
    grant: Grant,
) -> User:
    if not _USERNAME.match(username):
        raise InvalidInput(
            "a username is 2-63 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    if len(password) < secrets.MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password has at least {secrets.MIN_PASSWORD_LENGTH} characters")
    _check_grant(session, grant)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} exists already")
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=secrets.hash_password(password),
        role=grant.role,
        jurisdiction=grant.jurisdiction,
        party_id=grant.party_id,
        active=True,
        created_at=audit.clock.now(),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        by,
        "identity.user_created",
        subject={"user": user.id, "username": username},
        after=_grant_record(grant),
    )
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def user_actor(user: User) -> Actor:
    return Actor(
        ActorKind.USER,
        user.role,
        user.username,
        jurisdiction=user.jurisdiction,
        party_id=user.party_id,
        user_id=user.id,
    )


def log_in(
    session: Session, audit: Auditor, username: str, password: str, lifetime: dt.timedelta
) -> tuple[str, User]:
    """Check a password and open a login session; returns the session secret and the user.

    A login of an official (regulator, certification body) is an audit record (SYS-3).
    """
    user = session.scalar(select(User).where(User.username == username))
    ok = secrets.verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        raise Unauthenticated("wrong username or password")
    if secrets.needs_rehash(user.password_hash):
        user.password_hash = secrets.hash_password(password)
    secret = secrets.new_secret(SESSION_PREFIX)
    now = audit.clock.now()
    login = LoginSession(
        token_hash=secrets.digest(secret),
        user_id=user.id,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(login)
    session.flush()
    actor = user_actor(user)
    if actor.is_official:
        audit.record(session, actor, "identity.login", subject={"user": user.id, "login": login.id})
    return secret, user


def actor_for_session(session: Session, clock: Clock, secret: str) -> Actor:
    login = session.scalar(
        select(LoginSession).where(LoginSession.token_hash == secrets.digest(secret))
    )
    if login is None or login.ended_at is not None or login.expires_at <= clock.now():
        raise Unauthenticated("your session has ended; log in again")
    user = session.get(User, login.user_id)
    if user is None or not user.active:
        raise Unauthenticated("this account is disabled")
    return user_actor(user)


def log_out(session: Session, clock: Clock, secret: str) -> None:
    login = session.scalar(
        select(LoginSession).where(LoginSession.token_hash == secrets.digest(secret))
    )
    if login is not None and login.ended_at is None:
        login.ended_at = clock.now()


def create_token(
    session: Session,
    audit: Auditor,
    *,
    by: Actor,
    name: str,
    grant: Grant,
    expires_at: dt.datetime | None = None,
) -> tuple[str, ApiToken]:
    """Issue a bearer token; the secret is returned once and stored only as its hash."""
    if not name.strip():
        raise InvalidInput("a token needs a name saying what uses it")
    _check_grant(session, grant)
    now = audit.clock.now()
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("a token's expiry must be in the future")
    secret = secrets.new_secret(TOKEN_PREFIX)
    token = ApiToken(
        name=name.strip(),
        prefix=secret[:10],
        token_hash=secrets.digest(secret),
        role=grant.role,
        jurisdiction=grant.jurisdiction,
        party_id=grant.party_id,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        by,
        "identity.token_created",
        subject={"token": token.id, "name": token.name, "prefix": token.prefix},
        after={**_grant_record(grant), "expires_at": expires_at},
    )
    return secret, token


def actor_for_token(session: Session, clock: Clock, secret: str) -> Actor:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == secrets.digest(secret)))
    now = clock.now()
    if token is None or token.revoked_at is not None:
        raise Unauthenticated("unknown or revoked API token")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthenticated("this API token has expired")
    # Recorded at most every few minutes: a write on every request would turn each read-only
    # API call into a write transaction.
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return Actor(
        ActorKind.TOKEN,
        token.role,
        token.name,
        jurisdiction=token.jurisdiction,
        party_id=token.party_id,
        token_id=token.id,
    )


def revoke_token(session: Session, audit: Auditor, token_id: int, *, by: Actor) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no API token with id {token_id}")
    if token.revoked_at is None:
        token.revoked_at = audit.clock.now()
        audit.record(
            session,
            by,
            "identity.token_revoked",
            subject={"token": token.id, "name": token.name, "prefix": token.prefix},
            before={"status": "active"},
            after={"status": "revoked"},
        )
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))
