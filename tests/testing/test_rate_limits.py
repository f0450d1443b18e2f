"""Flood control: 429 with retry_after per chat, per bot and per group, or none at all."""

from __future__ import annotations

from bot.testing import EmulatedBot, Emulator, FakeClock, RateLimits
from tests.testing.support import RawClient


async def _started(tg: Emulator, *ids: int) -> None:
    for person_id in ids:
        await tg.user(person_id, f"P{person_id}").send("/start")


async def test_a_chat_allows_a_small_burst_then_429(
    tg: Emulator, bot: EmulatedBot, client: RawClient, clock: FakeClock
) -> None:
    await _started(tg, 42)
    for n in range(5):
        await client.ok("sendMessage", chat_id=42, text=f"burst {n}")
    status, body = await client.call("sendMessage", chat_id=42, text="one too many")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert bot.too_many_requests_served == 1
    assert tg.too_many_requests_served == 1
    clock.advance(1)
    await client.ok("sendMessage", chat_id=42, text="after waiting")


async def test_bot_wide_limit_and_paid_broadcast(
    tg: Emulator, client: RawClient, clock: FakeClock
) -> None:
    tg.set_rate_limits(RateLimits(bot_per_second=2, bot_burst=2))
    await _started(tg, 1, 2, 3, 4)
    await client.ok("sendMessage", chat_id=1, text="a")
    await client.ok("sendMessage", chat_id=2, text="b")
    status, body = await client.call("sendMessage", chat_id=3, text="c")
    assert status == 429
    assert body["parameters"]["retry_after"] == 1
    # Paid broadcasts are limited separately (1000/s), so they still go out.
    await client.ok("sendMessage", chat_id=3, text="c", allow_paid_broadcast=True)


async def test_retry_after_is_rounded_up_to_whole_seconds(tg: Emulator, client: RawClient) -> None:
    tg.set_rate_limits(RateLimits(chat_per_second=0.25, chat_burst=1))
    await _started(tg, 42)
    await client.ok("sendMessage", chat_id=42, text="one")
    status, body = await client.call("sendMessage", chat_id=42, text="two")
    assert (status, body["parameters"]["retry_after"]) == (429, 4)


async def test_groups_allow_twenty_a_minute(
    tg: Emulator, client: RawClient, clock: FakeClock
) -> None:
    group = tg.add_group(-1001, "Volunteers")
    for n in range(20):
        await client.ok("sendMessage", chat_id=group.id, text=f"report {n}")
    status, body = await client.call("sendMessage", chat_id=group.id, text="21st")
    assert status == 429
    assert body["parameters"]["retry_after"] == 3
    clock.advance(3)
    await client.ok("sendMessage", chat_id=group.id, text="21st")


async def test_rate_limiting_can_be_turned_off(tg: Emulator, client: RawClient) -> None:
    tg.set_rate_limits(RateLimits.off())
    await _started(tg, 42)
    for n in range(40):
        await client.ok("sendMessage", chat_id=42, text=f"{n}")
    assert tg.too_many_requests_served == 0


async def test_constructor_takes_limits() -> None:
    async with Emulator(rate_limits=RateLimits.off()) as emulator:
        assert not emulator.world.limiter.limits.enabled
        assert emulator.base_url.startswith("http://127.0.0.1:")
