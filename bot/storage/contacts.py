"""The people who write to the bot, as the minimum needed to answer them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, bindparam, delete, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.columns import UtcDateTime, require_aware
from bot.storage.database import StatementConnection, statement_connection
from bot.storage.errors import ContactNotFoundError
from bot.storage.statements import insert_ignoring_conflicts
from bot.storage.tables import LANGUAGE_MAX_LENGTH, contact_table

_c = contact_table.c
# Built once: looked up on every update (bench/statements.py: building costs ~0.2 ms).
BY_CHAT = select(contact_table).where(_c.chat_id == bindparam("b_chat_id"))


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """A contact as stored: plain data, detached from any database session."""

    id: int
    chat_id: int
    language: str | None
    created_at: datetime
    last_seen_at: datetime
    unreachable_since: datetime | None = None
    """Since when Telegram has refused messages to them (403); None while reachable."""
    notice_language: str | None = None
    """The language whose machine-translation notice they were last shown, if any."""


class ContactRepository:
    """Finds and updates contacts by Telegram chat id or by internal id."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def get_or_create(
        self, chat_id: int, *, now: datetime, language: str | None = None
    ) -> ContactRecord:
        """The contact for `chat_id`, created (with `language`) on first contact.

        Someone who writes is reachable again, so a known contact marked unreachable is
        returned with the mark cleared. Safe under concurrency: callers racing on a new
        chat all get the same row.
        """
        require_aware("now", now)
        _check_language(language)
        async with statement_connection(self._sessionmaker) as connection:
            # Look first: nearly every call is for a known chat, so this is one round trip
            # and, on PostgreSQL, does not burn a sequence value on a failed insert. Only
            # a contact marked unreachable costs a second one, to clear the mark.
            found = await _by_chat_id(connection, chat_id)
            if found is not None and found.unreachable_since is None:
                return found
            if found is not None:
                reachable = await _clear_unreachable(connection, found.id)
                if reachable is not None:
                    return reachable
                # The contact was deleted meanwhile (a quick exit): they start afresh.
            values = {
                "chat_id": chat_id,
                "language": language,
                "created_at": now,
                "last_seen_at": now,
            }
            insert = insert_ignoring_conflicts(connection.dialect.name, contact_table, "chat_id")
            row = (await connection.execute(insert.returning(*contact_table.c), values)).first()
            if row is not None:
                return contact_from_row(row)
            # Another caller inserted the chat between our SELECT and INSERT.
            created = await _by_chat_id(connection, chat_id)
        if created is None:
            raise RuntimeError(f"contact for chat {chat_id} vanished while being created")
        return created

    async def get_by_chat(self, chat_id: int) -> ContactRecord | None:
        """The contact for Telegram chat `chat_id`, or None; never creates one."""
        async with statement_connection(self._sessionmaker) as connection:
            return await _by_chat_id(connection, chat_id)

    async def get(self, contact_id: int) -> ContactRecord | None:
        """The contact with internal id `contact_id`, or None."""
        async with statement_connection(self._sessionmaker) as connection:
            row = (
                await connection.execute(select(contact_table).where(_c.id == contact_id))
            ).first()
        return None if row is None else contact_from_row(row)

    async def set_language(self, contact_id: int, language: str | None) -> None:
        """Remember the contact's chosen language (None forgets it)."""
        _check_language(language)
        await self._update(contact_id, language=language)

    async def mark_noticed(self, contact_id: int, language: str) -> bool:
        """Record that the contact was shown `language`'s machine-translation notice.

        True only for the call that changed it: of two processes handling the same
        person at once, one shows the notice. False too when the contact is gone.
        """
        _check_language(language)
        unseen = or_(_c.notice_language.is_(None), _c.notice_language != language)
        statement = (
            update(contact_table)
            .where(_c.id == contact_id, unseen)
            .values(notice_language=language)
        )
        async with statement_connection(self._sessionmaker) as connection:
            result = await connection.execute(statement)
        return result.rowcount > 0

    async def touch(self, contact_id: int, now: datetime) -> None:
        """Record that the contact was active at `now`, which also makes them reachable."""
        require_aware("now", now)
        await self._update(contact_id, last_seen_at=now, unreachable_since=None)

    async def mark_unreachable(self, contact_id: int, now: datetime) -> None:
        """Record that Telegram refused a message at `now` (403): send them nothing more.

        Telegram answers 403 when the person blocked the bot or deleted their account.
        A contact already unreachable keeps the earlier time. Writing again
        (`get_or_create` or `touch`) clears the mark.
        """
        require_aware("now", now)
        since = func.coalesce(_c.unreachable_since, literal(now, UtcDateTime()))
        await self._update(contact_id, unreachable_since=since)

    async def delete(self, contact_id: int) -> bool:
        """Forget the contact (/forget_me); False if there was none.

        Their session and message ids go with the row (ON DELETE CASCADE), and their
        reports lose the link to them (ON DELETE SET NULL). Writing again makes them new.
        """
        async with statement_connection(self._sessionmaker) as connection:
            result = await connection.execute(delete(contact_table).where(_c.id == contact_id))
        return result.rowcount > 0

    async def _update(self, contact_id: int, **values: object) -> None:
        async with statement_connection(self._sessionmaker) as connection:
            result = await connection.execute(
                update(contact_table).where(_c.id == contact_id).values(**values)
            )
        if result.rowcount == 0:
            raise ContactNotFoundError(contact_id)


async def _clear_unreachable(
    connection: StatementConnection, contact_id: int
) -> ContactRecord | None:
    statement = (
        update(contact_table)
        .where(_c.id == contact_id)
        .values(unreachable_since=None)
        .returning(*contact_table.c)
    )
    row = (await connection.execute(statement)).first()
    return None if row is None else contact_from_row(row)


async def _by_chat_id(connection: StatementConnection, chat_id: int) -> ContactRecord | None:
    row = (await connection.execute(BY_CHAT, {"b_chat_id": chat_id})).first()
    return None if row is None else contact_from_row(row)


def contact_from_row(row: Row[object]) -> ContactRecord:
    """A row of the contact table (from any statement that selects all its columns)."""
    mapping = row._mapping
    return ContactRecord(
        id=mapping["id"],
        chat_id=mapping["chat_id"],
        language=mapping["language"],
        created_at=mapping["created_at"],
        last_seen_at=mapping["last_seen_at"],
        unreachable_since=mapping["unreachable_since"],
        notice_language=mapping["notice_language"],
    )


def _check_language(language: str | None) -> None:
    # PostgreSQL would reject a longer value and SQLite would silently keep it; check
    # here so both behave the same.
    if language is not None and not 0 < len(language) <= LANGUAGE_MAX_LENGTH:
        raise ValueError(
            f"language must be 1 to {LANGUAGE_MAX_LENGTH} characters, got {language!r}"
        )
