"""Shared fixtures: a fresh, migrated database per test, on SQLite and on PostgreSQL.

Tests that take `database_url` (or `engine`/`sessionmaker`) run once per backend. The
PostgreSQL runs use a throw-away database made for this test session, named after the
process so parallel runs on one server never meet, and dropped at the end.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool

from bot.storage.database import make_engine, make_sessionmaker, resolve_url
from bot.storage.migrate import upgrade
from bot.storage.tables import metadata

POSTGRES_URL_VARIABLE = "STANDBY_TEST_POSTGRES_URL"
POSTGRES_SWITCH_VARIABLE = "STANDBY_TEST_POSTGRES"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]

T = TypeVar("T")


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--update-golden` regenerates the transcripts checked by tests/test_golden.py."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*.txt from what the flows now produce",
    )


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on its own event loop in a worker thread and wait for it.

    Session-scoped setup happens outside the tests' event loops (and sometimes while
    one is running), so it must not touch them.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class BackgroundLoop:
    """An event loop running in its own thread, for async resources kept all session."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on this loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def close(self) -> None:
        """Stop the loop and its thread."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


class SharedDatabase:
    """A migrated database used by many tests, emptied between them.

    It keeps one connection open on a background loop, so emptying costs a couple of
    milliseconds rather than a new connection per test.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._loop = BackgroundLoop()
        self._engine = make_engine(url, pool_size=1)

    def empty(self) -> None:
        """Delete every row of every table, children first."""
        self._loop.run(self._empty())

    def close(self) -> None:
        """Close the connection and the loop."""
        self._loop.run(self._engine.dispose())
        self._loop.close()

    async def _empty(self) -> None:
        async with self._engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                await connection.execute(table.delete())


def url_text(url: URL) -> str:
    """A URL as a DATABASE_URL string, password included."""
    return url.render_as_string(hide_password=False)


def sqlite_url(path: Path) -> str:
    """The DATABASE_URL of a SQLite file."""
    return url_text(URL.create("sqlite+aiosqlite", database=str(path)))


class PostgresServer:
    """Creates and drops throw-away databases on the test PostgreSQL server."""

    def __init__(self, admin_url: URL) -> None:
        self.admin_url = admin_url

    async def check(self) -> None:
        """Connect once, so an unreachable server fails fast with a clear message."""
        await self._admin("SELECT 1")

    async def create_database(self) -> str:
        """A new empty database; returns its DATABASE_URL."""
        name = f"standby_test_{os.getpid()}_{secrets.token_hex(4)}"
        await self._admin(f'CREATE DATABASE "{name}"')
        return url_text(self.admin_url.set(database=name))

    async def drop_database(self, url: str) -> None:
        """Drop a database made by `create_database`, even if connections are left open."""
        name = resolve_url(url).database
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def _admin(self, sql: str) -> None:
        # CREATE/DROP DATABASE cannot run inside a transaction, hence AUTOCOMMIT.
        engine = make_engine(
            url_text(self.admin_url),
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={"timeout": 5},
        )
        try:
            async with engine.connect() as connection:
                await connection.execute(text(sql))
        finally:
            await engine.dispose()


def _connection_problem(server: PostgresServer) -> Exception | None:
    try:
        run_blocking(server.check())
    # Whatever the reason (refused, timed out, bad password), the advice is the same.
    except Exception as error:
        return error
    return None


def _postgres_unreachable(url: URL, error: BaseException) -> str:
    return (
        f"PostgreSQL is not reachable at {url.render_as_string(hide_password=True)} "
        f"({type(error).__name__}: {error}).\n"
        "The storage tests run against PostgreSQL as well as SQLite. Start a server, e.g.\n"
        "  docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust "
        "-e POSTGRES_DB=test postgres:15\n"
        f"or point {POSTGRES_URL_VARIABLE} at one (it needs CREATE DATABASE rights), "
        f"or set {POSTGRES_SWITCH_VARIABLE}=skip to skip the PostgreSQL tests."
    )


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    """The test PostgreSQL server; fails (or skips, if asked to) when it is unreachable."""
    if os.environ.get(POSTGRES_SWITCH_VARIABLE) == "skip":
        pytest.skip(f"{POSTGRES_SWITCH_VARIABLE}=skip")
    server = PostgresServer(
        resolve_url(os.environ.get(POSTGRES_URL_VARIABLE, DEFAULT_POSTGRES_URL))
    )
    problem = _connection_problem(server)
    if problem is not None:
        pytest.fail(_postgres_unreachable(server.admin_url, problem), pytrace=False)
    return server


@pytest.fixture(scope="session")
def postgres_database(postgres_server: PostgresServer) -> Iterator[SharedDatabase]:
    """A migrated database shared by this test session; `database_url` empties it per test."""
    url = run_blocking(postgres_server.create_database())
    try:
        run_blocking(upgrade(url))
        database = SharedDatabase(url)
        try:
            yield database
        finally:
            database.close()
    finally:
        run_blocking(postgres_server.drop_database(url))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies, which is faster than migrating."""
    path = tmp_path_factory.mktemp("sqlite-template") / "standby.db"
    run_blocking(upgrade(sqlite_url(path)))
    return path


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The DATABASE_URL of a migrated database with no rows, for this test alone."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "standby.db"
        shutil.copyfile(template, path)
        return sqlite_url(path)
    database: SharedDatabase = request.getfixturevalue("postgres_database")
    database.empty()
    return database.url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The DATABASE_URL of a database that was never migrated (for migration tests)."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "empty.db")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = run_blocking(server.create_database())
    try:
        yield url
    finally:
        run_blocking(server.drop_database(url))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on `database_url`, disposed after the test."""
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory on `engine`, as the application builds it."""
    return make_sessionmaker(engine)
