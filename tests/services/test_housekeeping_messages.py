"""Message ids are kept for Telegram's 48-hour delete window, then forgotten by housekeeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.clock import FixedClock
from bot.services.housekeeping import MESSAGE_IDS_KEPT, tidy_once
from bot.storage import ContactRepository, MessageLog, SqlSessionStore, UpdateLedger

NOW = datetime(2026, 11, 21, 14, 0, tzinfo=UTC)


async def test_message_ids_are_purged_48_hours_after_they_were_sent(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    assert timedelta(hours=48) == MESSAGE_IDS_KEPT
    contact = await ContactRepository(sessionmaker).get_or_create(5150, now=NOW)
    messages = MessageLog(sessionmaker)
    await messages.record(contact.id, [1, 2], now=NOW, from_bot=False)
    await messages.record(contact.id, [3], now=NOW + timedelta(hours=1), from_bot=True)
    clock = FixedClock(NOW + timedelta(hours=48, seconds=1))
    parts = (SqlSessionStore(sessionmaker), UpdateLedger(sessionmaker), messages)

    tidied = await tidy_once(clock, *parts)

    assert tidied.message_ids == 2
    assert await messages.recent(contact.id, NOW - timedelta(days=30)) == [3]
    clock.advance(timedelta(hours=1))
    assert (await tidy_once(clock, *parts)).message_ids == 1
    assert await messages.recent(contact.id, NOW - timedelta(days=30)) == []
