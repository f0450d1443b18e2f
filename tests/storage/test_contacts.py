"""Contacts: found or created by chat id, safely under concurrency, on every database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.storage import ContactNotFoundError, ContactRecord, ContactRepository
from bot.storage.tables import contact_table

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)
GROUP_CHAT = -1_001_234_567_890  # supergroup ids do not fit in 32 bits


@pytest.fixture
def contacts(sessionmaker: async_sessionmaker[AsyncSession]) -> ContactRepository:
    return ContactRepository(sessionmaker)


async def count_contacts(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(contact_table))).one()[0]


async def test_first_contact_is_created_with_its_language(contacts: ContactRepository) -> None:
    contact = await contacts.get_or_create(42, now=NOW, language="ar")

    assert contact == ContactRecord(
        id=contact.id, chat_id=42, language="ar", created_at=NOW, last_seen_at=NOW
    )
    assert contact.created_at.tzinfo is not None


async def test_get_or_create_returns_the_same_contact_unchanged(
    contacts: ContactRepository, engine: AsyncEngine
) -> None:
    first = await contacts.get_or_create(42, now=NOW, language="ar")

    again = await contacts.get_or_create(42, now=LATER, language="en")

    assert again == first
    assert await count_contacts(engine) == 1


async def test_concurrent_first_contacts_share_one_row(
    contacts: ContactRepository, engine: AsyncEngine
) -> None:
    results = await asyncio.gather(*(contacts.get_or_create(7, now=NOW) for _ in range(10)))

    assert len({contact.id for contact in results}) == 1
    assert await count_contacts(engine) == 1


async def test_different_chats_are_different_contacts(contacts: ContactRepository) -> None:
    results = await asyncio.gather(
        *(contacts.get_or_create(chat_id, now=NOW) for chat_id in (1, 2, 3, GROUP_CHAT))
    )

    assert len({contact.id for contact in results}) == 4
    assert results[-1].chat_id == GROUP_CHAT


async def test_get_by_internal_id(contacts: ContactRepository) -> None:
    created = await contacts.get_or_create(42, now=NOW)

    assert await contacts.get(created.id) == created
    assert await contacts.get(created.id + 1000) is None


async def test_set_language_changes_and_forgets_it(contacts: ContactRepository) -> None:
    contact = await contacts.get_or_create(42, now=NOW)

    await contacts.set_language(contact.id, "ar")
    chosen = await contacts.get(contact.id)
    await contacts.set_language(contact.id, None)
    forgotten = await contacts.get(contact.id)

    assert chosen is not None
    assert chosen.language == "ar"
    assert forgotten is not None
    assert forgotten.language is None


@pytest.mark.parametrize("language", ["", "x" * 17])
async def test_set_language_refuses_what_is_not_a_language_code(
    contacts: ContactRepository, language: str
) -> None:
    contact = await contacts.get_or_create(42, now=NOW)

    with pytest.raises(ValueError, match="language must be 1 to 16 characters"):
        await contacts.set_language(contact.id, language)


async def test_touch_moves_last_seen_only(contacts: ContactRepository) -> None:
    contact = await contacts.get_or_create(42, now=NOW, language="en")

    await contacts.touch(contact.id, LATER)

    assert await contacts.get(contact.id) == ContactRecord(
        id=contact.id, chat_id=42, language="en", created_at=NOW, last_seen_at=LATER
    )


async def test_updating_a_missing_contact_says_so(contacts: ContactRepository) -> None:
    with pytest.raises(ContactNotFoundError):
        await contacts.touch(12345, NOW)
    with pytest.raises(ContactNotFoundError):
        await contacts.set_language(12345, "en")


async def test_naive_times_are_refused(contacts: ContactRepository) -> None:
    naive = datetime(2025, 3, 1, 12, 0)  # noqa: DTZ001 -- the point of the test

    with pytest.raises(ValueError, match="now must be timezone-aware"):
        await contacts.get_or_create(42, now=naive)


async def test_get_by_chat_finds_without_creating(
    contacts: ContactRepository, engine: AsyncEngine
) -> None:
    assert await contacts.get_by_chat(42) is None
    assert await count_contacts(engine) == 0

    created = await contacts.get_or_create(42, now=NOW)

    assert await contacts.get_by_chat(42) == created
    assert await contacts.get_by_chat(43) is None


async def test_a_new_contact_is_reachable(contacts: ContactRepository) -> None:
    contact = await contacts.get_or_create(42, now=NOW)

    assert contact.unreachable_since is None


async def test_mark_unreachable_records_when(contacts: ContactRepository) -> None:
    contact = await contacts.get_or_create(42, now=NOW, language="en")

    await contacts.mark_unreachable(contact.id, LATER)

    assert await contacts.get(contact.id) == ContactRecord(
        id=contact.id,
        chat_id=42,
        language="en",
        created_at=NOW,
        last_seen_at=NOW,
        unreachable_since=LATER,
    )


async def test_marking_again_keeps_the_first_refusal(contacts: ContactRepository) -> None:
    contact = await contacts.get_or_create(42, now=NOW)

    await contacts.mark_unreachable(contact.id, NOW)
    await contacts.mark_unreachable(contact.id, LATER)

    found = await contacts.get(contact.id)
    assert found is not None
    assert found.unreachable_since == NOW


async def test_unreachable_since_is_stored_as_an_instant(contacts: ContactRepository) -> None:
    contact = await contacts.get_or_create(42, now=NOW)
    paris = timezone(timedelta(hours=1))

    await contacts.mark_unreachable(contact.id, datetime(2025, 3, 1, 13, 0, tzinfo=paris))

    found = await contacts.get_by_chat(42)
    assert found is not None
    assert found.unreachable_since == NOW
    assert found.unreachable_since.utcoffset() == timedelta(0)


async def test_writing_again_through_get_or_create_makes_them_reachable(
    contacts: ContactRepository,
) -> None:
    contact = await contacts.get_or_create(42, now=NOW, language="ar")
    await contacts.mark_unreachable(contact.id, NOW)

    again = await contacts.get_or_create(42, now=LATER)

    assert again == contact
    assert again.unreachable_since is None
    assert await contacts.get(contact.id) == contact


async def test_concurrent_returns_of_an_unreachable_contact_all_clear_it(
    contacts: ContactRepository, engine: AsyncEngine
) -> None:
    contact = await contacts.get_or_create(7, now=NOW)
    await contacts.mark_unreachable(contact.id, NOW)

    results = await asyncio.gather(*(contacts.get_or_create(7, now=LATER) for _ in range(10)))

    assert set(results) == {contact}
    assert await contacts.get(contact.id) == contact
    assert await count_contacts(engine) == 1


async def test_touch_makes_them_reachable(contacts: ContactRepository) -> None:
    contact = await contacts.get_or_create(42, now=NOW)
    await contacts.mark_unreachable(contact.id, NOW)

    await contacts.touch(contact.id, LATER)

    found = await contacts.get(contact.id)
    assert found is not None
    assert (found.last_seen_at, found.unreachable_since) == (LATER, None)


async def test_changing_language_leaves_them_unreachable(contacts: ContactRepository) -> None:
    contact = await contacts.get_or_create(42, now=NOW)
    await contacts.mark_unreachable(contact.id, NOW)

    await contacts.set_language(contact.id, "en")

    found = await contacts.get(contact.id)
    assert found is not None
    assert found.unreachable_since == NOW


async def test_marking_a_missing_contact_says_so(contacts: ContactRepository) -> None:
    with pytest.raises(ContactNotFoundError):
        await contacts.mark_unreachable(12345, NOW)


async def test_marking_with_a_naive_time_is_refused(contacts: ContactRepository) -> None:
    contact = await contacts.get_or_create(42, now=NOW)
    naive = datetime(2025, 3, 1, 12, 0)  # noqa: DTZ001 -- the point of the test

    with pytest.raises(ValueError, match="now must be timezone-aware"):
        await contacts.mark_unreachable(contact.id, naive)
