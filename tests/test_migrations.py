"""Alembic owns the schema: after every migration, the database matches the models exactly (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import bot.models  # noqa: F401  (every model registered on Base.metadata)
from bot.db import Base, Database


def _ours(name: str | None, type_: str, parent_names: object) -> bool:
    """APScheduler keeps its own job table in the same database; it is not ours to migrate."""
    return not (type_ == "table" and (name or "").startswith("apscheduler"))


def test_migrations_build_exactly_the_models(db_url: str) -> None:
    db = Database(db_url)  # the fixture has upgraded it to the newest migrations
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": _ours})
            differences = compare_metadata(context, Base.metadata)
    finally:
        db.dispose()
    assert differences == [], f"models and migrations disagree (write a migration): {differences}"
