"""app security certification

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certgov.store.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_operator_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=200), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_app_operator_records_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_operator_records")),
    )
    with op.batch_alter_table("app_operator_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_app_operator_records_party_id"), ["party_id"], unique=False
        )

    op.create_table(
        "app_testing_agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("appointed_on", sa.Date(), nullable=False),
        sa.Column("appointed_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_app_testing_agencies_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_testing_agencies")),
        sa.UniqueConstraint("party_id", name=op.f("uq_app_testing_agencies_party_id")),
    )
    op.create_table(
        "app_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("app_name", sa.String(length=200), nullable=False),
        sa.Column("operating_system", sa.String(length=64), nullable=False),
        sa.Column("version_line", sa.String(length=64), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("eligibility", sa.JSON(), nullable=False),
        sa.Column("sample", sa.JSON(), nullable=True),
        sa.Column("decision", sa.String(length=32), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decision_received_on", sa.Date(), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_app_applications_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_app_applications_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_applications")),
        sa.UniqueConstraint("case_id", name=op.f("uq_app_applications_case_id")),
    )
    with op.batch_alter_table("app_applications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_app_applications_unit", ["party_id", "app_name", "operating_system"], unique=False
        )

    op.create_table(
        "app_certifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("application_case_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("app_name", sa.String(length=200), nullable=False),
        sa.Column("operating_system", sa.String(length=64), nullable=False),
        sa.Column("version_line", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("surveillance_due", sa.JSON(), nullable=False),
        sa.Column("suspended_on", sa.Date(), nullable=True),
        sa.Column("suspension_ends_on", sa.Date(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("ban_until", sa.Date(), nullable=True),
        sa.Column("rule_set_id", sa.String(length=100), nullable=False),
        sa.Column("issued_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_case_id"],
            ["cases.id"],
            name=op.f("fk_app_certifications_application_case_id_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_app_certifications_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_certifications")),
        sa.UniqueConstraint(
            "application_case_id", name=op.f("uq_app_certifications_application_case_id")
        ),
        sa.UniqueConstraint("number", name=op.f("uq_app_certifications_number")),
    )
    with op.batch_alter_table("app_certifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_app_certifications_party_id"), ["party_id"], unique=False
        )
        batch_op.create_index(
            "ix_app_certifications_status_valid_until", ["status", "valid_until"], unique=False
        )

    op.create_table(
        "app_check_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_by_party_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_app_check_results_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_party_id"],
            ["parties.id"],
            name=op.f("fk_app_check_results_recorded_by_party_id_parties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_check_results")),
        sa.UniqueConstraint("case_id", "stage", "item", name=op.f("uq_app_check_results_case_id")),
    )
    with op.batch_alter_table("app_check_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_check_results_case_id"), ["case_id"], unique=False)

    op.create_table(
        "app_deficiencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("found_by", sa.String(length=200), nullable=False),
        sa.Column("found_at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=200), nullable=False),
        sa.Column("remedy_statement", sa.Text(), nullable=True),
        sa.Column("remedy_evidence_sha256", sa.String(length=64), nullable=True),
        sa.Column(
            "remedy_submitted_at", certgov.store.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("remedied_at", certgov.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_app_deficiencies_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_deficiencies")),
    )
    with op.batch_alter_table("app_deficiencies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_deficiencies_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_app_deficiencies_status_due_on", ["status", "due_on"], unique=False
        )

    op.create_table(
        "app_certification_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certification_id", sa.Integer(), nullable=False),
        sa.Column("at", certgov.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_app_certification_events_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["certification_id"],
            ["app_certifications.id"],
            name=op.f("fk_app_certification_events_certification_id_app_certifications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_certification_events")),
    )
    with op.batch_alter_table("app_certification_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_app_certification_events_certification_id"),
            ["certification_id"],
            unique=False,
        )

    op.create_table(
        "app_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["app_applications.id"],
            name=op.f("fk_app_documents_application_id_app_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_documents")),
        sa.UniqueConstraint("application_id", "kind", name=op.f("uq_app_documents_application_id")),
    )
    with op.batch_alter_table("app_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_app_documents_application_id"), ["application_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("app_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_documents_application_id"))

    op.drop_table("app_documents")
    with op.batch_alter_table("app_certification_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_certification_events_certification_id"))

    op.drop_table("app_certification_events")
    with op.batch_alter_table("app_deficiencies", schema=None) as batch_op:
        batch_op.drop_index("ix_app_deficiencies_status_due_on")
        batch_op.drop_index(batch_op.f("ix_app_deficiencies_case_id"))

    op.drop_table("app_deficiencies")
    with op.batch_alter_table("app_check_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_check_results_case_id"))

    op.drop_table("app_check_results")
    with op.batch_alter_table("app_certifications", schema=None) as batch_op:
        batch_op.drop_index("ix_app_certifications_status_valid_until")
        batch_op.drop_index(batch_op.f("ix_app_certifications_party_id"))

    op.drop_table("app_certifications")
    with op.batch_alter_table("app_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_app_applications_unit")

    op.drop_table("app_applications")
    op.drop_table("app_testing_agencies")
    with op.batch_alter_table("app_operator_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_operator_records_party_id"))

    op.drop_table("app_operator_records")
