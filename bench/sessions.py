"""Session load + save per update, on SQLite and on PostgreSQL, side by side.

    .venv/bin/python -m bench.sessions [--updates 2000] [--postgres URL]

Each update is what the conversation service does per message: load the person's
session, run the engine, save it with the version check. 50 people take turns, so rows
are read back warm, as in a busy bot. PostgreSQL is the local server (a fresh database
that is dropped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from bench.engine import long_flow
from bot.engine import Input, resume, start
from bot.storage import ContactRepository, SqlSessionStore, make_engine, make_sessionmaker
from bot.storage.migrate import upgrade

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
PEOPLE = 50


async def run(url: str, updates: int) -> float:
    await upgrade(url)
    engine = make_engine(url)
    try:
        makers = make_sessionmaker(engine)
        contacts = ContactRepository(makers)
        store = SqlSessionStore(makers)
        flows = long_flow()
        ids = [(await contacts.get_or_create(10_000 + n, now=NOW)).id for n in range(PEOPLE)]
        for contact_id in ids:
            first = start(flows, None, now=NOW).session
            await store.save(contact_id, first, expected_version=None, now=NOW)
        began = time.perf_counter()
        for update in range(updates):
            contact_id = ids[update % PEOPLE]
            stored = await store.load(contact_id)
            assert stored is not None
            session = resume(flows, stored.session, Input.say("x"), now=NOW).session
            await store.save(contact_id, session, expected_version=stored.version, now=NOW)
        return (time.perf_counter() - began) / updates
    finally:
        await engine.dispose()


async def with_postgres(admin_url: str, updates: int) -> float:
    name = f"standby_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        return await run(admin_url.rsplit("/", 1)[0] + "/" + name, updates)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def main(updates: int, postgres: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        sqlite = await run(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", updates)
    pg = await with_postgres(postgres, updates)
    print(f"session load + engine + save, per update ({updates} updates, {PEOPLE} people):")
    print(f"  SQLite (WAL)   {sqlite * 1000:6.2f} ms   {1 / sqlite:>7,.0f} updates/s")
    print(f"  PostgreSQL     {pg * 1000:6.2f} ms   {1 / pg:>7,.0f} updates/s")
    print(f"  ratio PostgreSQL / SQLite time: {pg / sqlite:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.updates, arguments.postgres))
