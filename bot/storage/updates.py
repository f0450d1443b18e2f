"""Which Telegram updates were already handled, so each is handled once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.columns import require_aware
from bot.storage.database import delete_in_batches, statement_connection
from bot.storage.statements import insert_ignoring_conflicts
from bot.storage.tables import processed_update_table

_c = processed_update_table.c


class UpdateLedger:
    """Claims Telegram updates by (bot id, update id), across every process on the database.

    Telegram delivers an update again when the webhook answer was late or the bot
    stopped before confirming it. Claiming it first means a second delivery is dropped
    even when another process (or a restarted one) receives it. A claimed update whose
    handling then fails is not retried: a person in distress should not get the same
    replies twice.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def first_time(self, bot_id: int, update_id: int, now: datetime) -> bool:
        """Record the update as handled at `now`; True only for its first caller ever.

        One INSERT … ON CONFLICT DO NOTHING, so callers racing on one update get exactly
        one True between them, whichever process they are in.
        """
        require_aware("now", now)
        async with statement_connection(self._sessionmaker) as connection:
            statement = insert_ignoring_conflicts(
                connection.dialect.name, processed_update_table, ("bot_id", "update_id")
            )
            values = {"bot_id": bot_id, "update_id": update_id, "processed_at": now}
            result = await connection.execute(statement, values)
        return result.rowcount == 1

    async def release(self, bot_id: int, update_id: int) -> None:
        """Forget a claimed update whose handling failed, so a redelivery is handled."""
        async with statement_connection(self._sessionmaker) as connection:
            await connection.execute(
                delete(processed_update_table).where(_c.bot_id == bot_id, _c.update_id == update_id)
            )

    async def purge(self, older_than: datetime) -> int:
        """Forget updates handled before `older_than`; return how many there were.

        Telegram keeps an unconfirmed update for at most 24 hours, so a day or more of
        history is enough to catch every redelivery.
        """
        require_aware("older_than", older_than)
        condition = _c.processed_at < older_than
        return await delete_in_batches(self._sessionmaker, processed_update_table, condition)
