"""People log in with a password and get a session cookie (SYS-6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, Response

from certgov.api.schemas import LoginIn
from certgov.http.deps import SESSION_COOKIE, ContextDep, PublicActor, SessionDep, SignedInActor
from certgov.http.sessions import set_session_cookie
from certgov.identity import services as identity

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login")
def login(
    body: LoginIn, response: Response, ctx: ContextDep, session: SessionDep, _actor: PublicActor
) -> dict[str, Any]:
    """Check username and password; on success set the session cookie."""
    secret, user = identity.log_in(
        session,
        ctx.audit,
        body.username,
        body.password,
        dt.timedelta(hours=ctx.settings.session_hours),
    )
    set_session_cookie(response, secret, ctx)
    return identity.user_actor(user).as_dict()


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
def me(actor: PublicActor) -> dict[str, object]:
    """Who the server takes you for: your role, jurisdiction and party."""
    result: dict[str, object] = actor.as_dict()
    return result
