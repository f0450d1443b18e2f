"""SQLite: repository statements run on the loop's thread, checkpoints on their own."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.pool import QueuePool

from bot.storage import sqlite
from bot.storage.database import make_engine, make_sessionmaker, statement_connection


def _threads() -> set[str]:
    return {thread.name for thread in threading.enumerate()}


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "standby.db"


async def test_repository_statements_start_no_worker_thread(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    before = _threads()
    try:
        async with statement_connection(make_sessionmaker(engine)) as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, word TEXT)"))
            await connection.execute(text("INSERT INTO t (word) VALUES ('a'), ('b')"))
            result = await connection.execute(text("SELECT word FROM t ORDER BY id"))
        started = _threads() - before
    finally:
        await engine.dispose()

    assert started == set()  # aiosqlite would have started its worker here
    assert result.scalars().all() == ["a", "b"]  # read after the block: rows were kept


async def test_a_failed_statement_rolls_back_its_block(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    sessionmaker = make_sessionmaker(engine)
    try:
        async with statement_connection(sessionmaker) as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(IntegrityError):
            await _insert(sessionmaker, 2, 1)
        async with statement_connection(sessionmaker) as connection:
            ids = (await connection.execute(text("SELECT id FROM t"))).scalars().all()
    finally:
        await engine.dispose()

    assert ids == [1]


async def _insert(sessionmaker: async_sessionmaker[AsyncSession], *ids: int) -> None:
    async with statement_connection(sessionmaker) as connection:
        for id_ in ids:
            await connection.execute(text("INSERT INTO t VALUES (:id)"), {"id": id_})


@pytest.mark.parametrize("folder", ["plain", "data#1 and 50%"])
async def test_the_log_is_folded_into_the_file_by_the_checkpoint_thread(
    tmp_path: Path, folder: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A '#' or '%' in the folder once made the thread checkpoint another, empty file.
    path = tmp_path / folder / "standby.db"
    monkeypatch.setattr(sqlite, "CHECKPOINT_EVERY", 0.05)
    engine = make_engine(f"sqlite:///{path}")
    try:
        async with statement_connection(make_sessionmaker(engine)) as connection:
            await connection.execute(text("CREATE TABLE t (blob TEXT)"))
            await connection.execute(text("INSERT INTO t VALUES (:b)"), {"b": "x" * 2_000_000})
        assert _size(path) < 100_000  # the bot's own commits never checkpoint: all in the log
        for _ in range(100):
            if _size(path) > 2_000_000:
                break
            await asyncio.sleep(0.05)
    finally:
        await engine.dispose()

    assert _size(path) > 2_000_000
    assert "sqlite-checkpoint" not in _threads()  # stopped with the engine


async def test_no_file_is_made_for_a_database_never_created(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    await asyncio.sleep(sqlite.CHECKPOINT_EVERY * 1.5)
    await engine.dispose()

    assert _size(path) == 0
    assert "standby.db" not in {child.name for child in path.parent.iterdir()}


async def test_the_inline_connection_is_kept_from_one_block_to_the_next(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    inline = sqlite.inline_engine(engine)
    assert inline is not None
    pool = inline.engine.pool
    assert isinstance(pool, QueuePool)
    try:
        with inline.begin() as first:
            first.execute(text("SELECT 1"))
        with inline.begin() as second:
            second.execute(text("SELECT 1"))
        assert first is second
        assert pool.checkedout() == 1  # held, not given back and taken again
    finally:
        await engine.dispose()

    assert pool.checkedout() == 0  # disposing the engine closes it


async def test_inline_blocks_cannot_nest(path: Path) -> None:
    """Nothing awaits inside a block, so a nested one is a mistake: it fails at once
    rather than waiting on the loop's thread for a connection that never comes."""
    engine = make_engine(f"sqlite:///{path}")
    sessionmaker = make_sessionmaker(engine)
    try:
        async with statement_connection(sessionmaker):
            with pytest.raises(InvalidRequestError):
                async with statement_connection(sessionmaker):
                    pass
        async with statement_connection(sessionmaker) as connection:  # still usable
            assert (await connection.execute(text("SELECT 7"))).scalar() == 7
    finally:
        await engine.dispose()


async def test_a_broken_inline_connection_is_replaced(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    sessionmaker = make_sessionmaker(engine)
    inline = sqlite.inline_engine(engine)
    assert inline is not None
    try:
        with inline.begin() as connection:
            connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        connection.invalidate()  # as SQLAlchemy does when the driver reports it broken
        await _insert(sessionmaker, 1)
        with inline.begin() as fresh:
            ids = fresh.execute(text("SELECT id FROM t")).scalars().all()
    finally:
        await engine.dispose()

    assert fresh is not connection
    assert ids == [1]
