"""The message log: ids of both sides of a private chat, kept for a quick exit to delete."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.storage import ContactNotFoundError, ContactRepository, MessageLog, sqlite
from bot.storage.tables import chat_message_table, contact_table

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(hours=1)
DAY_AGO = NOW - timedelta(hours=24)

_c = chat_message_table.c


@pytest.fixture
def log(sessionmaker: async_sessionmaker[AsyncSession]) -> MessageLog:
    return MessageLog(sessionmaker)


@pytest.fixture
async def contact_id(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    return await new_contact(sessionmaker, chat_id=1001)


async def new_contact(sessionmaker: async_sessionmaker[AsyncSession], chat_id: int) -> int:
    return (await ContactRepository(sessionmaker).get_or_create(chat_id, now=NOW)).id


async def rows(engine: AsyncEngine) -> list[tuple[int, int, datetime, bool]]:
    query = select(_c.contact_id, _c.message_id, _c.sent_at, _c.from_bot).order_by(
        _c.contact_id, _c.message_id
    )
    async with engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(query)]


def test_only_ids_times_and_sides_are_stored() -> None:
    assert set(_c.keys()) == {"contact_id", "message_id", "sent_at", "from_bot"}


async def test_both_sides_are_recorded(
    log: MessageLog, contact_id: int, engine: AsyncEngine
) -> None:
    await log.record(contact_id, [10], now=EARLIER, from_bot=False)
    await log.record(contact_id, [11, 12], now=NOW, from_bot=True)

    assert await rows(engine) == [
        (contact_id, 10, EARLIER, False),
        (contact_id, 11, NOW, True),
        (contact_id, 12, NOW, True),
    ]


async def test_recent_gives_ids_in_ascending_order(log: MessageLog, contact_id: int) -> None:
    await log.record(contact_id, [30, 10], now=NOW, from_bot=True)
    await log.record(contact_id, [20], now=NOW, from_bot=False)

    assert await log.recent(contact_id, DAY_AGO) == [10, 20, 30]


async def test_recent_includes_messages_sent_exactly_at_since(
    log: MessageLog, contact_id: int
) -> None:
    await log.record(contact_id, [1], now=DAY_AGO - timedelta(seconds=1), from_bot=False)
    await log.record(contact_id, [2], now=DAY_AGO, from_bot=False)
    await log.record(contact_id, [3], now=NOW, from_bot=True)

    assert await log.recent(contact_id, DAY_AGO) == [2, 3]


async def test_recent_is_only_that_contacts_messages(
    log: MessageLog, contact_id: int, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    other = await new_contact(sessionmaker, chat_id=2002)
    await log.record(contact_id, [5, 6], now=NOW, from_bot=False)
    await log.record(other, [5, 7], now=NOW, from_bot=True)

    assert await log.recent(contact_id, DAY_AGO) == [5, 6]
    assert await log.recent(other, DAY_AGO) == [5, 7]
    assert await log.recent(other + 1000, DAY_AGO) == []


async def test_recording_an_id_again_keeps_the_first_record(
    log: MessageLog, contact_id: int, engine: AsyncEngine
) -> None:
    await log.record(contact_id, [1, 2], now=EARLIER, from_bot=False)

    await log.record(contact_id, [2, 3, 3], now=NOW, from_bot=True)

    assert await rows(engine) == [
        (contact_id, 1, EARLIER, False),
        (contact_id, 2, EARLIER, False),
        (contact_id, 3, NOW, True),
    ]


async def test_concurrent_records_of_overlapping_ids_all_succeed(
    log: MessageLog, contact_id: int
) -> None:
    await asyncio.gather(
        *(log.record(contact_id, [n, n + 1, n + 2], now=NOW, from_bot=True) for n in range(10))
    )

    assert await log.recent(contact_id, DAY_AGO) == list(range(12))


async def test_recording_nothing_does_nothing(log: MessageLog, engine: AsyncEngine) -> None:
    await log.record(12345, [], now=NOW, from_bot=True)

    assert await rows(engine) == []


async def test_recording_for_a_missing_contact_says_so(log: MessageLog) -> None:
    with pytest.raises(ContactNotFoundError):
        await log.record(12345, [1], now=NOW, from_bot=False)


async def test_forget_some_ids(log: MessageLog, contact_id: int) -> None:
    await log.record(contact_id, [1, 2, 3, 4], now=NOW, from_bot=False)

    await log.forget(contact_id, [2, 4, 99])

    assert await log.recent(contact_id, DAY_AGO) == [1, 3]


async def test_forget_an_empty_list_forgets_nothing(log: MessageLog, contact_id: int) -> None:
    await log.record(contact_id, [1, 2], now=NOW, from_bot=False)

    await log.forget(contact_id, [])

    assert await log.recent(contact_id, DAY_AGO) == [1, 2]


async def test_forget_all_of_one_contact(
    log: MessageLog, contact_id: int, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    other = await new_contact(sessionmaker, chat_id=2002)
    await log.record(contact_id, [1, 2], now=NOW, from_bot=False)
    await log.record(other, [1, 3], now=NOW, from_bot=False)

    await log.forget(contact_id)
    await log.forget(contact_id)

    assert await log.recent(contact_id, DAY_AGO) == []
    assert await log.recent(other, DAY_AGO) == [1, 3]


async def test_deleting_a_contact_deletes_their_message_ids(
    log: MessageLog, contact_id: int, engine: AsyncEngine
) -> None:
    await log.record(contact_id, [1, 2], now=NOW, from_bot=False)

    async with engine.begin() as connection:
        await connection.execute(delete(contact_table).where(contact_table.c.id == contact_id))

    assert await rows(engine) == []


async def test_purge_forgets_only_messages_sent_before_the_cutoff(
    log: MessageLog, contact_id: int, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    other = await new_contact(sessionmaker, chat_id=2002)
    cutoff = NOW - timedelta(hours=48)
    await log.record(contact_id, [1], now=cutoff - timedelta(seconds=1), from_bot=False)
    await log.record(contact_id, [2], now=cutoff, from_bot=True)
    await log.record(contact_id, [3], now=NOW, from_bot=False)
    await log.record(other, [1, 2], now=cutoff - timedelta(days=5), from_bot=True)

    assert await log.purge(cutoff) == 3
    assert await log.purge(cutoff) == 0

    assert await log.recent(contact_id, cutoff - timedelta(days=30)) == [2, 3]
    assert await log.recent(other, cutoff - timedelta(days=30)) == []


async def test_naive_times_are_refused(log: MessageLog, contact_id: int) -> None:
    naive = datetime(2025, 3, 1, 12, 0)  # noqa: DTZ001 -- the point of the test

    with pytest.raises(ValueError, match="now must be timezone-aware"):
        await log.record(contact_id, [1], now=naive, from_bot=False)
    with pytest.raises(ValueError, match="since must be timezone-aware"):
        await log.recent(contact_id, naive)
    with pytest.raises(ValueError, match="older_than must be timezone-aware"):
        await log.purge(naive)


async def test_a_whole_turn_is_recorded_in_one_call(
    log: MessageLog, contact_id: int, engine: AsyncEngine
) -> None:
    await log.record_rows(contact_id, [(20, False), (21, True), (22, True), (21, True)], now=NOW)
    await log.record_rows(contact_id, [], now=NOW)

    assert await rows(engine) == [
        (contact_id, 20, NOW, False),
        (contact_id, 21, NOW, True),
        (contact_id, 22, NOW, True),
    ]


def _count_inserts(engine: AsyncEngine) -> list[int]:
    """How many rows each INSERT into the log carried, as the driver saw them."""
    inline = sqlite.inline_engine(engine)
    target = inline.engine if inline is not None else engine.sync_engine
    seen: list[int] = []

    def before(_conn: Any, _cursor: Any, sql: str, parameters: Any, _ctx: Any, many: bool) -> None:
        if sql.startswith("INSERT INTO chat_message"):
            seen.append(len(parameters) if many else 1)

    event.listen(target, "before_cursor_execute", before)
    return seen


async def test_turns_recording_together_share_one_statement(
    log: MessageLog, sessionmaker: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    people = [await new_contact(sessionmaker, chat_id=2000 + n) for n in range(5)]
    inserts = _count_inserts(engine)

    await asyncio.gather(
        *(log.record_rows(person, [(1, False), (2, True)], now=NOW) for person in people)
    )
    await log.record_rows(people[0], [(3, True)], now=NOW)  # alone: a statement of its own

    assert inserts == [10, 1]
    assert len(await rows(engine)) == 11


async def test_each_caller_returns_once_its_own_ids_are_stored(
    log: MessageLog, contact_id: int, engine: AsyncEngine
) -> None:
    await log.record_rows(contact_id, [(7, False)], now=NOW)

    assert await log.recent(contact_id, EARLIER) == [7]  # no waiting for a later write


async def test_a_contact_forgotten_meanwhile_fails_only_its_own_turn(
    log: MessageLog, sessionmaker: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    staying = await new_contact(sessionmaker, chat_id=3001)
    gone = await new_contact(sessionmaker, chat_id=3002)
    async with engine.begin() as connection:
        await connection.execute(delete(contact_table).where(contact_table.c.id == gone))

    results = await asyncio.gather(
        log.record_rows(staying, [(1, False)], now=NOW),
        log.record_rows(gone, [(2, False)], now=NOW),
        log.record_rows(staying, [(3, True)], now=NOW),
        return_exceptions=True,
    )

    assert results[0] is None
    assert results[2] is None
    assert isinstance(results[1], ContactNotFoundError)
    assert await rows(engine) == [(staying, 1, NOW, False), (staying, 3, NOW, True)]


async def test_a_cancelled_turn_leaves_the_others_in_its_batch_stored(
    log: MessageLog, sessionmaker: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    first = await new_contact(sessionmaker, chat_id=4001)
    second = await new_contact(sessionmaker, chat_id=4002)
    cancelled = asyncio.ensure_future(log.record_rows(first, [(1, False)], now=NOW))
    kept = asyncio.ensure_future(log.record_rows(second, [(2, False)], now=NOW))
    await asyncio.sleep(0)  # both have joined the batch
    cancelled.cancel()

    await kept
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    await asyncio.sleep(0.05)  # the batch's write finishes regardless
    assert {row[1] for row in await rows(engine)} == {1, 2}
