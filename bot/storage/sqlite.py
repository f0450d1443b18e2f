"""SQLite specifics: connection settings, the inline engine, and checkpoints off the loop.

Beside its async engine, a SQLite file gets a plain engine whose statements run on the
event loop's own thread. The repositories' statements take microseconds there, while going
through aiosqlite's worker thread and SQLAlchemy's async layer cost five times the
statement (0.25 against 0.05 ms of CPU per one-row SELECT) and put hundreds of milliseconds
on the p99 of a turn under load (bench/updates.py). The price is that a statement blocks the
loop while it runs, and a write waits for another process's lock for up to busy_timeout:
fine for one bot process on a local file; several processes are what PostgreSQL is for.

The slow part of SQLite in WAL mode is the checkpoint, which copies the log into the
database file and waits for the disk (fsync): up to a quarter of a second on a busy disk.
Left automatic, it would run inside whichever commit crossed the threshold, on the loop.
So the inline engine's connections never checkpoint; a thread does it every second.

The inline engine's one connection is kept open between blocks (`InlineDatabase`): taking
it from the pool and giving it back cost more than the statement it ran (0.120 against
0.087 ms of CPU per one-row INSERT and commit, one run).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

# WAL lets the bot read while a write is in progress; busy_timeout makes concurrent
# writers wait for each other instead of failing at once; NORMAL is durable in WAL mode
# except for the last transactions on power loss, and much faster than FULL.
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=NORMAL",
)
CHECKPOINT_EVERY = 1.0  # seconds


class InlineDatabase:
    """The inline engine, and its connection kept open from one block to the next."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction, committed when the block ends and rolled back if it raises.

        Blocks never nest: nothing awaits inside one, so none is open when another starts
        (SQLAlchemy refuses a second `begin` on a connection, so a mistake fails at once).
        """
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            # The first block, or the last connection broke (a disk error): a fresh one.
            if connection is not None:
                connection.close()
            connection = self._connection = self.engine.connect()
        with connection.begin():
            yield connection

    def dispose(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self.engine.dispose()


_INLINE: WeakKeyDictionary[Engine, InlineDatabase] = WeakKeyDictionary()


def set_pragmas(dbapi_connection: Any, _record: Any = None) -> None:
    """Put a new SQLite connection in WAL mode with foreign keys on."""
    cursor = dbapi_connection.cursor()
    try:
        for pragma in PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _set_inline_pragmas(dbapi_connection: Any, _record: Any) -> None:
    set_pragmas(dbapi_connection)
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer's job


def add_inline_engine(engine: AsyncEngine, url: URL, options: dict[str, Any]) -> None:
    """Give the SQLite `engine` an inline twin (see `inline_engine`), disposed with it."""
    if "poolclass" not in options:
        # Nothing awaits while holding the connection, so it is always free: if it ever
        # is not, fail at once rather than block the loop waiting for it.
        options = {**options, "pool_timeout": 0}
    inline = InlineDatabase(create_engine(url.set(drivername="sqlite+pysqlite"), **options))
    checkpointer = _Checkpointer(Path(str(url.database))) if is_file(url) else None
    # Without a checkpointer (an in-memory or URI database) SQLite checkpoints as usual.
    event.listen(inline.engine, "connect", _set_inline_pragmas if checkpointer else set_pragmas)
    if checkpointer is not None:
        checkpointer.start()

    def dispose(_engine: Engine) -> None:
        if checkpointer is not None:
            checkpointer.stop()
        inline.dispose()

    event.listen(engine.sync_engine, "engine_disposed", dispose)
    _INLINE[engine.sync_engine] = inline


def inline_engine(engine: AsyncEngine) -> InlineDatabase | None:
    """The plain engine whose statements run on the loop's thread, for SQLite engines."""
    return _INLINE.get(engine.sync_engine)


def is_file(url: URL) -> bool:
    """Whether the SQLite `url` names a plain file (not in memory, not a `file:` URI)."""
    database = url.database
    return bool(database) and database != ":memory:" and not str(database).startswith("file:")


class _Checkpointer:
    """Folds the write-ahead log into the database file every second, on its own thread.

    PASSIVE checkpoints never wait for readers or writers, so the bot is not held up.
    """

    # Consecutive failures before a warning: a busy moment is normal, a minute is not.
    PATIENCE = 60

    def __init__(self, path: Path) -> None:
        # mode=rw: never create the file (the first migration makes it).
        self._uri = f"{path.resolve().as_uri()}?mode=rw"
        self._failures = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while not self._stopping.wait(CHECKPOINT_EVERY):
            try:
                connection = sqlite3.connect(self._uri, uri=True, timeout=0)
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                finally:
                    connection.close()
                self._failures = 0
            except sqlite3.Error as error:  # busy or not there yet: try again next time
                self._failures += 1
                if self._failures == self.PATIENCE:
                    log.warning("the SQLite log has not been checkpointed for a minute: %s", error)
