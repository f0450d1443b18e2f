"""Bring a database's schema up to date with the Alembic migrations shipped in this package.

There is no alembic.ini: the configuration is built here, pointing at
`bot/storage/migrations`, and `env.py` migrates the connection handed to it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from bot.storage.database import make_engine

MIGRATIONS = Path(__file__).with_name("migrations")

# Any constant works; it only has to be the same in every Standby process so two bots
# starting together on one PostgreSQL database migrate one after the other.
_PG_LOCK_KEY = 0x5374616E6462

# Alembic keeps the running migration in module-level state (`alembic.context`), so two
# migrations in one process must not interleave, even on different databases.
_ALEMBIC_LOCK = threading.Lock()

T = TypeVar("T")


def alembic_config() -> Config:
    """The Alembic configuration for Standby's migrations.

    It holds no database URL: the connection is passed in `attributes["connection"]`.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    """The newest revision shipped with this version of Standby."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return revision


async def upgrade(url: str | None, revision: str = "head") -> None:
    """Migrate the database at DATABASE_URL `url` up to `revision` (the newest by default).

    Safe to call at every start: when the database is already there it does nothing.
    """
    await _in_worker_thread(url, lambda connection: _alembic_upgrade(connection, revision))


async def downgrade(url: str | None, revision: str) -> None:
    """Migrate the database down to `revision` ("base" removes every table)."""
    await _in_worker_thread(url, lambda connection: _alembic_downgrade(connection, revision))


async def current(url: str | None) -> str | None:
    """The revision the database is at, or None if it has never been migrated."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_current_revision)
    finally:
        await engine.dispose()


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _alembic_upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _alembic_downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def _in_worker_thread(url: str | None, migrate: Callable[[Connection], None]) -> None:
    # Alembic's API is synchronous and reads script files; a worker thread with its own
    # event loop keeps the caller's loop responsive and lets the lock above serialise
    # migrations without blocking that loop.
    await asyncio.to_thread(_run_locked, url, migrate)


def _run_locked(url: str | None, migrate: Callable[[Connection], None]) -> None:
    with _ALEMBIC_LOCK:
        asyncio.run(_run_on_connection(url, migrate))


async def _run_on_connection(url: str | None, migrate: Callable[[Connection], T]) -> T:
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            result = await connection.run_sync(_prepared(migrate))
            await connection.commit()
            return result
    finally:
        await engine.dispose()


def _prepared(migrate: Callable[[Connection], T]) -> Callable[[Connection], T]:
    def run(connection: Connection) -> T:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            return migrate(connection)
        return _without_sqlite_foreign_keys(connection, migrate)

    return run


def _without_sqlite_foreign_keys(connection: Connection, migrate: Callable[[Connection], T]) -> T:
    # SQLite alters a table by copying it and dropping the old one; with foreign keys on,
    # that drop would cascade and delete every session. SQLite's documented procedure is
    # to switch them off (only possible outside a transaction), then check them after.
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    # pysqlite issues no BEGIN before DDL, so without this a failing migration would leave
    # half its changes behind; IMMEDIATE also makes a second migrating process wait.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    result = migrate(connection)
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")
    return result
