"""the officials' work queue at scale (issue 17): each case keeps the day its nearest running
deadline falls due (cases.next_due_on, set where its clocks change), so the queue sorts and
counts the open cases without aggregating every running deadline; backfilled from the deadlines

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("next_due_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE cases SET next_due_on = ("
        "SELECT min(case_deadlines.due_on) FROM case_deadlines"
        " WHERE case_deadlines.case_id = cases.id AND case_deadlines.status = 'running'"
        " AND case_deadlines.due_on IS NOT NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("next_due_on")
