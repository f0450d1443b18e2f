"""The audit log of broadcasts and roles: who did what, when, to how many."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.columns import require_aware
from bot.storage.database import statement_connection
from bot.storage.tables import audit_table

_c = audit_table.c
DETAIL_MAX = 300


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    action: str
    broadcast_id: int | None
    count: int | None
    detail: str | None


class AuditLog:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def add(
        self,
        actor: str,
        action: str,
        *,
        now: datetime,
        broadcast_id: int | None = None,
        count: int | None = None,
        detail: str | None = None,
    ) -> None:
        require_aware("now", now)
        values = {
            "at": now,
            "actor": actor,
            "action": action,
            "broadcast_id": broadcast_id,
            "count": count,
            "detail": None if detail is None else detail[:DETAIL_MAX],
        }
        async with statement_connection(self._sessionmaker) as connection:
            await connection.execute(insert(audit_table).values(values))

    async def entries(
        self, *, since: datetime | None = None, broadcast_id: int | None = None, limit: int = 200
    ) -> list[AuditRecord]:
        """Entries, oldest first: the last `limit` of them since `since`."""
        statement = select(audit_table).order_by(_c.id.desc()).limit(limit)
        if since is not None:
            statement = statement.where(_c.at >= since)
        if broadcast_id is not None:
            statement = statement.where(_c.broadcast_id == broadcast_id)
        async with statement_connection(self._sessionmaker) as connection:
            rows = (await connection.execute(statement)).all()
        return [AuditRecord(**dict(row._mapping)) for row in reversed(rows)]
