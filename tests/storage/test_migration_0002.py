"""Migration 0002 (Telegram delivery): existing rows survive it, both ways."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from bot.engine.session import Session
from bot.storage import (
    ContactRecord,
    ContactRepository,
    MessageLog,
    SqlSessionStore,
    UpdateLedger,
    make_engine,
    make_sessionmaker,
    migrate,
)
from bot.storage.tables import contact_table, session_table
from tests.storage.test_migrations import schema_differences, table_names

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SESSION = Session(flow="report", step="where", waiting="input", vars={"where": "bus"})
OLD_TABLES = {"contact", "conversation_session"}


@pytest.fixture
async def raw_engine(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the not-yet-migrated database, without a pool to keep connections."""
    engine = make_engine(empty_database_url, poolclass=NullPool)
    try:
        yield engine
    finally:
        await engine.dispose()


async def add_contact_at_0001(engine: AsyncEngine, chat_id: int) -> int:
    """A contact inserted with only the columns 0001 has (the repository wants more)."""
    statement = (
        insert(contact_table)
        .values(chat_id=chat_id, language="ar", created_at=NOW, last_seen_at=NOW)
        .returning(contact_table.c.id)
    )
    async with engine.begin() as connection:
        contact_id: int = (await connection.execute(statement)).scalar_one()
    return contact_id


async def contact_columns(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        columns = await connection.run_sync(lambda sync: inspect(sync).get_columns("contact"))
    return {column["name"] for column in columns}


async def count_sessions(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        query = select(func.count()).select_from(session_table)
        return (await connection.execute(query)).scalar_one()


async def test_upgrading_from_0001_keeps_contacts_and_sessions(
    empty_database_url: str, raw_engine: AsyncEngine
) -> None:
    await migrate.upgrade(empty_database_url, "0001")
    contact_id = await add_contact_at_0001(raw_engine, chat_id=42)
    store = SqlSessionStore(make_sessionmaker(raw_engine))
    await store.save(contact_id, SESSION, expected_version=None, now=NOW)

    await migrate.upgrade(empty_database_url)

    assert await migrate.current(empty_database_url) == migrate.head()
    assert await ContactRepository(make_sessionmaker(raw_engine)).get(contact_id) == ContactRecord(
        id=contact_id, chat_id=42, language="ar", created_at=NOW, last_seen_at=NOW
    )
    stored = await store.load(contact_id)
    assert stored is not None
    assert (stored.session, stored.version) == (SESSION, 1)
    assert await schema_differences(empty_database_url) == []


async def test_downgrading_to_0001_keeps_contacts_and_sessions(
    empty_database_url: str, raw_engine: AsyncEngine
) -> None:
    await migrate.upgrade(empty_database_url)
    sessionmaker = make_sessionmaker(raw_engine)
    contacts = ContactRepository(sessionmaker)
    contact = await contacts.get_or_create(42, now=NOW, language="ar")
    await contacts.mark_unreachable(contact.id, NOW)
    await SqlSessionStore(sessionmaker).save(contact.id, SESSION, expected_version=None, now=NOW)
    await MessageLog(sessionmaker).record(contact.id, [1, 2], now=NOW, from_bot=True)
    await UpdateLedger(sessionmaker).first_time(1, 1, NOW)

    await migrate.downgrade(empty_database_url, "0001")

    assert await migrate.current(empty_database_url) == "0001"
    assert await table_names(empty_database_url) == OLD_TABLES
    assert "unreachable_since" not in await contact_columns(raw_engine)
    async with raw_engine.connect() as connection:
        chats = (await connection.execute(select(contact_table.c.chat_id))).scalars().all()
    assert chats == [42]
    assert await count_sessions(raw_engine) == 1


async def test_after_downgrading_deleted_contacts_ids_stay_retired_and_cascade(
    empty_database_url: str, raw_engine: AsyncEngine
) -> None:
    # On SQLite the downgrade copies the contact table; its id counter and the
    # sessions' ON DELETE CASCADE must survive the copy.
    await migrate.upgrade(empty_database_url)
    contacts = ContactRepository(make_sessionmaker(raw_engine))
    kept, deleted = [(await contacts.get_or_create(chat, now=NOW)).id for chat in (1, 2)]
    await SqlSessionStore(make_sessionmaker(raw_engine)).save(
        kept, SESSION, expected_version=None, now=NOW
    )
    async with raw_engine.begin() as connection:
        await connection.execute(delete(contact_table).where(contact_table.c.id == deleted))

    await migrate.downgrade(empty_database_url, "0001")

    assert await add_contact_at_0001(raw_engine, chat_id=3) > deleted
    async with raw_engine.begin() as connection:
        await connection.execute(delete(contact_table).where(contact_table.c.id == kept))
    assert await count_sessions(raw_engine) == 0


async def test_downgrading_an_empty_database_to_0001_and_back(
    empty_database_url: str, raw_engine: AsyncEngine
) -> None:
    await migrate.upgrade(empty_database_url)

    await migrate.downgrade(empty_database_url, "0001")
    await migrate.upgrade(empty_database_url)

    assert await migrate.current(empty_database_url) == migrate.head()
    assert await schema_differences(empty_database_url) == []
    contact = await ContactRepository(make_sessionmaker(raw_engine)).get_or_create(5, now=NOW)
    assert contact.id == 1
