"""Staff roles for broadcasts kept in the database, beside ADMIN_IDS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.columns import require_aware
from bot.storage.database import statement_connection
from bot.storage.statements import insert_ignoring_conflicts
from bot.storage.tables import STAFF_ROLES, role_table

_c = role_table.c


@dataclass(frozen=True, slots=True)
class RoleGrant:
    user_id: int
    role: str
    granted_at: datetime
    granted_by: str


class RoleRepository:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def roles_of(self, user_id: int) -> frozenset[str]:
        statement = select(_c.role).where(_c.user_id == user_id)
        async with statement_connection(self._sessionmaker) as connection:
            return frozenset(row.role for row in await connection.execute(statement))

    async def holders(self, *roles: str) -> list[int]:
        """Users holding any of `roles`."""
        statement = select(_c.user_id).where(_c.role.in_(roles)).distinct().order_by(_c.user_id)
        async with statement_connection(self._sessionmaker) as connection:
            return [row.user_id for row in await connection.execute(statement)]

    async def grant(self, user_id: int, role: str, *, by: str, now: datetime) -> bool:
        """Give `user_id` the `role`; False if they had it."""
        require_aware("now", now)
        if role not in STAFF_ROLES:
            raise ValueError(f"{role!r} is not one of {', '.join(STAFF_ROLES)}")
        values = {"user_id": user_id, "role": role, "granted_at": now, "granted_by": by}
        async with statement_connection(self._sessionmaker) as connection:
            grant = insert_ignoring_conflicts(
                connection.dialect.name, role_table, ("user_id", "role")
            )
            return (await connection.execute(grant, values)).rowcount > 0

    async def revoke(self, user_id: int, role: str | None = None) -> int:
        """Take `role` (every role, when None) from `user_id`; how many were taken."""
        statement = delete(role_table).where(_c.user_id == user_id)
        if role is not None:
            statement = statement.where(_c.role == role)
        async with statement_connection(self._sessionmaker) as connection:
            return (await connection.execute(statement)).rowcount

    async def all(self) -> list[RoleGrant]:
        statement = select(role_table).order_by(_c.user_id, _c.role)
        async with statement_connection(self._sessionmaker) as connection:
            return [RoleGrant(**dict(row._mapping)) for row in await connection.execute(statement)]
