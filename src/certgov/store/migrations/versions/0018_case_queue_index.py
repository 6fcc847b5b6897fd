"""the officials' work queue at scale (issue 17): the counts per filter value are one grouped
read of an index over the filtered columns and the stored nearest due day of the cases, in its
order (SQLite: 190 ms -> 16 ms at 10^5 open cases, no table rows read and no sort)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 17:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_cases_queue",
        "cases",
        [
            "closed",
            "process_id",
            "state",
            "jurisdiction",
            "subject_party_id",
            "assigned_user_id",
            "next_due_on",
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_cases_queue", table_name="cases")
