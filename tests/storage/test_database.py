"""Engines: which URLs are accepted, and how SQLite connections are set up."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from bot.storage.database import POOL_OVERFLOW, POOL_SIZE, make_engine, resolve_url
from bot.storage.tables import contact_table, session_table

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def test_postgresql_engines_keep_a_pool_that_covers_a_busy_bots_turns() -> None:
    # No connection is made: the pool is configured when the engine is built.
    engine = make_engine("postgresql://u@db.invalid/standby")
    chosen = make_engine("postgresql://u@db.invalid/standby", pool_size=3)
    try:
        pool, other = engine.pool, chosen.pool
        assert isinstance(pool, QueuePool)
        assert isinstance(other, QueuePool)
        assert pool.size() == POOL_SIZE
        assert pool.overflow() == -POOL_SIZE  # nothing open yet
        assert POOL_SIZE >= 20
        assert POOL_OVERFLOW >= 10
        assert other.size() == 3  # callers (tests, tools) may still choose
    finally:
        await engine.dispose()
        await chosen.dispose()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "sqlite+aiosqlite:///data/standby.db"),
        ("", "sqlite+aiosqlite:///data/standby.db"),
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("sqlite:////srv/standby/x.db", "sqlite+aiosqlite:////srv/standby/x.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgres://u:p@db:5432/standby", "postgresql+asyncpg://u:p@db:5432/standby"),
        ("postgresql://u:p@db/standby", "postgresql+asyncpg://u:p@db/standby"),
        ("postgresql+asyncpg://u@db/standby", "postgresql+asyncpg://u@db/standby"),
        (
            "postgresql://u@db/standby?sslmode=require",
            "postgresql+asyncpg://u@db/standby?ssl=require",
        ),
    ],
)
def test_urls_are_turned_into_async_ones(given: str | None, expected: str) -> None:
    assert resolve_url(given).render_as_string(hide_password=False) == expected


@pytest.mark.parametrize(
    "given",
    ["mysql://u@db/standby", "postgresql+psycopg2://u@db/standby", "standby.db", "postgresql://db"],
)
def test_other_urls_are_refused_naming_the_setting(given: str) -> None:
    with pytest.raises(ValueError, match="DATABASE_URL") as raised:
        resolve_url(given)

    assert "postgresql://user:password@host:5432/dbname" in str(raised.value)


async def test_the_default_database_folder_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    engine = make_engine(None)
    await engine.dispose()

    assert (tmp_path / "data").is_dir()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_connections_use_wal_and_enforce_foreign_keys(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        settings = {
            pragma: (await connection.exec_driver_sql(f"PRAGMA {pragma}")).scalar()
            for pragma in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }

    # synchronous=1 is NORMAL.
    assert settings == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 5000,
        "synchronous": 1,
    }


async def test_deleting_a_contact_deletes_their_session(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        contact_id = (
            await connection.execute(
                insert(contact_table)
                .values(chat_id=5, created_at=NOW, last_seen_at=NOW)
                .returning(contact_table.c.id)
            )
        ).scalar_one()
        await connection.execute(
            insert(session_table).values(contact_id=contact_id, data={}, version=1, updated_at=NOW)
        )
        await connection.execute(delete(contact_table).where(contact_table.c.id == contact_id))
        remaining = (await connection.execute(select(session_table))).all()

    assert remaining == []


async def test_a_deleted_contacts_id_is_never_reused(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        add = insert(contact_table).returning(contact_table.c.id)
        first = (
            await connection.execute(add.values(chat_id=1, created_at=NOW, last_seen_at=NOW))
        ).scalar_one()
        await connection.execute(text("DELETE FROM contact"))
        second = (
            await connection.execute(add.values(chat_id=2, created_at=NOW, last_seen_at=NOW))
        ).scalar_one()

    assert second > first
