"""Helpers for the broadcast tests: subscribers made straight in the database (people who
said yes to alerts earlier) and in the emulator (their chats with the bot are open)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.storage import ContactRepository, make_engine, make_sessionmaker
from bot.storage.subscriptions import SubscriptionRepository
from bot.storage.tables import delivery_table
from bot.testing import Emulator

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


async def add_subscribers(
    emulator: Emulator, database_url: str, people: Iterable[tuple[int, str | None, str]]
) -> None:
    """(chat id, language, area) for each: a contact subscribed to the area, whose chat
    with the bot is started."""
    bot = emulator.bot()
    engine = make_engine(database_url)
    try:
        sessionmaker = make_sessionmaker(engine)
        contacts, subscriptions = (
            ContactRepository(sessionmaker),
            SubscriptionRepository(sessionmaker),
        )
        for chat_id, language, area in people:
            person = emulator.world.person(chat_id, first_name="Subscriber", language_code=language)
            bot.private_chat(person).started = True
            contact = await contacts.get_or_create(chat_id, now=NOW, language=language)
            await subscriptions.add(contact.id, area, now=NOW)
    finally:
        await engine.dispose()


async def delivery_statuses(database_url: str, broadcast_id: int) -> dict[str, int]:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(delivery_table.c.status, func.count())
                .where(delivery_table.c.broadcast_id == broadcast_id)
                .group_by(delivery_table.c.status)
            )
            return {str(row[0]): int(row[1]) for row in rows}
    finally:
        await engine.dispose()


def alerts_in(emulator: Emulator, chat_id: int, fragment: str = "🔔") -> list[str]:
    """The texts the bot sent to `chat_id` that contain `fragment` (by default the bell
    every alert, correction and retraction starts with, in every language)."""
    chat = emulator.bot().chats.get(chat_id)
    if chat is None:
        return []
    return [m.content for m in chat.messages if m.from_bot and fragment in m.content]
