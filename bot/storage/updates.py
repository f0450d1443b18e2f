"""Which Telegram updates were already handled, so each is handled once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, literal, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.columns import require_aware
from bot.storage.contacts import BY_CHAT, ContactRecord, contact_from_row
from bot.storage.database import (
    StatementConnection,
    delete_in_batches,
    statement_connection,
)
from bot.storage.statements import insert_ignoring_conflicts
from bot.storage.tables import contact_table, processed_update_table

_c = processed_update_table.c


def _claim_and_find() -> Select[Any]:
    """PostgreSQL: the claim and the contact lookup in one statement (one round trip).

    WITH claimed AS (INSERT … ON CONFLICT DO NOTHING RETURNING update_id)
    SELECT (SELECT count(*) FROM claimed) AS fresh, contact.*
    FROM (SELECT 1) AS one LEFT OUTER JOIN contact ON contact.chat_id = :chat
    A data-modifying WITH runs exactly once whatever the query reads of it.
    """
    claimed = (
        postgresql.insert(processed_update_table)
        .values(
            bot_id=bindparam("b_bot_id"),
            update_id=bindparam("b_update_id"),
            processed_at=bindparam("b_now", type_=_c.processed_at.type),
        )
        .on_conflict_do_nothing(index_elements=["bot_id", "update_id"])
        .returning(_c.update_id)
        .cte("claimed")
    )
    fresh = select(func.count()).select_from(claimed).scalar_subquery().label("fresh")
    one = select(literal(1).label("one")).subquery("one")
    chat = contact_table.c.chat_id == bindparam("b_chat_id")
    return select(fresh, *contact_table.c).select_from(one.outerjoin(contact_table, chat))


_CLAIM_AND_FIND = _claim_and_find()


@dataclass(frozen=True, slots=True)
class Claim:
    """An update claimed (or not), and the contact of its chat as stored, if any."""

    first_time: bool
    contact: ContactRecord | None


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
            return await _insert_claim(connection, bot_id, update_id, now)

    async def claim(self, bot_id: int, update_id: int, chat_id: int, now: datetime) -> Claim:
        """`first_time`, and the chat's contact read at the same time: the two things
        every update from a person starts with, in one transaction on SQLite and one
        statement on PostgreSQL. The contact is read whether or not the claim succeeds."""
        require_aware("now", now)
        async with statement_connection(self._sessionmaker) as connection:
            if connection.dialect.name == "postgresql":
                parameters = {
                    "b_bot_id": bot_id,
                    "b_update_id": update_id,
                    "b_now": now,
                    "b_chat_id": chat_id,
                }
                row = (await connection.execute(_CLAIM_AND_FIND, parameters)).one()
                contact = None if row.id is None else contact_from_row(row)
                return Claim(row.fresh == 1, contact)
            inserted = await _insert_claim(connection, bot_id, update_id, now)
            found = (await connection.execute(BY_CHAT, {"b_chat_id": chat_id})).first()
        return Claim(inserted, None if found is None else contact_from_row(found))

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


async def _insert_claim(
    connection: StatementConnection, bot_id: int, update_id: int, now: datetime
) -> bool:
    """INSERT … ON CONFLICT DO NOTHING of the update: True if this call inserted it."""
    statement = insert_ignoring_conflicts(
        connection.dialect.name, processed_update_table, ("bot_id", "update_id")
    )
    values = {"bot_id": bot_id, "update_id": update_id, "processed_at": now}
    return (await connection.execute(statement, values)).rowcount == 1
