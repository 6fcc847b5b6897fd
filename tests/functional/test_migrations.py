"""The schema: migrations reach head on both databases and match the models exactly."""

from __future__ import annotations

from certgov.store import migrate


def test_models_and_migrations_agree(database_url: str) -> None:
    """`alembic upgrade head && alembic check` on SQLite and PostgreSQL (no drift)."""
    migrate.upgrade(database_url)  # idempotent at head
    migrate.check(database_url)
