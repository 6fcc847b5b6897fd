"""A small in-process rate limiter for anonymous submissions (ECS-5.1).

Sliding window per key (the client's address): at most ``limit`` attempts in ``window``
seconds. It lives in one process's memory: with N server processes a client may make N times
the limit, and a restart forgets the counts. That is enough to stop a form being flooded from
one address; a deployment behind several processes should also limit at its reverse proxy.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """``allow(key)`` is True while ``key`` made fewer than ``limit`` attempts in the last
    ``window`` seconds, and counts the attempt. Precondition: ``limit >= 1``, ``window > 0``."""

    def __init__(
        self, limit: int, window: float, now: Callable[[], float], max_keys: int = 100_000
    ) -> None:
        self.limit = limit
        self.window = window
        self._now = now
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        with self._lock:
            now = self._now()
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self._max_keys:
                    self._forget_idle(now)
                hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 when it may now)."""
        with self._lock:
            hits = self._hits.get(key)
            if not hits or len(hits) < self.limit:
                return 0.0
            return max(0.0, hits[0] + self.window - self._now())

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window]:
            del self._hits[key]
