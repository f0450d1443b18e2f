"""The ids of the messages in each private chat, for a quick exit to delete them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.columns import require_aware
from bot.storage.database import delete_in_batches, statement_connection
from bot.storage.errors import ContactNotFoundError
from bot.storage.statements import insert_ignoring_conflicts
from bot.storage.tables import chat_message_table

_c = chat_message_table.c


class MessageLog:
    """Message ids (never text) of both sides of each contact's private chat.

    Telegram lets a bot delete its own and the person's messages in a private chat for
    48 hours after they were sent; a quick exit asks for the `recent` ids, deletes those
    messages, then `forget`s them. `purge` drops ids too old to delete, which are of no
    further use. Every method is a single statement.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def record(
        self, contact_id: int, message_ids: Sequence[int], *, now: datetime, from_bot: bool
    ) -> None:
        """Remember that these messages were sent at `now`, by the bot or by the person.

        Ids already recorded for the contact are left as they are, so recording again
        (a retried update, say) is harmless. Raises ContactNotFoundError when the
        contact does not exist.
        """
        await self.record_rows(contact_id, [(id_, from_bot) for id_ in message_ids], now=now)

    async def record_rows(
        self, contact_id: int, messages: Sequence[tuple[int, bool]], *, now: datetime
    ) -> None:
        """`record` for (message id, from bot) pairs: a whole turn in one statement."""
        require_aware("now", now)
        if not messages:
            return
        rows = [
            {"contact_id": contact_id, "message_id": id_, "sent_at": now, "from_bot": from_bot}
            for id_, from_bot in dict(messages).items()
        ]
        async with statement_connection(self._sessionmaker) as connection:
            statement = insert_ignoring_conflicts(
                connection.dialect.name, chat_message_table, ("contact_id", "message_id")
            )
            try:
                await connection.execute(statement, rows)
            except IntegrityError as error:
                # Conflicts on the key are absorbed by the statement, so only the
                # foreign key to the contact is left to fail.
                raise ContactNotFoundError(contact_id) from error

    async def recent(self, contact_id: int, since: datetime) -> list[int]:
        """Ids of the contact's messages sent at or after `since`, oldest first."""
        require_aware("since", since)
        query = (
            select(_c.message_id)
            .where(_c.contact_id == contact_id, _c.sent_at >= since)
            .order_by(_c.message_id)
        )
        async with statement_connection(self._sessionmaker) as connection:
            return list((await connection.execute(query)).scalars())

    async def forget(self, contact_id: int, message_ids: Sequence[int] | None = None) -> None:
        """Forget these ids of the contact's messages, or all of them when None.

        An empty sequence forgets nothing; ids never recorded are ignored.
        """
        condition = _c.contact_id == contact_id
        if message_ids is not None:
            if not message_ids:
                return
            condition &= _c.message_id.in_(message_ids)
        async with statement_connection(self._sessionmaker) as connection:
            await connection.execute(delete(chat_message_table).where(condition))

    async def purge(self, older_than: datetime) -> int:
        """Forget every message sent before `older_than`; return how many there were."""
        require_aware("older_than", older_than)
        condition = _c.sent_at < older_than
        return await delete_in_batches(self._sessionmaker, chat_message_table, condition)
