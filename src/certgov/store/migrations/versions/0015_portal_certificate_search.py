"""public certificate search (SYS-4, issue 16): filed CA certificates found by the start of
their subject's or issuer's common name (case-insensitive, in name order) and by serial number
through indexes, so a search at 10^6 filed certificates reads a few index pages

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 17:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_filed_certificates_subject_name",
        "filed_certificates",
        [sa.text("lower(subject)"), "id"],
    )
    op.create_index(
        "ix_filed_certificates_issuer_name",
        "filed_certificates",
        [sa.text("lower(issuer)"), "id"],
    )
    op.create_index("ix_filed_certificates_serial", "filed_certificates", ["serial"])


def downgrade() -> None:
    op.drop_index("ix_filed_certificates_serial", table_name="filed_certificates")
    op.drop_index("ix_filed_certificates_issuer_name", table_name="filed_certificates")
    op.drop_index("ix_filed_certificates_subject_name", table_name="filed_certificates")
