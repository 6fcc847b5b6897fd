"""cross-border recognition and trusted list

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import certgov.store.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = certgov.store.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "recognitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("foreign_party_id", sa.Integer(), nullable=False),
        sa.Column("applicant_party_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("basis", sa.String(length=32), nullable=False),
        sa.Column("certificate_types", sa.JSON(), nullable=False),
        sa.Column("scenarios", sa.JSON(), nullable=False),
        sa.Column("technical_standards", sa.JSON(), nullable=False),
        sa.Column("home_territory", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("granted_at", UTC, nullable=False),
        sa.Column("rule_set_id", sa.String(length=100), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_party_id"],
            ["parties.id"],
            name=op.f("fk_recognitions_applicant_party_id_parties"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_recognitions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["foreign_party_id"],
            ["parties.id"],
            name=op.f("fk_recognitions_foreign_party_id_parties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognitions")),
        sa.UniqueConstraint("number", name=op.f("uq_recognitions_number")),
    )
    with op.batch_alter_table("recognitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recognitions_applicant_party_id"), ["applicant_party_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recognitions_foreign_party_id"), ["foreign_party_id"], unique=False
        )

    op.create_table(
        "recognition_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recognition_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_recognition_events_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["recognition_id"],
            ["recognitions.id"],
            name=op.f("fk_recognition_events_recognition_id_recognitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognition_events")),
    )
    with op.batch_alter_table("recognition_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recognition_events_recognition_id"), ["recognition_id"], unique=False
        )

    op.create_table(
        "recognised_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recognition_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("subject_hash", sa.String(length=64), nullable=False),
        sa.Column("issuer_hash", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=1000), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("not_before", UTC, nullable=False),
        sa.Column("not_after", UTC, nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recognition_id"],
            ["recognitions.id"],
            name=op.f("fk_recognised_certificates_recognition_id_recognitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognised_certificates")),
        sa.UniqueConstraint(
            "recognition_id", "sha256", name=op.f("uq_recognised_certificates_recognition_id")
        ),
    )
    with op.batch_alter_table("recognised_certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recognised_certificates_recognition_id"),
            ["recognition_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_recognised_certificates_sha256"), ["sha256"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recognised_certificates_subject_hash"), ["subject_hash"], unique=False
        )

    op.create_table(
        "trust_list_schemes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trust_list_schemes")),
        sa.UniqueConstraint("code", name=op.f("uq_trust_list_schemes_code")),
    )

    op.create_table(
        "pinned_signer_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=1000), nullable=False),
        sa.Column("not_after", UTC, nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("pinned_at", UTC, nullable=False),
        sa.Column("pinned_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["trust_list_schemes.id"],
            name=op.f("fk_pinned_signer_certificates_scheme_id_trust_list_schemes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pinned_signer_certificates")),
        sa.UniqueConstraint(
            "scheme_id", "sha256", name=op.f("uq_pinned_signer_certificates_scheme_id")
        ),
    )
    with op.batch_alter_table("pinned_signer_certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pinned_signer_certificates_scheme_id"), ["scheme_id"], unique=False
        )

    op.create_table(
        "imported_trust_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("territory", sa.String(length=16), nullable=False),
        sa.Column("scheme_operator", sa.Text(), nullable=False),
        sa.Column("sequence_number", sa.Integer(), nullable=False),
        sa.Column("issued_at", UTC, nullable=False),
        sa.Column("next_update", UTC, nullable=True),
        sa.Column("signer_sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_at", UTC, nullable=True),
        sa.Column("xades", sa.Boolean(), nullable=False),
        sa.Column("service_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", UTC, nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["trust_list_schemes.id"],
            name=op.f("fk_imported_trust_lists_scheme_id_trust_list_schemes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_trust_lists")),
        sa.UniqueConstraint("sha256", name=op.f("uq_imported_trust_lists_sha256")),
    )
    with op.batch_alter_table("imported_trust_lists", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_imported_trust_lists_scheme_id"), ["scheme_id"], unique=False
        )

    op.create_table(
        "imported_trust_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("service_type", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("status_starting_time", UTC, nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("certificates", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["imported_trust_lists.id"],
            name=op.f("fk_imported_trust_services_list_id_imported_trust_lists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_trust_services")),
    )
    with op.batch_alter_table("imported_trust_services", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_imported_trust_services_list_id"), ["list_id"], unique=False
        )

    op.create_table(
        "imported_service_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["imported_trust_lists.id"],
            name=op.f("fk_imported_service_certificates_list_id_imported_trust_lists"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["imported_trust_services.id"],
            name=op.f("fk_imported_service_certificates_service_id_imported_trust_services"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_service_certificates")),
    )
    with op.batch_alter_table("imported_service_certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_imported_service_certificates_list_id"), ["list_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_imported_service_certificates_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_imported_service_certificates_sha256"), ["sha256"], unique=False
        )


def downgrade() -> None:
    for table in (
        "imported_service_certificates",
        "imported_trust_services",
        "imported_trust_lists",
        "pinned_signer_certificates",
        "trust_list_schemes",
        "recognised_certificates",
        "recognition_events",
        "recognitions",
    ):
        op.drop_table(table)
