"""Migrations: they build exactly the schema the models describe, on every database."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from bot.services.reports import reference_hash
from bot.storage import migrate
from bot.storage.database import make_engine
from bot.storage.tables import contact_table, metadata

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TABLES = {
    "contact",
    "conversation_session",
    "processed_update",
    "chat_message",
    "report",
    "report_evidence",
    "staff_post",
    "alert_subscription",
    "staff_role",
    "broadcast",
    "broadcast_approval",
    "delivery",
    "audit_entry",
}


async def table_names(url: str) -> set[str]:
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version", "sqlite_sequence"}


async def schema_differences(url: str) -> list[Any]:
    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences: list[Any] = compare_metadata(context, metadata)
        return differences

    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(compare)
    finally:
        await engine.dispose()


async def test_a_new_database_has_no_revision(empty_database_url: str) -> None:
    assert await migrate.current(empty_database_url) is None


async def test_upgrade_creates_the_tables_and_records_the_head(empty_database_url: str) -> None:
    await migrate.upgrade(empty_database_url)

    assert await migrate.current(empty_database_url) == migrate.head()
    assert await table_names(empty_database_url) == TABLES


async def test_the_migrated_schema_matches_the_models(empty_database_url: str) -> None:
    await migrate.upgrade(empty_database_url)

    assert await schema_differences(empty_database_url) == []


async def test_upgrading_again_changes_nothing(empty_database_url: str) -> None:
    await migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                insert(contact_table).values(chat_id=1, created_at=NOW, last_seen_at=NOW)
            )

        await migrate.upgrade(empty_database_url)

        async with engine.connect() as connection:
            chats = (await connection.execute(select(contact_table.c.chat_id))).scalars().all()
    finally:
        await engine.dispose()
    assert chats == [1]
    assert await migrate.current(empty_database_url) == migrate.head()


async def test_downgrade_to_base_removes_everything_and_can_be_redone(
    empty_database_url: str,
) -> None:
    await migrate.upgrade(empty_database_url)

    await migrate.downgrade(empty_database_url, "base")

    assert await migrate.current(empty_database_url) is None
    assert await table_names(empty_database_url) == set()
    await migrate.upgrade(empty_database_url)
    assert await schema_differences(empty_database_url) == []


async def test_concurrent_upgrades_migrate_once(empty_database_url: str) -> None:
    await asyncio.gather(*(migrate.upgrade(empty_database_url) for _ in range(3)))

    assert await migrate.current(empty_database_url) == migrate.head()


def test_regression_a_failing_sqlite_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    """pysqlite sends no BEGIN before DDL: a migration failing halfway used to keep its
    first changes while the recorded version stayed put."""
    url = f"sqlite:///{tmp_path / 'atomic.db'}"
    asyncio.run(migrate.upgrade(url))

    def half_then_fail(connection: Connection) -> None:
        connection.execute(text("CREATE TABLE half_done (id INTEGER)"))
        raise RuntimeError("the second half of the migration failed")

    with pytest.raises(RuntimeError):
        asyncio.run(migrate._in_worker_thread(url, half_then_fail))

    async def tables() -> list[str]:
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:
                rows = await connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
                return [row[0] for row in rows]
        finally:
            await engine.dispose()

    assert "half_done" not in asyncio.run(tables())


async def test_regression_downgrading_0005_keeps_report_ids_from_being_reused(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'standby.db'}"
    await migrate.upgrade(url)
    await migrate.downgrade(url, "0004")
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            sql = await connection.scalar(
                text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'report'")
            )
    finally:
        await engine.dispose()

    assert "AUTOINCREMENT" in str(sql).upper()


async def test_0007_makes_stored_code_hashes_slow_and_anonymous_times_days(
    empty_database_url: str,
) -> None:
    code = "K7QD-94XF-TMRA"
    plain = hashlib.sha256(b"K7QD94XFTMRA").hexdigest()  # what 0003 stored
    exact = datetime(2025, 5, 20, 14, 37, tzinfo=UTC)
    await migrate.upgrade(empty_database_url, "0006")
    engine = make_engine(empty_database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO report (reference_hash, consent, status, created_at, "
                    "updated_at, payload) VALUES (:h, 'keep', 'new', :t, :t, 'x')"
                ),
                {"h": plain, "t": exact},
            )
        await migrate.upgrade(empty_database_url)
        async with engine.connect() as connection:
            stored, created = (
                await connection.execute(text("SELECT reference_hash, created_at FROM report"))
            ).one()
    finally:
        await engine.dispose()

    assert stored == reference_hash(code)
    assert str(created).startswith("2025-05-20 00:00:00")  # anonymous: the day only
