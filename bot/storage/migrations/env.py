"""Alembic environment: migrates the connection that `bot.storage.migrate` hands over.

Alembic's command API is synchronous while our engines are async, so `migrate.py`
opens an async connection and calls Alembic inside `AsyncConnection.run_sync`, passing
the sync view of that connection in `config.attributes["connection"]` (the connection
sharing recipe from Alembic's cookbook). This file therefore never creates an engine.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bot.storage.tables import metadata


def run_migrations(connection: Connection) -> None:
    """Run the pending migrations on `connection` inside Alembic's transaction."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        # SQLite can only alter tables by copying them; batch mode does that and is a
        # plain ALTER TABLE on PostgreSQL, so new revisions work on both.
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _shared_connection() -> Connection:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "run migrations with `standby db upgrade` or bot.storage.migrate, "
            "which pass Alembic an open connection"
        )
    return connection


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported; use `standby db upgrade`")
run_migrations(_shared_connection())
