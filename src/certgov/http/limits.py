"""Per-process rate limits shared by the API and the pages (ECS-5.1 complaints)."""

from __future__ import annotations

import time

from fastapi import Request

from certgov.complaints.ratelimit import RateLimiter
from certgov.context import Context


def complaint_limiter(request: Request, ctx: Context) -> RateLimiter:
    """The application's limiter, made on first use from the settings (one per process)."""
    limiter: RateLimiter | None = getattr(request.app.state, "complaint_limiter", None)
    if limiter is None:
        limiter = RateLimiter(
            ctx.settings.complaint_rate_limit,
            ctx.settings.complaint_rate_window_seconds,
            time.monotonic,
        )
        request.app.state.complaint_limiter = limiter
    return limiter
