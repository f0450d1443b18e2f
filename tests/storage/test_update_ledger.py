"""The update ledger: each Telegram update is handled once, however often it arrives."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.storage import (
    ContactRepository,
    UpdateLedger,
    database,
    make_engine,
    make_sessionmaker,
)
from bot.storage.tables import processed_update_table
from bot.storage.updates import Claim

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
BOT = 7_123_456_789  # bot ids do not fit in 32 bits
OTHER_BOT = 6_000_000_001
CHAT, OTHER_CHAT = 5_550_001, 5_550_002


@pytest.fixture
def ledger(sessionmaker: async_sessionmaker[AsyncSession]) -> UpdateLedger:
    return UpdateLedger(sessionmaker)


async def stored(engine: AsyncEngine) -> set[tuple[int, int]]:
    c = processed_update_table.c
    async with engine.connect() as connection:
        rows = await connection.execute(select(c.bot_id, c.update_id))
        return {(row.bot_id, row.update_id) for row in rows}


async def test_an_update_is_new_only_the_first_time(ledger: UpdateLedger) -> None:
    assert await ledger.first_time(BOT, 100, NOW) is True
    assert await ledger.first_time(BOT, 100, NOW) is False
    assert await ledger.first_time(BOT, 100, NOW + timedelta(hours=1)) is False


async def test_updates_are_told_apart_by_bot_and_id(
    ledger: UpdateLedger, engine: AsyncEngine
) -> None:
    assert await ledger.first_time(BOT, 100, NOW) is True
    assert await ledger.first_time(BOT, 101, NOW) is True
    assert await ledger.first_time(OTHER_BOT, 100, NOW) is True

    assert await stored(engine) == {(BOT, 100), (BOT, 101), (OTHER_BOT, 100)}


async def test_of_ten_concurrent_deliveries_exactly_one_is_first(
    ledger: UpdateLedger, engine: AsyncEngine
) -> None:
    results = await asyncio.gather(*(ledger.first_time(BOT, 555, NOW) for _ in range(10)))

    assert sorted(results) == [False] * 9 + [True]
    assert await stored(engine) == {(BOT, 555)}


async def test_two_processes_racing_get_one_first_between_them(database_url: str) -> None:
    engines = [make_engine(database_url) for _ in range(2)]
    try:
        ledgers = [UpdateLedger(make_sessionmaker(engine)) for engine in engines]
        results = await asyncio.gather(*(ledgers[n % 2].first_time(BOT, 9, NOW) for n in range(10)))
    finally:
        for engine in engines:
            await engine.dispose()

    assert results.count(True) == 1


async def test_purge_forgets_only_updates_handled_before_the_cutoff(
    ledger: UpdateLedger, engine: AsyncEngine
) -> None:
    cutoff = NOW - timedelta(days=1)
    await ledger.first_time(BOT, 1, cutoff - timedelta(seconds=1))
    await ledger.first_time(BOT, 2, cutoff)
    await ledger.first_time(BOT, 3, NOW)
    await ledger.first_time(OTHER_BOT, 1, cutoff - timedelta(days=3))

    assert await ledger.purge(cutoff) == 2
    assert await ledger.purge(cutoff) == 0

    assert await stored(engine) == {(BOT, 2), (BOT, 3)}


async def test_purge_deletes_in_batches_and_misses_nothing(
    ledger: UpdateLedger, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "PURGE_BATCH", 3)
    old = NOW - timedelta(days=2)
    for update_id in range(10):
        await ledger.first_time(BOT if update_id % 2 else OTHER_BOT, update_id, old)
    await ledger.first_time(BOT, 99, NOW)

    assert await ledger.purge(NOW - timedelta(days=1)) == 10  # batches of 3, 3, 3 and 1

    assert await stored(engine) == {(BOT, 99)}


async def test_purge_compares_instants_not_wall_clocks(ledger: UpdateLedger) -> None:
    # 12:30 in UTC+01:00 is 11:30 UTC, so it is before an 11:45 UTC cutoff.
    paris = timezone(timedelta(hours=1))
    await ledger.first_time(BOT, 1, datetime(2025, 3, 1, 12, 30, tzinfo=paris))

    assert await ledger.purge(datetime(2025, 3, 1, 11, 45, tzinfo=UTC)) == 1


async def test_a_purged_update_counts_as_new_again(ledger: UpdateLedger) -> None:
    await ledger.first_time(BOT, 1, NOW)
    await ledger.purge(NOW + timedelta(seconds=1))

    assert await ledger.first_time(BOT, 1, NOW) is True


async def test_naive_times_are_refused(ledger: UpdateLedger) -> None:
    naive = datetime(2025, 3, 1, 12, 0)  # noqa: DTZ001 -- the point of the test

    with pytest.raises(ValueError, match="now must be timezone-aware"):
        await ledger.first_time(BOT, 1, naive)
    with pytest.raises(ValueError, match="older_than must be timezone-aware"):
        await ledger.purge(naive)


async def test_a_released_update_is_new_again(ledger: UpdateLedger) -> None:
    assert await ledger.first_time(1, 500, NOW)
    await ledger.release(1, 500)
    assert await ledger.first_time(1, 500, NOW), "a redelivery after a failure is handled"
    assert not await ledger.first_time(1, 500, NOW)
    await ledger.release(1, 501)  # nothing to release: no error


async def test_a_claim_reads_the_chats_contact_with_it(
    ledger: UpdateLedger, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    contact = await ContactRepository(sessionmaker).get_or_create(CHAT, now=NOW, language="ar")

    claim = await ledger.claim(BOT, 100, CHAT, NOW)

    assert claim == Claim(first_time=True, contact=contact)


async def test_a_claim_for_a_chat_never_seen_finds_no_contact(
    ledger: UpdateLedger, engine: AsyncEngine
) -> None:
    claim = await ledger.claim(BOT, 100, CHAT, NOW)

    assert claim == Claim(first_time=True, contact=None)
    assert await stored(engine) == {(BOT, 100)}


async def test_a_second_claim_of_an_update_is_refused_and_still_finds_the_contact(
    ledger: UpdateLedger, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    contacts = ContactRepository(sessionmaker)
    contact = await contacts.get_or_create(CHAT, now=NOW)
    await contacts.mark_unreachable(contact.id, NOW)

    assert (await ledger.claim(BOT, 100, CHAT, NOW)).first_time is True
    again = await ledger.claim(BOT, 100, CHAT, NOW + timedelta(seconds=5))

    assert again.first_time is False
    assert again.contact is not None
    assert again.contact.unreachable_since == NOW
    # A claim is the same record as `first_time`: one refuses the other.
    assert await ledger.first_time(BOT, 100, NOW) is False
    assert (await ledger.claim(BOT, 101, OTHER_CHAT, NOW)).contact is None


async def test_of_ten_concurrent_claims_in_two_processes_exactly_one_is_first(
    database_url: str,
) -> None:
    engines = [make_engine(database_url) for _ in range(2)]
    try:
        ledgers = [UpdateLedger(make_sessionmaker(engine)) for engine in engines]
        claims = await asyncio.gather(*(ledgers[n % 2].claim(BOT, 9, CHAT, NOW) for n in range(10)))
    finally:
        for engine in engines:
            await engine.dispose()

    assert [claim.first_time for claim in claims].count(True) == 1


async def test_a_claim_needs_an_aware_time(ledger: UpdateLedger) -> None:
    with pytest.raises(ValueError, match="now"):
        await ledger.claim(BOT, 1, CHAT, datetime(2025, 3, 1, 12, 0))  # noqa: DTZ001
