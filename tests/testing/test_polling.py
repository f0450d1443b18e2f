"""getUpdates: confirmation by offset, long polling, and conflicts."""

from __future__ import annotations

import asyncio
import time

from bot.testing import EmulatedBot, Emulator
from tests.testing.support import RawClient


async def test_updates_stay_until_confirmed_by_offset(tg: Emulator, client: RawClient) -> None:
    user = tg.user(42, "Amina")
    await user.send("/start")
    await user.send("hello")
    first = await client.ok("getUpdates")
    assert [u["update_id"] for u in first] == [1, 2]
    assert first[0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    # Without a higher offset nothing is confirmed: a restarted bot sees them again.
    assert [u["update_id"] for u in await client.ok("getUpdates")] == [1, 2]
    assert [u["update_id"] for u in await client.ok("getUpdates", offset=2)] == [2]
    assert await client.ok("getUpdates", offset=3) == []
    # Confirmed updates are gone for good, even without an offset.
    assert await client.ok("getUpdates") == []


async def test_limit_and_negative_offset(tg: Emulator, client: RawClient) -> None:
    user = tg.user(42, "Amina")
    for text in ("a", "b", "c"):
        await user.send(text)
    assert [u["update_id"] for u in await client.ok("getUpdates", limit=2)] == [1, 2]
    assert [u["update_id"] for u in await client.ok("getUpdates", offset=-1)] == [3]


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    tg: Emulator, client: RawClient
) -> None:
    user = tg.user(42, "Amina")
    poll = asyncio.create_task(client.ok("getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    started = time.monotonic()
    await user.send("hi")
    updates = await poll
    assert time.monotonic() - started < 1
    assert updates[0]["message"]["text"] == "hi"


async def test_long_poll_times_out_empty(client: RawClient) -> None:
    started = time.monotonic()
    assert await client.ok("getUpdates", timeout=0.2) == []
    assert 0.15 < time.monotonic() - started < 1.5


async def test_a_second_poll_ends_the_first_with_409(client: RawClient) -> None:
    first = asyncio.create_task(client.call("getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    assert await client.ok("getUpdates") == []
    status, body = await first
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")


async def test_get_updates_conflicts_with_a_webhook(client: RawClient) -> None:
    await client.ok("setWebhook", url="http://127.0.0.1:9/hook")
    status, description = await client.error("getUpdates")
    assert status == 409
    assert description == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
        "delete the webhook first"
    )
    await client.ok("deleteWebhook")
    assert await client.ok("getUpdates") == []


async def test_allowed_updates_filter_new_updates(
    tg: Emulator, bot: EmulatedBot, client: RawClient
) -> None:
    await client.ok("getUpdates", allowed_updates='["callback_query"]')
    user = tg.user(42, "Amina")
    await user.send("ignored")
    assert bot.updates.pending == []
    await client.ok("getUpdates", allowed_updates=[])
    await user.send("kept")
    assert [u["message"]["text"] for u in await client.ok("getUpdates")] == ["kept"]


async def test_update_ids_increase_per_bot(tg: Emulator, client: RawClient) -> None:
    other = tg.add_bot("654321:OTHER-token", username="other_bot")
    await tg.user(42, "Amina").send("one")
    await tg.user(42, "Amina", bot=other).send("two")
    assert (await client.ok("getUpdates"))[0]["update_id"] == 1
    assert other.updates.pending[0]["update_id"] == 1
