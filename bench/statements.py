"""CPU per SQL statement through each layer, side by side in one run (PostgreSQL).

    .venv/bin/python -m bench.statements [--postgres postgresql://postgres@127.0.0.1/test]

The same one-row SELECT by an indexed column, 2,000 times each way: through SQLAlchemy's
async Core as the repositories use it, with a raw SQL string, several statements on one
checked-out connection, and raw asyncpg (the driver alone). Shows where per-update storage
time goes (see docs/benchmarks.md, "Telegram end to end").
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import make_engine
from bot.storage.migrate import upgrade
from bot.storage.tables import contact_table

ROUNDS = 2000
QUERY = select(contact_table.c.id).where(contact_table.c.chat_id == 5)
RAW = "SELECT id FROM contact WHERE chat_id = $1"


async def cpu_per_call(work: Callable[[], Awaitable[object]]) -> float:
    for _ in range(100):  # warm caches and the pool
        await work()
    began = time.thread_time()
    for _ in range(ROUNDS):
        await work()
    return (time.thread_time() - began) / ROUNDS * 1000


async def measure(url: str) -> dict[str, float]:
    engine: AsyncEngine = make_engine(url, isolation_level="AUTOCOMMIT")
    raw = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    shared = await engine.connect()
    try:

        async def core() -> object:
            async with engine.connect() as connection:
                return (await connection.execute(QUERY)).first()

        async def driver_sql() -> object:
            async with engine.connect() as connection:
                return (await connection.exec_driver_sql(RAW, (5,))).first()

        async def one_checkout() -> object:
            return (await shared.execute(QUERY)).first()

        async def asyncpg_only() -> object:
            return await raw.fetchrow(RAW, 5)

        return {
            "SQLAlchemy Core, a connection per statement": await cpu_per_call(core),
            "SQLAlchemy, raw SQL string (exec_driver_sql)": await cpu_per_call(driver_sql),
            "SQLAlchemy Core, one connection kept": await cpu_per_call(one_checkout),
            "raw asyncpg": await cpu_per_call(asyncpg_only),
        }
    finally:
        await shared.close()
        await raw.close()
        await engine.dispose()


async def main(server: str) -> None:
    name = f"standby_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = server.rsplit("/", 1)[0] + "/" + name
        await upgrade(url)
        figures = await measure(str(make_engine(url).url.render_as_string(hide_password=False)))
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
    floor = figures["raw asyncpg"]
    print(f"CPU per one-row SELECT on PostgreSQL, {ROUNDS} each:")
    for label, value in figures.items():
        print(f"  {label:46} {value:6.3f} ms   x{value / floor:4.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    asyncio.run(main(parser.parse_args().postgres))
