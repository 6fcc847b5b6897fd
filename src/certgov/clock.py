"""Time as an injected dependency, so tests and simulations can set it."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

#: Deadlines of the regimes are stated in mainland China dates.
CHINA_TZ = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that stays where it is set; ``advance`` moves it."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at

    def now(self) -> dt.datetime:
        return self._at

    def set(self, at: dt.datetime) -> None:
        self._at = at

    def advance(self, delta: dt.timedelta) -> None:
        self._at = self._at + delta


def china_date(instant: dt.datetime) -> dt.date:
    """The mainland China calendar date of an instant."""
    return instant.astimezone(CHINA_TZ).date()
