"""titles in the reader's language (issue 16): a case keeps its title as an English template
and its parameters (cases.title_text), a finding its title and its explanation
(findings.title_text, findings.message_text), so that a page says them in Chinese or English;
the English title stays in title (search, API, older records without a template)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 19:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("title_text", sa.JSON(), nullable=True))
    op.add_column("findings", sa.Column("title_text", sa.JSON(), nullable=True))
    op.add_column("findings", sa.Column("message_text", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("message_text")
        batch.drop_column("title_text")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("title_text")
