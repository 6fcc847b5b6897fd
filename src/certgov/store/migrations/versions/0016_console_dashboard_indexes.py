"""supervision dashboard at scale (issue 17): covering indexes for its per-CA counts, so the
filed certificates (count, last filed) and the open findings by status and severity of each CA
are read from an index, not from the tables (10^6 filed certificates, 10^5 findings)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 17:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_filed_certificates_party_filed_at", "filed_certificates", ["party_id", "filed_at"]
    )
    op.create_index(
        "ix_findings_party_status_severity", "findings", ["party_id", "status", "severity"]
    )


def downgrade() -> None:
    op.drop_index("ix_findings_party_status_severity", table_name="findings")
    op.drop_index("ix_filed_certificates_party_filed_at", table_name="filed_certificates")
