"""filing_months: the CA certificates each CA filed per month (Beijing time), kept by each
filing and backfilled here from the filed certificates, so that the supervision dashboard reads
totals, last filings and filings over time from a few hundred rows instead of counting 10^6
filed certificates on every view (issue 17)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certgov.store.base

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The month of a filing, Beijing time (UTC+8, no daylight saving since 1991), per backend;
#: SQLite keeps instants as naive UTC text (its fractions of a second are dropped: SQLite
#: rounds them to milliseconds, which could carry 23:59:59.9999 into the next day).
MONTH = {
    "sqlite": "date(substr(filed_at, 1, 19), '+8 hours', 'start of month')",
    "postgresql": "CAST(date_trunc('month', filed_at AT TIME ZONE 'UTC' + INTERVAL '8 hours') AS date)",
}


def upgrade() -> None:
    op.create_table(
        "filing_months",
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("certificates", sa.Integer(), nullable=False),
        sa.Column("last_filed_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_filing_months_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("party_id", "month", name=op.f("pk_filing_months")),
    )
    month = MONTH[op.get_bind().dialect.name]
    op.execute(
        "INSERT INTO filing_months (party_id, month, certificates, last_filed_at) "  # noqa: S608 - constant SQL of this file
        f"SELECT party_id, {month}, count(*), max(filed_at) FROM filed_certificates "
        f"GROUP BY party_id, {month}"
    )


def downgrade() -> None:
    op.drop_table("filing_months")
