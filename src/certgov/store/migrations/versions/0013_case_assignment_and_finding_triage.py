"""the officials console (issue 17): a case assigned to an official of the competent
authority; a finding triaged by a regulator (confirmed or dismissed, with a note)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certgov.store.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_user_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_cases_assigned_user_id"), ["assigned_user_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_assigned_user_id_users"), "users", ["assigned_user_id"], ["id"]
        )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("triage", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("triage_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("triaged_by", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("triaged_at", certgov.store.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_findings_triage"), ["triage"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_triage"))
        batch_op.drop_column("triaged_at")
        batch_op.drop_column("triaged_by")
        batch_op.drop_column("triage_note")
        batch_op.drop_column("triage")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cases_assigned_user_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cases_assigned_user_id"))
        batch_op.drop_column("assigned_user_id")
