"""Which language's machine-translation notice a contact saw: the column and migration 0009."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool

from bot.storage import ContactRepository, make_engine, make_sessionmaker, migrate
from bot.storage.tables import contact_table
from tests.storage.test_migration_0002 import contact_columns
from tests.storage.test_migrations import schema_differences

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
def contacts(sessionmaker: async_sessionmaker[AsyncSession]) -> ContactRepository:
    return ContactRepository(sessionmaker)


@pytest.fixture
async def raw_engine(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(empty_database_url, poolclass=NullPool)
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_a_new_contact_has_seen_no_notice(contacts: ContactRepository) -> None:
    contact = await contacts.get_or_create(42, now=NOW, language="ar")

    assert contact.notice_language is None


async def test_marking_a_language_is_true_once_and_kept(contacts: ContactRepository) -> None:
    contact = await contacts.get_or_create(42, now=NOW, language="ar")

    first = await contacts.mark_noticed(contact.id, "ar")
    again = await contacts.mark_noticed(contact.id, "ar")

    assert (first, again) == (True, False)
    stored = await contacts.get(contact.id)
    assert stored is not None
    assert stored.notice_language == "ar"
    assert await contacts.get_or_create(42, now=NOW) == stored


async def test_another_language_is_marked_in_its_place(contacts: ContactRepository) -> None:
    contact = await contacts.get_or_create(42, now=NOW, language="ar")
    await contacts.mark_noticed(contact.id, "ar")

    assert await contacts.mark_noticed(contact.id, "ur") is True
    stored = await contacts.get(contact.id)
    assert stored is not None
    assert stored.notice_language == "ur"


async def test_of_processes_marking_at_once_one_shows_the_notice(
    contacts: ContactRepository,
) -> None:
    contact = await contacts.get_or_create(42, now=NOW, language="fa")

    marked = await asyncio.gather(*(contacts.mark_noticed(contact.id, "fa") for _ in range(6)))

    assert sorted(marked) == [False] * 5 + [True]


async def test_marking_a_contact_that_is_gone_is_false(contacts: ContactRepository) -> None:
    assert await contacts.mark_noticed(999_999, "ar") is False


async def test_marking_refuses_what_is_not_a_language_code(contacts: ContactRepository) -> None:
    contact = await contacts.get_or_create(42, now=NOW)

    with pytest.raises(ValueError, match="language"):
        await contacts.mark_noticed(contact.id, "x" * 17)


async def test_upgrading_from_0008_keeps_contacts_with_no_notice_seen(
    empty_database_url: str, raw_engine: AsyncEngine
) -> None:
    await migrate.upgrade(empty_database_url, "0008")
    # Only the columns 0008 has: an INSERT names just the values it is given.
    row = {"chat_id": 42, "language": "ar", "created_at": NOW, "last_seen_at": NOW}
    async with raw_engine.begin() as connection:
        await connection.execute(insert(contact_table).values(**row))

    await migrate.upgrade(empty_database_url)

    contact = await ContactRepository(make_sessionmaker(raw_engine)).get_or_create(42, now=NOW)
    assert (contact.language, contact.notice_language) == ("ar", None)
    assert await schema_differences(empty_database_url) == []


async def test_downgrading_to_0008_drops_the_column_and_keeps_ids_retired(
    empty_database_url: str, raw_engine: AsyncEngine
) -> None:
    await migrate.upgrade(empty_database_url)
    contacts = ContactRepository(make_sessionmaker(raw_engine))
    kept, deleted = [(await contacts.get_or_create(chat, now=NOW)).id for chat in (1, 2)]
    await contacts.mark_noticed(kept, "ar")
    async with raw_engine.begin() as connection:
        await connection.execute(delete(contact_table).where(contact_table.c.id == deleted))

    await migrate.downgrade(empty_database_url, "0008")

    assert await migrate.current(empty_database_url) == "0008"
    assert "notice_language" not in await contact_columns(raw_engine)
    await migrate.upgrade(empty_database_url)
    assert await schema_differences(empty_database_url) == []
    again = await contacts.get_or_create(1, now=NOW)
    assert (again.id, again.notice_language) == (kept, None)
    assert (await contacts.get_or_create(3, now=NOW)).id > deleted
