"""Database errors in the log carry no answers and no chat ids."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert as sa_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.logformat import PrivateFormatter
from bot.storage.sqlite import inline_engine
from bot.storage.tables import Contact

CHAT_ID = 918273645


async def test_a_failed_statement_logs_neither_its_parameters_nor_the_database_detail(
    engine: AsyncEngine,
) -> None:
    now = datetime(2026, 11, 21, 14, 0, tzinfo=UTC)
    insert = sa_insert(Contact)
    values = {"chat_id": CHAT_ID, "created_at": now, "last_seen_at": now}
    async with engine.begin() as connection:
        await connection.execute(insert, values)
    with pytest.raises(IntegrityError) as caught:
        async with engine.begin() as connection:
            await connection.execute(insert, values)
    # SQLAlchemy leaves the parameters out of its message…
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(caught.value)
    record = logging.makeLogRecord(
        {"msg": "turn failed", "exc_info": (caught.type, caught.value, caught.tb)}
    )
    if engine.dialect.name == "postgresql":
        # …but the driver's exception it wraps says "DETAIL: Key (chat_id)=(…) already
        # exists", and a whole traceback shows it: only the log's formatter keeps it out.
        assert str(CHAT_ID) in PrivateFormatter(reveal=True).format(record)
    assert str(CHAT_ID) not in PrivateFormatter().format(record)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_inline_sqlite_engine_hides_parameters_too(engine: AsyncEngine) -> None:
    inline = inline_engine(engine)
    assert inline is not None
    assert engine.sync_engine.hide_parameters
    assert inline.engine.hide_parameters
