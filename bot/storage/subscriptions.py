"""Who wants alerts for which areas: the only thing stored about a subscription."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.columns import require_aware
from bot.storage.database import statement_connection
from bot.storage.statements import insert_ignoring_conflicts
from bot.storage.tables import AREA_ID_MAX_LENGTH, contact_table, subscription_table

_s = subscription_table.c


class SubscriptionRepository:
    """Adds, lists and ends a contact's alert subscriptions (area ids)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def areas(self, contact_id: int) -> list[str]:
        """The areas `contact_id` gets alerts for, in the order they chose them."""
        statement = (
            select(_s.area).where(_s.contact_id == contact_id).order_by(_s.created_at, _s.area)
        )
        async with statement_connection(self._sessionmaker) as connection:
            return [row.area for row in await connection.execute(statement)]

    async def add(self, contact_id: int, area: str, *, now: datetime) -> bool:
        """Subscribe `contact_id` to `area`; False if they already were."""
        require_aware("now", now)
        if not 0 < len(area) <= AREA_ID_MAX_LENGTH:
            raise ValueError(f"an area id is 1 to {AREA_ID_MAX_LENGTH} characters")
        async with statement_connection(self._sessionmaker) as connection:
            insert = insert_ignoring_conflicts(
                connection.dialect.name, subscription_table, ("contact_id", "area")
            )
            values = {"contact_id": contact_id, "area": area, "created_at": now}
            result = await connection.execute(insert, values)
        return result.rowcount > 0

    async def remove(self, contact_id: int, area: str) -> bool:
        """End `contact_id`'s subscription to `area`; False if there was none."""
        statement = delete(subscription_table).where(_s.contact_id == contact_id, _s.area == area)
        async with statement_connection(self._sessionmaker) as connection:
            return (await connection.execute(statement)).rowcount > 0

    async def remove_all(self, contact_id: int) -> int:
        """End every subscription of `contact_id` (/stop_alerts, or Telegram said 403)."""
        statement = delete(subscription_table).where(_s.contact_id == contact_id)
        async with statement_connection(self._sessionmaker) as connection:
            return (await connection.execute(statement)).rowcount

    async def count(self, areas: Iterable[str], languages: Iterable[str] | None = None) -> int:
        """How many reachable contacts get alerts for any of `areas` (in `languages`)."""
        statement = select(func.count(func.distinct(_s.contact_id))).select_from(
            subscription_table.join(contact_table, contact_table.c.id == _s.contact_id)
        )
        statement = statement.where(*recipients_of(list(areas), languages))
        async with statement_connection(self._sessionmaker) as connection:
            return int((await connection.execute(statement)).scalar_one())

    async def count_by_language(self, areas: Iterable[str]) -> dict[str | None, int]:
        """Reachable subscribers to any of `areas`, by their language (None: not chosen)."""
        language = contact_table.c.language
        statement = (
            select(language, func.count(func.distinct(_s.contact_id)).label("n"))
            .select_from(
                subscription_table.join(contact_table, contact_table.c.id == _s.contact_id)
            )
            .where(*recipients_of(list(areas), None))
            .group_by(language)
        )
        async with statement_connection(self._sessionmaker) as connection:
            return {row.language: int(row.n) for row in await connection.execute(statement)}


def recipients_of(areas: list[str], languages: Iterable[str] | None) -> list[ColumnElement[bool]]:
    """Conditions on subscription joined with contact: subscribed to one of `areas`,
    reachable, and (when `languages` is given) writing in one of them. A contact who never
    chose a language counts as English, the language they are written to in."""
    conditions: list[ColumnElement[bool]] = [
        _s.area.in_(areas),
        contact_table.c.unreachable_since.is_(None),
    ]
    if languages is not None:
        wanted = list(languages)
        language = func.coalesce(contact_table.c.language, "en")
        conditions.append(language.in_(wanted))
    return conditions
