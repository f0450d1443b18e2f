"""Engines and session factories for SQLite (the default) and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Table, delete, event, select, tuple_
from sqlalchemy.engine import URL, Connection, CursorResult, Dialect, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.base import Executable

from bot.storage import sqlite

DEFAULT_SQLITE_PATH = Path("data") / "standby.db"

_EXPECTED = (
    "DATABASE_URL should look like sqlite:///data/standby.db or "
    "postgresql://user:password@host:5432/dbname"
)

# Backend names people write in URLs, mapped to the async driver we use for each.
_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}

_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}
# PostgreSQL connections per process: kept open, and opened for bursts beyond (see
# docs/deploy.md, "Database connections", against PostgreSQL's max_connections of 100).
POOL_SIZE, POOL_OVERFLOW = 20, 20


def resolve_url(url: str | None) -> URL:
    """Turn a DATABASE_URL into a SQLAlchemy URL that uses an async driver.

    None or "" means the SQLite file `data/standby.db`. `sqlite://` becomes
    `sqlite+aiosqlite://`, and `postgres://`/`postgresql://` become `postgresql+asyncpg://`.
    Raises ValueError, naming DATABASE_URL, for anything else.
    """
    if not url:
        return URL.create("sqlite+aiosqlite", database=str(DEFAULT_SQLITE_PATH))
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(f"DATABASE_URL is not a database URL. {_EXPECTED}") from None
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValueError(
            f"DATABASE_URL uses {parsed.drivername!r}, which Standby does not support. {_EXPECTED}"
        )
    parsed = parsed.set(drivername=driver)
    if driver == "postgresql+asyncpg":
        if not parsed.database:
            raise ValueError(f"DATABASE_URL names no database. {_EXPECTED}")
        return _asyncpg_query(parsed)
    return parsed


def _asyncpg_query(url: URL) -> URL:
    """Rename libpq's `sslmode` (common in hosted URLs) to asyncpg's `ssl`, same values."""
    if "sslmode" not in url.query:
        return url
    query = dict(url.query)
    query["ssl"] = query.pop("sslmode")
    return url.set(query=query)


def make_engine(url: str | None, **kwargs: Any) -> AsyncEngine:
    """Create an async engine for a DATABASE_URL (see `resolve_url`).

    For a SQLite file the folder is created if missing, every new connection is put in
    WAL mode with foreign keys on, and the repositories' statements run on the event
    loop's thread (`bot.storage.sqlite`). Extra keyword arguments go to
    `create_async_engine`.
    """
    resolved = resolve_url(url)
    if resolved.get_backend_name() == "sqlite":
        _make_parent_folder(resolved)
        # SQLite has one writer at a time. With several pooled connections, concurrent
        # turns collide on its lock and back off in its busy handler (seconds of tail
        # latency under load); one connection makes them queue in asyncio instead.
        if "poolclass" not in kwargs:
            kwargs.setdefault("pool_size", 1)
            kwargs.setdefault("max_overflow", 0)
        # Every use commits or rolls back itself; a reset on return would only cost
        # another call into SQLite.
        kwargs.setdefault("pool_reset_on_return", None)
    elif "poolclass" not in kwargs:
        # Connections beyond pool_size are opened for a burst and closed when given
        # back. SQLAlchemy's default of 5 had a busy bot open and close connections all
        # the time (asyncpg's connect and set-up: an eighth of its CPU at 250 updates/s,
        # bench/updates.py); POOL_SIZE kept open covers the turns in flight.
        kwargs.setdefault("pool_size", POOL_SIZE)
        kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    # Errors must not carry parameters into logs: they hold answers and chat ids.
    kwargs.setdefault("hide_parameters", True)
    engine = create_async_engine(resolved, **kwargs)
    if resolved.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", sqlite.set_pragmas)
        sqlite.add_inline_engine(engine, resolved, kwargs)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory whose objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


class StatementConnection(Protocol):
    """What the repositories use of a connection: its dialect, and running statements."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(
        self,
        statement: Executable,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    ) -> CursorResult[Any]: ...


class _InlineConnection:
    """A plain SQLAlchemy connection behind the async interface the repositories use."""

    __slots__ = ("_connection",)

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @property
    def dialect(self) -> Dialect:
        return self._connection.dialect

    async def execute(
        self,
        statement: Executable,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    ) -> CursorResult[Any]:
        result = self._connection.execute(statement, parameters)
        # Read every row now, as the async connection does: the caller may look after
        # the block has given the connection back.
        if result.returns_rows:
            return result.freeze()()  # type: ignore[return-value]
        return result


@asynccontextmanager
async def statement_connection(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[StatementConnection]:
    """A connection for the repositories' short, single-statement operations.

    A Core connection straight from the engine: an ORM session per statement costs more
    than the statement (measured: 1.1 against 0.8 ms per trivial SELECT on SQLite). On
    PostgreSQL it runs in autocommit: each statement is atomic on its own, and skipping
    BEGIN and COMMIT saves two round trips. On SQLite the block is one short transaction
    on the inline engine (`bot.storage.sqlite`), committed when it ends and rolled back if
    it raises; nothing in it may await anything but its statements, which never wait.
    """
    engine: AsyncEngine = sessionmaker.kw["bind"]
    inline = sqlite.inline_engine(engine)
    if inline is not None:
        with inline.begin() as connection:
            yield _InlineConnection(connection)
    elif engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            yield await connection.execution_options(**_AUTOCOMMIT)
    else:
        async with engine.begin() as connection:
            yield connection


@asynccontextmanager
async def transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[StatementConnection]:
    """Like `statement_connection`, but its statements commit together or not at all,
    on PostgreSQL too (where `statement_connection` commits each one on its own)."""
    engine: AsyncEngine = sessionmaker.kw["bind"]
    inline = sqlite.inline_engine(engine)
    if inline is not None:
        with inline.begin() as connection:
            yield _InlineConnection(connection)
    else:
        async with engine.begin() as connection:
            yield connection


def _make_parent_folder(url: URL) -> None:
    if sqlite.is_file(url):
        Path(str(url.database)).parent.mkdir(parents=True, exist_ok=True)


# Rows one purge statement deletes. On SQLite statements run on the event loop, and one
# statement deleting a day of update ids (100,000 rows) held it for a tenth of a second.
PURGE_BATCH = 2000


async def delete_in_batches(
    sessionmaker: async_sessionmaker[AsyncSession],
    table: Table,
    condition: ColumnElement[bool],
) -> int:
    """Delete the rows of `table` matching `condition`, PURGE_BATCH at a time, letting
    other work run in between; return how many were deleted."""
    batch = PURGE_BATCH
    key = list(table.primary_key.columns)
    chosen = select(*key).where(condition).limit(batch)
    keyed = tuple_(*key) if len(key) > 1 else key[0]
    statement = delete(table).where(keyed.in_(chosen))
    deleted = 0
    while True:
        async with statement_connection(sessionmaker) as connection:
            count = (await connection.execute(statement)).rowcount
        deleted += count
        if count < batch:
            return deleted
        await asyncio.sleep(0)
