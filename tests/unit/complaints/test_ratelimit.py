"""The per-process rate limiter of anonymous complaints (ECS-5.1)."""

from __future__ import annotations

from certgov.complaints.ratelimit import RateLimiter


def test_ecs_5_1_limit_per_key_in_a_sliding_window() -> None:
    now = [0.0]
    limiter = RateLimiter(2, 60, lambda: now[0])
    assert limiter.allow("a") and limiter.allow("a")
    assert not limiter.allow("a")
    assert limiter.allow("b")
    assert limiter.retry_after("a") == 60
    now[0] = 60.0
    assert limiter.allow("a")


def test_ecs_5_1_idle_keys_are_forgotten_when_full() -> None:
    now = [0.0]
    limiter = RateLimiter(1, 10, lambda: now[0], max_keys=2)
    assert limiter.allow("a") and limiter.allow("b")
    now[0] = 20.0
    assert limiter.allow("c")
    assert len(limiter._hits) == 1
