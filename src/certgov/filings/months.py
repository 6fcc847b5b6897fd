"""Filed CA certificates per CA and month (issue 17): kept up to date by each filing, read by
the supervision dashboard (totals, last filing, filings over time) without counting the filed
certificates themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from certgov.clock import china_date
from certgov.filings.models import FilingMonth


def month_of(at: dt.datetime) -> dt.date:
    """The first day of the month ``at`` falls in, Beijing time."""
    return china_date(at).replace(day=1)


def count_filed(session: Session, party_id: int, at: dt.datetime, certificates: int) -> None:
    """Add ``certificates`` filed by ``party_id`` at ``at`` to its month (one upsert per
    filing; filings of the filings log are sequenced one at a time, so the row is not
    contended)."""
    if certificates <= 0:
        return
    values = {
        "party_id": party_id,
        "month": month_of(at),
        "certificates": certificates,
        "last_filed_at": at,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(FilingMonth).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[FilingMonth.party_id, FilingMonth.month],
            set_={
                "certificates": FilingMonth.certificates + statement.excluded.certificates,
                "last_filed_at": case(
                    (
                        statement.excluded.last_filed_at > FilingMonth.last_filed_at,
                        statement.excluded.last_filed_at,
                    ),
                    else_=FilingMonth.last_filed_at,
                ),
            },
        )
    )


def totals(
    session: Session, party_ids: Collection[int]
) -> dict[int, tuple[int, dt.datetime | None]]:
    """Per CA: the CA certificates it filed in all, and when it last filed."""
    if not party_ids:
        return {}
    return {
        party_id: (int(count or 0), last)
        for party_id, count, last in session.execute(
            select(
                FilingMonth.party_id,
                func.sum(FilingMonth.certificates),
                func.max(FilingMonth.last_filed_at),
            )
            .where(FilingMonth.party_id.in_(sorted(party_ids)))
            .group_by(FilingMonth.party_id)
        )
    }


def last_months(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` months up to and including ``today``'s, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def by_month(
    session: Session, party_ids: Collection[int], months: list[dt.date]
) -> dict[dt.date, int]:
    """The CA certificates the CAs filed in each of ``months`` (every month given, 0 when
    none)."""
    counts = dict.fromkeys(months, 0)
    if not party_ids or not months:
        return counts
    for month, count in session.execute(
        select(FilingMonth.month, func.sum(FilingMonth.certificates))
        .where(FilingMonth.party_id.in_(sorted(party_ids)), FilingMonth.month >= months[0])
        .group_by(FilingMonth.month)
    ):
        if month in counts:
            counts[month] = int(count or 0)
    return counts
