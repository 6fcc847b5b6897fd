"""complaints, enforcement, credit and exit

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certgov.store.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("tracking_hash", sa.String(length=64), nullable=False),
        sa.Column("target_party_id", sa.Integer(), nullable=True),
        sa.Column("target_name", sa.String(length=200), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("complainant_name", sa.String(length=200), nullable=True),
        sa.Column("complainant_contact", sa.String(length=300), nullable=True),
        sa.Column("received_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_complaints_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["target_party_id"], ["parties.id"], name=op.f("fk_complaints_target_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("case_id", name=op.f("uq_complaints_case_id")),
        sa.UniqueConstraint("tracking_hash", name=op.f("uq_complaints_tracking_hash")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaints_target_party_id"), ["target_party_id"], unique=False
        )

    op.create_table(
        "penalties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=16), nullable=False),
        sa.Column("violation_id", sa.String(length=64), nullable=False),
        sa.Column("violation_title", sa.String(length=300), nullable=False),
        sa.Column("legal_basis", sa.String(length=300), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("fine_yuan", sa.BigInteger(), nullable=True),
        sa.Column("illegal_gains_yuan", sa.BigInteger(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("rule_set_id", sa.String(length=100), nullable=False),
        sa.Column("decided_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("licence_number", sa.String(length=32), nullable=True),
        sa.Column("published_at", certgov.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_penalties_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["jurisdiction"],
            ["jurisdictions.code"],
            name=op.f("fk_penalties_jurisdiction_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_penalties_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penalties")),
        sa.UniqueConstraint("case_id", name=op.f("uq_penalties_case_id")),
    )
    with op.batch_alter_table("penalties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_penalties_decided_on"), ["decided_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_penalties_jurisdiction"), ["jurisdiction"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_penalties_party_id"), ["party_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_penalties_published_at"), ["published_at"], unique=False
        )

    op.create_table(
        "complaint_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_evidence_complaint_id_complaints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_evidence")),
    )
    with op.batch_alter_table("complaint_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_evidence_complaint_id"), ["complaint_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("complaint_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_evidence_complaint_id"))

    op.drop_table("complaint_evidence")
    with op.batch_alter_table("penalties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penalties_published_at"))
        batch_op.drop_index(batch_op.f("ix_penalties_party_id"))
        batch_op.drop_index(batch_op.f("ix_penalties_jurisdiction"))
        batch_op.drop_index(batch_op.f("ix_penalties_decided_on"))

    op.drop_table("penalties")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_target_party_id"))

    op.drop_table("complaints")
