"""official_documents: the licences, penalty decisions, app certificates and complaint decisions
the platform issued as PDF (issue 17), each with its number, language, SHA-256 and the stored
upload that holds it; unique per record, language and wording (facts_sha256), so that an
unchanged record's document is given back rather than made again

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 20:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certgov.store.base

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "official_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("facts_sha256", sa.String(length=64), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_official_documents_party_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["uploads.id"], name=op.f("fk_official_documents_upload_id_uploads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_official_documents")),
        sa.UniqueConstraint(
            "kind",
            "reference",
            "language",
            "facts_sha256",
            name=op.f("uq_official_documents_kind"),
        ),
    )
    with op.batch_alter_table("official_documents") as batch:
        batch.create_index(batch.f("ix_official_documents_party_id"), ["party_id"], unique=False)
        batch.create_index(batch.f("ix_official_documents_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("official_documents") as batch:
        batch.drop_index(batch.f("ix_official_documents_sha256"))
        batch.drop_index(batch.f("ix_official_documents_party_id"))
    op.drop_table("official_documents")
