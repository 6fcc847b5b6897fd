"""revocation monitoring operating reports

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certgov.store.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operating_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("rule_set_id", sa.String(length=100), nullable=False),
        sa.Column("submitted_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("certificates_issued", sa.Integer(), nullable=False),
        sa.Column("certificates_revoked", sa.Integer(), nullable=False),
        sa.Column("certificates_valid", sa.Integer(), nullable=True),
        sa.Column("by_type", sa.JSON(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_operating_reports_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operating_reports")),
        sa.UniqueConstraint("party_id", "period_start", name=op.f("uq_operating_reports_party_id")),
    )
    with op.batch_alter_table("operating_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operating_reports_party_id"), ["party_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_operating_reports_period_start"), ["period_start"], unique=False
        )

    op.create_table(
        "revocation_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("subject_sha256", sa.String(length=64), nullable=False),
        sa.Column("subject_der", sa.LargeBinary(), nullable=False),
        sa.Column("issuer_der", sa.LargeBinary(), nullable=False),
        sa.Column("registered_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("problem", sa.String(length=64), nullable=True),
        sa.Column("message", sa.String(length=2000), nullable=True),
        sa.Column("checked_at", certgov.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ok_at", certgov.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_check_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("crl_der", sa.LargeBinary(), nullable=True),
        sa.Column("crl_sha256", sa.String(length=64), nullable=True),
        sa.Column("this_update", certgov.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_update", certgov.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_revocation_sources_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revocation_sources")),
        sa.UniqueConstraint("party_id", "kind", "url", name=op.f("uq_revocation_sources_party_id")),
    )
    with op.batch_alter_table("revocation_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_revocation_sources_next_check_at"), ["next_check_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_revocation_sources_party_id"), ["party_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("revocation_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revocation_sources_party_id"))
        batch_op.drop_index(batch_op.f("ix_revocation_sources_next_check_at"))

    op.drop_table("revocation_sources")
    with op.batch_alter_table("operating_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operating_reports_period_start"))
        batch_op.drop_index(batch_op.f("ix_operating_reports_party_id"))

    op.drop_table("operating_reports")
