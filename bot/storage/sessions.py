"""Conversation sessions in SQL, saved with optimistic concurrency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine.session import Session
from bot.storage.columns import require_aware
from bot.storage.database import StatementConnection, delete_in_batches, statement_connection
from bot.storage.errors import ContactNotFoundError, StaleSession
from bot.storage.statements import insert_ignoring_conflicts
from bot.storage.tables import contact_table, session_table

_c = session_table.c
# Built once: these run on every update, and building a statement costs about as much as
# running it (bench/statements.py). Parameters are bound at execution.
_LOAD = select(_c.data, _c.version).where(_c.contact_id == bindparam("b_contact_id"))
_SAVE = (
    update(session_table)
    .where(_c.contact_id == bindparam("b_contact_id"), _c.version == bindparam("b_expected"))
    .values(version=_c.version + 1)
)


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A loaded session and the version to pass back as `expected_version` when saving."""

    session: Session
    version: int


class SqlSessionStore:
    """Loads and saves each contact's engine session; one row per contact.

    Every method is a single statement, so a load plus a save costs two round trips.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def load(self, contact_id: int) -> StoredSession | None:
        """The contact's session and its version, or None if there is none."""
        async with statement_connection(self._sessionmaker) as connection:
            row = (await connection.execute(_LOAD, {"b_contact_id": contact_id})).first()
        if row is None:
            return None
        return StoredSession(Session.from_dict(row.data), row.version)

    async def save(
        self,
        contact_id: int,
        session: Session,
        *,
        expected_version: int | None,
        now: datetime,
    ) -> int:
        """Store `session` if nobody saved since it was loaded; return the new version.

        `expected_version` is the version `load` returned, or None when `load` found
        nothing. Raises StaleSession when the stored row is not at that version (or, for
        None, exists already), and ContactNotFoundError when the contact does not exist.
        """
        require_aware("now", now)
        require_aware("session.expires_at", session.expires_at)
        values = _row_values(session, now)
        async with statement_connection(self._sessionmaker) as connection:
            try:
                if expected_version is None:
                    first = {"contact_id": contact_id, "version": 1, **values}
                    statement = insert_ignoring_conflicts(
                        connection.dialect.name, session_table, "contact_id"
                    )
                    result = await connection.execute(statement, first)
                else:
                    known = {"b_contact_id": contact_id, "b_expected": expected_version}
                    result = await connection.execute(_SAVE, {**known, **values})
            except IntegrityError as error:
                # The conflict on contact_id is absorbed by the statement itself, so the
                # only constraint left to fail is the foreign key to the contact.
                raise ContactNotFoundError(contact_id) from error
            if result.rowcount != 1 and not await _contact_exists(connection, contact_id):
                # Forgotten during the turn (/forget_me): the turn must not run again.
                raise ContactNotFoundError(contact_id)
        if result.rowcount != 1:
            raise StaleSession(contact_id, expected_version)
        return 1 if expected_version is None else expected_version + 1

    async def delete(self, contact_id: int) -> None:
        """Forget the contact's session (nothing happens if there is none)."""
        async with statement_connection(self._sessionmaker) as connection:
            await connection.execute(delete(session_table).where(_c.contact_id == contact_id))

    async def forget_expired_answers(self, now: datetime) -> int:
        """Strip the answers from sessions that expired before `now`, keeping where each
        person was; return how many. A stripped row is saved after it expired, which is
        how it is told apart (`updated_at` > `expires_at`) and not stripped again."""
        require_aware("now", now)
        query = select(_c.contact_id, _c.data, _c.version).where(
            _c.expires_at < now, _c.updated_at <= _c.expires_at
        )
        async with statement_connection(self._sessionmaker) as connection:
            expired = (await connection.execute(query)).all()
        stripped = 0
        for row in expired:
            quiet = Session.from_dict(row.data).without_answers()
            try:
                await self.save(row.contact_id, quiet, expected_version=row.version, now=now)
            except (StaleSession, ContactNotFoundError):
                continue  # they came back (or left for good) meanwhile
            stripped += 1
        return stripped

    async def purge_expired(self, now: datetime) -> int:
        """Delete the sessions that expired before `now`; return how many there were."""
        require_aware("now", now)
        return await delete_in_batches(self._sessionmaker, session_table, _c.expires_at < now)


async def _contact_exists(connection: StatementConnection, contact_id: int) -> bool:
    query = select(exists().where(contact_table.c.id == contact_id))
    return bool((await connection.execute(query)).scalar())


def _row_values(session: Session, now: datetime) -> dict[str, Any]:
    return {
        "flow": session.flow,
        "step": session.step,
        "data": session.to_dict(),
        "updated_at": now,
        "expires_at": session.expires_at,
    }
