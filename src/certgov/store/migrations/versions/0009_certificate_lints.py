"""certificate lints: the pkilint report of each filed CA certificate (ECS-3.4)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 13:41:27.786326
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certgov.store.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificate_lints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filed_certificate_id", sa.Integer(), nullable=False),
        sa.Column("linted_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("linter", sa.String(length=64), nullable=False),
        sa.Column("profile", sa.String(length=32), nullable=False),
        sa.Column("linted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("fatal_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("warning_count", sa.Integer(), nullable=False),
        sa.Column("notice_count", sa.Integer(), nullable=False),
        sa.Column("info_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["filed_certificate_id"],
            ["filed_certificates.id"],
            name=op.f("fk_certificate_lints_filed_certificate_id_filed_certificates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_lints")),
        sa.UniqueConstraint(
            "filed_certificate_id", name=op.f("uq_certificate_lints_filed_certificate_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("certificate_lints")
