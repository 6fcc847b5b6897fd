"""Use cases: people, their login sessions, and machine clients' API tokens (SYS-6)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from certgov.actors import (
    ANONYMOUS,
    PARTY_ROLES,
    ROLE_PARTY_KIND,
    Actor,
    ActorKind,
    Role,
)
from certgov.clock import Clock
from certgov.context import Context
from certgov.errors import Conflict, InvalidInput, NotFound, TooManyRequests, Unauthenticated
from certgov.identity import secrets
from certgov.identity.models import ApiToken, LoginFailure, LoginSession, User
from certgov.jurisdictions import BY_CODE, NATIONAL
from certgov.logs.audit import Auditor
from certgov.parties.models import Party
from certgov.settings import Settings
from certgov.store.engine import unit_of_work, write_after_commit
from certgov.text import Term, Text

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
            "jurisdiction {jurisdiction!r} is neither 'national' nor a GB/T 2260 "
            "provincial-level code",
            jurisdiction=grant.jurisdiction,
        )
    if grant.role is Role.PROVINCIAL_REGULATOR and grant.jurisdiction == NATIONAL:
        raise InvalidInput("a provincial regulator needs its province as jurisdiction")
    if grant.role is not Role.PROVINCIAL_REGULATOR and grant.jurisdiction != NATIONAL:
        raise InvalidInput(
            "only provincial regulators have a provincial scope, not {role}",
            role=Term("role", grant.role),
        )
    if grant.role in PARTY_ROLES:
        if grant.party_id is None:
            raise InvalidInput(
                "a {role} acts for a party: give its party id", role=Term("role", grant.role)
            )
        party = session.get(Party, grant.party_id)
        if party is None:
            raise NotFound("no party with id {id}", id=grant.party_id)
        if party.kind != ROLE_PARTY_KIND[grant.role]:
            raise InvalidInput(
                "a {role} must belong to a party of kind {kind}; party {party} is a {found}",
                role=Term("role", grant.role),
                kind=Term("party_kind", ROLE_PARTY_KIND[grant.role]),
                party=party.id,
                found=Term("party_kind", party.kind),
            )
    elif grant.party_id is not None:
        # An official acts for its own organisation only: a regulator's account may name its
        # regulator, the certification body's its body, never a party it supervises.
        body = grant.role is Role.CERTIFICATION_BODY
        own_kind = "certification_body" if body else "regulator"
        party = session.get(Party, grant.party_id)
        if party is None:
            raise NotFound("no party with id {id}", id=grant.party_id)
        if party.kind != own_kind:
            contradiction = (
                Text(
                    "a {role} acts for the certification body itself, not for party {party} "
                    "(a {kind}): contradictory scope"
                )
                if body
                else Text(
                    "a {role} acts for the regulator itself, not for party {party} (a {kind}): "
                    "contradictory scope"
                )
            )
            raise InvalidInput(
                contradiction,
                role=Term("role", grant.role),
                party=party.id,
                kind=Term("party_kind", party.kind),
                hint="leave the party out, or name the official's own organisation",
            )


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
        raise InvalidInput(
            "a password has at least {length} characters", length=secrets.MIN_PASSWORD_LENGTH
        )
    _check_grant(session, grant)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("user {username!r} exists already", username=username)
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


def login_wait(
    session: Session, settings: Settings, now: dt.datetime, username: str, client: str
) -> int:
    """Seconds the next login for ``username`` from ``client`` must wait (0: go ahead): past
    the allowance of failures within the window, each further failure doubles the wait,
    counted from the latest failure."""
    since = now - dt.timedelta(seconds=settings.login_failure_window_seconds)
    wait = 0.0
    for column, key, allowed in (
        (LoginFailure.username, username, settings.login_failures_per_account),
        (LoginFailure.client, client, settings.login_failures_per_client),
    ):
        count, last = session.execute(
            select(func.count(), func.max(LoginFailure.at)).where(
                column == key, LoginFailure.at >= since
            )
        ).one()
        if count >= allowed and last is not None:
            delay = min(
                settings.login_backoff_max_seconds,
                settings.login_backoff_seconds * 2 ** min(count - allowed, 30),
            )
            wait = max(wait, (last + dt.timedelta(seconds=delay) - now).total_seconds())
    return math.ceil(wait) if wait > 0 else 0


def record_failed_login(session: Session, audit: Auditor, username: str, client: str) -> None:
    """Keep a failed login for the throttle and the audit trail (SYS-3)."""
    now = audit.clock.now()
    session.add(LoginFailure(username=username, client=client, at=now))
    audit.record(
        session,
        ANONYMOUS,
        "identity.login_failed",
        at=now,
        subject={"username": username, "client": client},
    )
    # Failures older than the longest window matter to no one: keep the table small.
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - dt.timedelta(days=1)))


def attempt_login(
    ctx: Context, username: str, password: str, client: str
) -> tuple[str, dict[str, Any]]:
    """A login with throttling (SYS-6): refused with :class:`TooManyRequests` while the
    account or the client address must wait; a failure is recorded in a transaction of its
    own (the attempt's rolls back). Returns the session secret and the actor's description."""
    username = username.strip()[:64]
    client = client[:64]
    with unit_of_work(ctx.sessions, readonly=True) as session:
        wait = login_wait(session, ctx.settings, ctx.clock.now(), username, client)
    if wait:
        raise TooManyRequests(
            "too many failed logins: try again in {wait} seconds",
            wait=wait,
            hint="wait, then log in again; ask an administrator if you forgot the password",
            details={"retry_after": wait},
        )
    try:
        with unit_of_work(ctx.sessions) as session:
            secret, user = log_in(
                session,
                ctx.audit,
                username,
                password,
                dt.timedelta(hours=ctx.settings.session_hours),
            )
            session.execute(delete(LoginFailure).where(LoginFailure.username == username))
            described = user_actor(user).as_dict()
    except Unauthenticated:
        with unit_of_work(ctx.sessions) as session:
            record_failed_login(session, ctx.audit, username, client)
        raise
    return secret, described


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


def _note_use(token_id: int, now: dt.datetime) -> Callable[[Session], None]:
    def note(session: Session) -> None:
        session.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token_id,
                or_(
                    ApiToken.last_used_at.is_(None),
                    ApiToken.last_used_at < now - LAST_USED_RESOLUTION,
                ),
            )
            .values(last_used_at=now)
        )

    return note


def actor_for_token(session: Session, clock: Clock, secret: str) -> Actor:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == secrets.digest(secret)))
    now = clock.now()
    if token is None or token.revoked_at is not None:
        raise Unauthenticated("unknown or revoked API token")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthenticated("this API token has expired")
    # Recorded at most every few minutes, and never in the request's own transaction (which
    # is read-only for reads): after it commits, in a short one of its own.
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        write_after_commit(session, f"token-used-{token.id}", _note_use(token.id, now))
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
        raise NotFound("no API token with id {id}", id=token_id)
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
