"""The session cookie of people who log in (API and pages alike)."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from certgov.http.deps import SESSION_COOKIE


def set_session_cookie(response: Response, secret: str, ctx: Any) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=ctx.settings.session_hours * 3600,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.secure_cookies,
        path="/",
    )
