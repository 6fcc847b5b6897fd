"""Request-scoped dependencies: the context, the unit of work, and who is calling (SYS-6).

Every ``/api/v1`` route declares the roles that may call it with :func:`allow`; a route whose
dependencies contain no :class:`Allow` is a defect the route × role test catches.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from certgov.actors import ALL_ROLES, ANONYMOUS, Actor, Role
from certgov.context import Context
from certgov.errors import Forbidden, Unauthenticated
from certgov.identity import services as identity
from certgov.store.engine import unit_of_work

SESSION_COOKIE = "certgov_session"


def get_context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


async def _context(request: Request) -> Context:
    # Asynchronous, so resolving it costs no worker-thread hop.
    return get_context(request)


ContextDep = Annotated[Context, Depends(_context)]


def get_session(request: Request) -> Iterator[Session]:
    """One request, one unit of work, committed before the response is sent (or rolled back)."""
    ctx = get_context(request)
    with unit_of_work(ctx.sessions, readonly=request.method in ("GET", "HEAD")) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def current_actor(request: Request, session: SessionDep, ctx: ContextDep) -> Actor:
    """The caller: a bearer token, else a session cookie, else the public."""
    return actor_of(request, session, ctx)


def actor_of(request: Request, session: Session, ctx: Context) -> Actor:
    """:func:`current_actor` for handlers that run their own unit of work."""
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, secret = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated("use 'Authorization: Bearer <token>'")
        return identity.actor_for_token(session, ctx.clock, secret.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return identity.actor_for_session(session, ctx.clock, cookie)
    return ANONYMOUS


async def raw_body(request: Request) -> bytes:
    """The request body as sent (certificates in PEM, DER or PKCS #7), for sync handlers;
    its size is already limited by the application's body-size guard."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]
#: The OpenAPI request body of routes that take certificates as :data:`RawBody`.
CERTIFICATES_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-pem-file": {"schema": {"type": "string"}},
            "application/pkix-cert": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


class Allow:
    """A route's access declaration: the roles that may call it."""

    def __init__(self, roles: frozenset[Role]) -> None:
        self.roles = roles

    def __call__(self, actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role in self.roles:
            return actor
        if actor.role is Role.PUBLIC:
            raise Unauthenticated("log in or present an API token to do this")
        raise Forbidden(f"a {actor.role} may not do this")


def allow(*roles: Role) -> Allow:
    return Allow(frozenset(roles))


async def settled_actor(request: Request) -> Actor:
    """:func:`current_actor` resolved in a short unit of work of its own (in a worker thread),
    for handlers that run their own units of work; none for the public, who present no
    credentials (the hot path of public endpoints such as verification)."""
    if not request.headers.get("authorization") and not request.cookies.get(SESSION_COOKIE):
        return ANONYMOUS
    ctx = get_context(request)

    def resolve() -> Actor:
        with unit_of_work(ctx.sessions, readonly=True) as session:
            return actor_of(request, session, ctx)

    return await run_in_threadpool(resolve)


class AllowOwnWork(Allow):
    """:class:`Allow` for a handler that runs its own units of work instead of the request's,
    e.g. a long read-only check followed by a short write (a filing), so that SQLite's write
    lock is held only while writing. Asynchronous: deciding costs no thread hop."""

    async def __call__(self, actor: Annotated[Actor, Depends(settled_actor)]) -> Actor:  # type: ignore[override]
        return super().__call__(actor)


def allow_own_work(*roles: Role) -> AllowOwnWork:
    return AllowOwnWork(frozenset(roles))


EVERYONE = frozenset(ALL_ROLES)
SIGNED_IN = frozenset(r for r in ALL_ROLES if r is not Role.PUBLIC)

PublicActor = Annotated[Actor, Depends(Allow(EVERYONE))]
#: :data:`PublicActor` for handlers that run their own units of work (login, verification).
PublicOwnWork = Annotated[Actor, Depends(AllowOwnWork(EVERYONE))]
SignedInActor = Annotated[Actor, Depends(Allow(SIGNED_IN))]
NationalRegulator = Annotated[Actor, Depends(allow(Role.NATIONAL_REGULATOR))]
Regulator = Annotated[Actor, Depends(allow(Role.NATIONAL_REGULATOR, Role.PROVINCIAL_REGULATOR))]
