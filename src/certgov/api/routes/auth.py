"""People log in with a password and get a session cookie (SYS-6)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from certgov.api.schemas import LoginIn
from certgov.http.deps import (
    SESSION_COOKIE,
    ContextDep,
    PublicActor,
    PublicOwnWork,
    SessionDep,
    SignedInActor,
)
from certgov.http.security import csrf_token
from certgov.http.sessions import set_session_cookie
from certgov.identity import services as identity

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/login",
    responses={
        401: {"description": "wrong username or password"},
        429: {"description": "too many failed logins: wait Retry-After seconds"},
    },
)
def login(
    body: LoginIn, request: Request, response: Response, ctx: ContextDep, _actor: PublicOwnWork
) -> dict[str, Any]:
    """Check username and password; on success set the session cookie. The answer carries
    the session's ``csrf_token``: scripts that write with the cookie send it as
    ``X-CSRF-Token``. Failed logins are throttled per account and per client address."""
    client = request.client.host if request.client else "unknown"
    secret, described = identity.attempt_login(ctx, body.username, body.password, client)
    set_session_cookie(response, secret, ctx)
    return {**described, "csrf_token": csrf_token(secret)}


@router.post("/logout")
def logout(
    request: Request,
    response: Response,
    ctx: ContextDep,
    session: SessionDep,
    _actor: SignedInActor,
) -> dict[str, str]:
    """End the current login session."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        identity.log_out(session, ctx.clock, cookie)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"status": "logged out"}


@router.get("/me")
def me(request: Request, actor: PublicActor) -> dict[str, object]:
    """Who the server takes you for: your role, jurisdiction and party; with a session
    cookie, the ``csrf_token`` that writes authenticated by it must carry."""
    result: dict[str, object] = actor.as_dict()
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and not request.headers.get("authorization"):
        result["csrf_token"] = csrf_token(cookie)
    return result
