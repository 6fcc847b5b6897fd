"""app_check_evidence: the evidence files an assessor attaches to a checklist item of an app
security certification case (issue 17, APP-3, APP-4), each linking the case, the stage and the
item to a stored upload

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certgov.store.base

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_check_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_by_party_id", sa.Integer(), nullable=True),
        sa.Column("added_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_party_id"],
            ["parties.id"],
            name=op.f("fk_app_check_evidence_added_by_party_id_parties"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_app_check_evidence_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["uploads.id"], name=op.f("fk_app_check_evidence_upload_id_uploads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_check_evidence")),
    )
    with op.batch_alter_table("app_check_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_app_check_evidence_case_id"), ["case_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("app_check_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_check_evidence_case_id"))
    op.drop_table("app_check_evidence")
