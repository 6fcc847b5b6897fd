"""Bounded path and query parameters shared by the API and the pages.

A record id beyond what the database column holds (PostgreSQL's ``integer``, 2^31 − 1) is not
an id of anything: it is refused with 422 naming the parameter, never passed to a query that
would fail (a 500 on PostgreSQL, an overflow on SQLite).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path, Query

from certgov.errors import InvalidInput

#: The largest id a record can have (a 32-bit signed ``integer`` column on PostgreSQL).
MAX_ID = 2**31 - 1
#: The largest offset into a listing.
MAX_OFFSET = 2**31 - 1

PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="a record id (1 to 2^31 - 1)")]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="a record id (1 to 2^31 - 1)")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="how many results to skip")]
#: A position in a transparency log (entries are counted from 0; sizes fit 63 bits).
#: No upper bound: any position beyond the log is answered 404 before the database is asked.
LogPosition = Annotated[int, Path(ge=0, description="a log index or size")]

#: "As at" a time (SYS-8): an ISO 8601 instant with its offset.
AtQuery = Annotated[
    str | None,
    Query(
        max_length=40,
        description="the instant to answer for (ISO 8601 with offset, e.g. "
        "2026-03-01T09:00:00+08:00); default now",
    ),
]


def parse_at(value: str | None, now: dt.datetime) -> dt.datetime:
    """The instant of an ``at`` parameter (``now`` when absent)."""
    if value is None:
        return now
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"at: {value[:40]!r} is not an ISO 8601 time",
            hint="e.g. 2026-03-01T09:00:00+08:00",
            details={"field": "at"},
        ) from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput(
            "at: give the time with its offset (+08:00 for Beijing time)",
            details={"field": "at"},
        )
    return at
