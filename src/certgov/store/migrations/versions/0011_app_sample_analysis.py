"""app sample analysis: the uploaded APKs of application units with their analysis by the
worker, and each unit's declared practices (APP-3, APP-7, APP-11)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 16:12:57.757808
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certgov.store.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_sample_analyses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("certification_id", sa.Integer(), nullable=True),
        sa.Column("context_case_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("apk_sha256", sa.String(length=64), nullable=False),
        sa.Column("apk_size", sa.Integer(), nullable=False),
        sa.Column("apk", sa.LargeBinary(), nullable=True),
        sa.Column("package", sa.String(length=255), nullable=False),
        sa.Column("version_code", sa.String(length=64), nullable=True),
        sa.Column("version_name", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("analyser_version", sa.String(length=200), nullable=True),
        sa.Column("signature_data_version", sa.String(length=200), nullable=True),
        sa.Column("api_rules_version", sa.String(length=200), nullable=True),
        sa.Column("clause_table_version", sa.String(length=200), nullable=True),
        sa.Column("rule_set_id", sa.String(length=100), nullable=False),
        sa.Column("declaration", sa.JSON(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("findings", sa.JSON(), nullable=True),
        sa.Column("comparison", sa.JSON(), nullable=True),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", certgov.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", certgov.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["app_applications.id"],
            name=op.f("fk_app_sample_analyses_application_id_app_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_app_sample_analyses_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["certification_id"],
            ["app_certifications.id"],
            name=op.f("fk_app_sample_analyses_certification_id_app_certifications"),
        ),
        sa.ForeignKeyConstraint(
            ["context_case_id"],
            ["cases.id"],
            name=op.f("fk_app_sample_analyses_context_case_id_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_sample_analyses")),
        sa.UniqueConstraint("case_id", "apk_sha256", name=op.f("uq_app_sample_analyses_case_id")),
    )
    with op.batch_alter_table("app_sample_analyses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_app_sample_analyses_apk_sha256"), ["apk_sha256"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_app_sample_analyses_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index("ix_app_sample_analyses_status_id", ["status", "id"], unique=False)

    with op.batch_alter_table("app_applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declaration", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_applications", schema=None) as batch_op:
        batch_op.drop_column("declaration")

    with op.batch_alter_table("app_sample_analyses", schema=None) as batch_op:
        batch_op.drop_index("ix_app_sample_analyses_status_id")
        batch_op.drop_index(batch_op.f("ix_app_sample_analyses_case_id"))
        batch_op.drop_index(batch_op.f("ix_app_sample_analyses_apk_sha256"))

    op.drop_table("app_sample_analyses")
