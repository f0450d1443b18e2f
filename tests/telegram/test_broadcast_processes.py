"""Broadcasts with real processes: `standby run` killed (-9) halfway through an alert to
5,000 people and restarted; two `standby broadcast deliver` processes sharing one
broadcast on PostgreSQL, with one rate limit in Redis."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.services.broadcasts.compose import AlertContent
from bot.storage import make_engine, make_sessionmaker
from bot.storage.broadcasts import BroadcastRepository
from bot.storage.tables import delivery_table
from bot.testing import Emulator, RateLimits
from tests.conftest import SharedDatabase
from tests.telegram.broadcasting import NOW, add_subscribers, alerts_in
from tests.telegram.conftest import ROOT, TOKEN, free_port, reply_with
from tests.telegram.test_broadcasts import ADMIN, write_gathering_alert
from tests.telegram.test_process import BotProcess

pytestmark = pytest.mark.slow
LANGUAGES = ["ar", "en", "pl", "ur", "so"]
REDIS_URL = os.environ.get("STANDBY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def environment(
    tmp_path: Path, emulator: Emulator, database_url: str, **extra: str
) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": emulator.base_url,
        "DATABASE_URL": database_url,
        "FLOWS_DIR": str(ROOT / "flows"),
        "LOCALES_DIR": str(ROOT / "locales"),
        "WEBHOOK_LISTEN": f"127.0.0.1:{free_port()}",
        "LOG_LEVEL": "INFO",
        **extra,
    }


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    # Telegram's limits, paid broadcasts included: the bot must stay within them.
    async with Emulator(rate_limits=RateLimits()) as tg:
        tg.add_bot(TOKEN, username="standby_test_bot")
        yield tg


def flood_waits(emulator: Emulator, chats: set[int]) -> int:
    """429s answered to alerts (the admin's own chat has its 1 message/s limit too)."""
    return sum(
        1
        for call in emulator.calls_of("sendMessage")
        if call.status == 429 and int(call.params.get("chat_id", 0)) in chats
    )


def sent_to(emulator: Emulator, chats: list[int]) -> int:
    return sum(1 for chat in chats if alerts_in(emulator, chat))


async def test_killed_halfway_through_5000_in_five_languages_then_restarted(
    emulator: Emulator, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'standby.db'}"
    people = [(100_000 + i, LANGUAGES[i % 5], "rotherham") for i in range(5000)]
    chats = [chat for chat, _, _ in people]
    env = environment(
        tmp_path,
        emulator,
        database_url,
        ADMIN_IDS=str(ADMIN),
        BROADCAST_RATE="150",
        BROADCAST_PAID="1",
    )
    bot = BotProcess(env, tmp_path / "standby.log")
    await bot.start()
    admin = emulator.user(ADMIN, language_code="en")
    await admin.send("/start")
    await reply_with(admin, "Are you safe right now?", within=30)
    await add_subscribers(emulator, database_url, people)

    await write_gathering_alert(admin)
    assert "5,000 people in 5 language(s)" in admin.messages[-1].content
    await admin.click("Send")
    await admin.wait_until(lambda: sent_to(emulator, chats) >= 2500, 60, "half the alerts")
    await bot.kill()
    halfway = sent_to(emulator, chats)
    assert halfway < 5000

    await bot.start()
    try:
        report = await reply_with(admin, "Delivered:", within=90)
    finally:
        await bot.stop()
    assert "Delivered: 5,000 of 5,000." in report.content
    counts = [len(alerts_in(emulator, chat)) for chat in chats]
    assert counts.count(0) == 0
    twice = sum(1 for count in counts if count > 1)
    flagged = 0
    if "Sent again after a sender stopped" in report.content:
        flagged = int(report.content.split("did not answer: ")[1].split(" ")[0].replace(",", ""))
    else:
        assert "Nobody received it twice." in report.content
    assert twice <= flagged  # only those in flight at the kill, and the report says so
    assert flagged <= 30  # a claim (0.1 s of sending) and the unwritten outcomes
    assert flood_waits(emulator, set(chats)) == 0
    assert "grudnia" in alerts_in(emulator, chats[2])[0]  # in each person's language


@pytest.mark.postgres
@pytest.mark.redis
async def test_two_senders_on_postgresql_share_a_broadcast_and_one_rate(
    emulator: Emulator, postgres_database: SharedDatabase, tmp_path: Path
) -> None:
    postgres_database.empty()
    database_url = postgres_database.url
    people = [(200_000 + i, "en", "leeds") for i in range(600)]
    chats = [chat for chat, _, _ in people]
    await add_subscribers(emulator, database_url, people)
    engine = make_engine(database_url)
    try:
        repository = BroadcastRepository(make_sessionmaker(engine))
        alert = await repository.create(
            kind="alert",
            content=AlertContent(texts={"en": "Please avoid the city centre today."}).as_json(),
            areas=["leeds"],
            created_by="cli:test",
            now=NOW,
            expires_at=NOW + timedelta(days=3650),
        )
        assert await repository.start(alert.id, ["leeds"], now=NOW) == 600

        env = environment(
            tmp_path, emulator, database_url, BROADCAST_RATE="30", REDIS_URL=REDIS_URL
        )
        senders = [
            BotProcess(env, tmp_path / f"sender{n}.log", ("broadcast", "deliver")) for n in (1, 2)
        ]
        started = time.monotonic()
        for sender in senders:
            await sender.start()
        try:
            deadline = started + 60
            while (
                record := await repository.get(alert.id)
            ) is not None and record.status != "done":
                assert time.monotonic() < deadline, "the broadcast did not finish in time"
                await asyncio.sleep(0.5)
            elapsed = time.monotonic() - started
        finally:
            for sender in senders:
                await sender.stop()
        counts = await repository.counts(alert.id)
        async with engine.connect() as connection:
            claimers = await connection.execute(
                select(func.count(func.distinct(delivery_table.c.claimed_by))).where(
                    delivery_table.c.broadcast_id == alert.id
                )
            )
            sender_count = claimers.scalar_one()
    finally:
        await engine.dispose()

    assert counts["sent"] == 600
    assert all(len(alerts_in(emulator, chat, "avoid the city centre")) == 1 for chat in chats)
    assert flood_waits(emulator, set(chats)) == 0  # together within 30/s: the Redis bucket
    assert elapsed >= 600 / 30 - 1
    assert sender_count == 2  # both processes took part
