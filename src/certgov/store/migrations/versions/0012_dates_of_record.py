"""dates of record (SYS-8): status histories keep when a change took effect as stated by an
official, and who stated it; a registration-change filing keeps who stated its date

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certgov.store.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HISTORIES = ("case_events", "licence_events", "app_certification_events", "recognition_events")


def upgrade() -> None:
    for table in HISTORIES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "effective_at", certgov.store.base.UTCDateTime(timezone=True), nullable=True
                )
            )
            batch_op.add_column(sa.Column("stated_by", sa.String(length=200), nullable=True))
    with op.batch_alter_table("registration_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("filed_on_stated_by", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("registration_changes", schema=None) as batch_op:
        batch_op.drop_column("filed_on_stated_by")
    for table in reversed(HISTORIES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("stated_by")
            batch_op.drop_column("effective_at")
