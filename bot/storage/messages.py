"""The ids of the messages in each private chat, for a quick exit to delete them."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.columns import require_aware
from bot.storage.database import delete_in_batches, statement_connection
from bot.storage.errors import ContactNotFoundError
from bot.storage.statements import insert_ignoring_conflicts
from bot.storage.tables import chat_message_table

_c = chat_message_table.c


@dataclass
class _Batch:
    """Rows of several `record_rows` calls, written in one statement."""

    callers: list[tuple[int, list[dict[str, Any]], asyncio.Future[None]]] = field(
        default_factory=list
    )


def _settle(done: asyncio.Future[None], error: BaseException | None = None) -> None:
    if done.done():  # the caller was cancelled: nobody is waiting
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)


class MessageLog:
    """Message ids (never text) of both sides of each contact's private chat.

    Telegram lets a bot delete its own and the person's messages in a private chat for
    48 hours after they were sent; a quick exit asks for the `recent` ids, deletes those
    messages, then `forget`s them. `purge` drops ids too old to delete, which are of no
    further use. Every method is a single statement.

    Recording is a group commit: every turn of a busy bot records its ids, and the turns
    that do so in the same pass of the event loop share one statement (one commit, one
    round trip). Each caller still returns only once its own ids are stored.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._gathering: _Batch | None = None  # the batch the next caller joins
        self._writing: set[asyncio.Task[None]] = set()  # held until done

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
        batch = self._gathering
        if batch is None:
            batch = self._gathering = _Batch()
            # Written once the turns ready in this pass of the loop have joined it.
            asyncio.get_running_loop().call_soon(self._write_soon, batch)
        done = asyncio.get_running_loop().create_future()
        batch.callers.append((contact_id, rows, done))
        await done

    def _write_soon(self, batch: _Batch) -> None:
        self._gathering = None
        task = asyncio.create_task(self._write(batch))
        self._writing.add(task)
        task.add_done_callback(self._writing.discard)

    async def _write(self, batch: _Batch) -> None:
        try:
            await self._insert([row for _, rows, _ in batch.callers for row in rows])
        except IntegrityError:
            # A contact forgotten meanwhile fails the whole statement: write each
            # caller's rows on their own, so that only theirs fail.
            for contact_id, rows, done in batch.callers:
                try:
                    await self._insert(rows)
                except IntegrityError as error:
                    missing = ContactNotFoundError(contact_id)
                    missing.__cause__ = error
                    _settle(done, missing)
                except Exception as error:
                    _settle(done, error)
                else:
                    _settle(done)
        except Exception as error:
            for _, _, done in batch.callers:
                _settle(done, error)
        else:
            for _, _, done in batch.callers:
                _settle(done)

    async def _insert(self, rows: list[dict[str, Any]]) -> None:
        async with statement_connection(self._sessionmaker) as connection:
            statement = insert_ignoring_conflicts(
                connection.dialect.name, chat_message_table, ("contact_id", "message_id")
            )
            # Conflicts on the key are absorbed by the statement, so only the foreign
            # key to the contact is left to fail (IntegrityError).
            await connection.execute(statement, rows)

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
