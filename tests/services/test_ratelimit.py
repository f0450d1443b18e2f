"""Broadcast pacing: even spacing at the rate, pauses on 429, one message a second per chat.

The local limiters run on virtual time (the clock only moves when every task sleeps).
The Redis tests use the server named by STANDBY_TEST_REDIS_URL and real time; they fail
when it is unreachable unless STANDBY_TEST_REDIS=skip.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from typing import Any, cast

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.services.broadcasts.ratelimit import (
    ChatSpacing,
    LocalRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    RedisUnavailableError,
    check_redis,
    make_rate_limiter,
)

REDIS_URL_VARIABLE = "STANDBY_TEST_REDIS_URL"
REDIS_SWITCH_VARIABLE = "STANDBY_TEST_REDIS"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
CLOSED_PORT_URL = "redis://127.0.0.1:1"
LOGGER = "bot.services.broadcasts.ratelimit"
START = 1000.0


class VirtualTime:
    """A clock that jumps to the earliest wake-up once every task is asleep."""

    def __init__(self, start: float = START) -> None:
        self.t = start
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        wake = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.t + max(seconds, 0.0), next(self._order), wake))
        await wake

    async def settle(self) -> None:
        """Let every runnable task run until it sleeps or ends."""
        for _ in range(20):
            await asyncio.sleep(0)

    async def step(self) -> None:
        """Wake the earliest sleeper (skipping cancelled ones), then settle."""
        while self._timers:
            when, _, wake = heapq.heappop(self._timers)
            if wake.done():
                continue
            self.t = max(self.t, when)
            wake.set_result(None)
            await self.settle()
            return
        raise AssertionError("tasks are waiting, but not on the virtual clock")

    async def run(self, *tasks: asyncio.Task[Any]) -> None:
        """Move time on until all `tasks` are done."""
        await self.settle()
        while not all(task.done() for task in tasks):
            await self.step()
        for task in tasks:
            task.result()


def offsets(stamps: Sequence[float]) -> list[float]:
    return [round(stamp - START, 9) for stamp in stamps]


def sender(
    wait: Callable[[], Awaitable[None]], clock: Callable[[], float], stamps: list[float]
) -> Callable[[], Coroutine[Any, Any, None]]:
    async def send() -> None:
        await wait()
        stamps.append(clock())

    return send


# Local rate limiter


async def test_concurrent_senders_are_spaced_exactly_at_the_rate() -> None:
    clock = VirtualTime()
    limiter = LocalRateLimiter(25, now=clock.now, sleep=clock.sleep)
    stamps: list[float] = []
    send = sender(limiter.acquire, clock.now, stamps)

    await clock.run(*(asyncio.create_task(send()) for _ in range(10)))

    assert offsets(stamps) == pytest.approx([0.04 * k for k in range(10)])


async def test_after_an_idle_spell_there_is_no_burst() -> None:
    clock = VirtualTime()
    limiter = LocalRateLimiter(25, now=clock.now, sleep=clock.sleep)
    stamps: list[float] = []
    send = sender(limiter.acquire, clock.now, stamps)
    await send()
    clock.t += 60  # idle: saved-up slots must not let a burst out

    await clock.run(*(asyncio.create_task(send()) for _ in range(3)))

    assert offsets(stamps) == pytest.approx([0, 60, 60.04, 60.08])


async def test_pause_holds_back_senders_already_waiting_and_later_ones() -> None:
    clock = VirtualTime()
    limiter = LocalRateLimiter(25, now=clock.now, sleep=clock.sleep)
    stamps: list[float] = []
    send = sender(limiter.acquire, clock.now, stamps)

    async def flood_control_at(offset: float, seconds: float) -> None:
        await clock.sleep(START + offset - clock.now())
        await limiter.pause(seconds)

    senders = [asyncio.create_task(send()) for _ in range(5)]
    await clock.run(asyncio.create_task(flood_control_at(0.05, 1.0)), *senders)
    # Two went before the 429; the three waiting (slots 0.08..0.16) go after the pause.
    assert offsets(stamps) == pytest.approx([0, 0.04, 1.05, 1.09, 1.13])

    await limiter.pause(2.0)
    await clock.run(asyncio.create_task(send()))
    assert offsets(stamps)[-1] == pytest.approx(1.13 + 2.0)


async def test_a_short_pause_does_not_disturb_slots_after_it() -> None:
    clock = VirtualTime()
    limiter = LocalRateLimiter(25, now=clock.now, sleep=clock.sleep)
    stamps: list[float] = []
    send = sender(limiter.acquire, clock.now, stamps)
    senders = [asyncio.create_task(send()) for _ in range(3)]
    await clock.settle()
    await limiter.pause(0.01)

    await clock.run(*senders)

    assert offsets(stamps) == pytest.approx([0, 0.04, 0.08])


async def test_each_instance_keeps_its_own_rate() -> None:
    clock = VirtualTime()
    slow = LocalRateLimiter(10, now=clock.now, sleep=clock.sleep)
    fast = LocalRateLimiter(25, now=clock.now, sleep=clock.sleep)
    slow_stamps: list[float] = []
    fast_stamps: list[float] = []
    send_slow = sender(slow.acquire, clock.now, slow_stamps)
    send_fast = sender(fast.acquire, clock.now, fast_stamps)

    await clock.run(
        *(asyncio.create_task(send_slow()) for _ in range(3)),
        *(asyncio.create_task(send_fast()) for _ in range(3)),
    )

    assert offsets(slow_stamps) == pytest.approx([0, 0.1, 0.2])
    assert offsets(fast_stamps) == pytest.approx([0, 0.04, 0.08])


@pytest.mark.parametrize("rate", [0, -5, math.nan, math.inf])
def test_a_rate_must_be_a_positive_number(rate: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        LocalRateLimiter(rate)


async def test_cancelling_the_last_waiter_hands_its_slot_back() -> None:
    clock = VirtualTime()
    limiter = LocalRateLimiter(25, now=clock.now, sleep=clock.sleep)
    stamps: list[float] = []
    send = sender(limiter.acquire, clock.now, stamps)
    first, second, third = (asyncio.create_task(send()) for _ in range(3))
    await clock.settle()

    third.cancel()
    await clock.run(first, second, asyncio.create_task(send()))

    assert offsets(stamps) == pytest.approx([0, 0.04, 0.08])


async def test_cancelling_every_waiter_in_any_order_leaves_no_debt() -> None:
    clock = VirtualTime()
    limiter = LocalRateLimiter(25, now=clock.now, sleep=clock.sleep)
    stamps: list[float] = []
    send = sender(limiter.acquire, clock.now, stamps)
    first, *waiting = (asyncio.create_task(send()) for _ in range(100))
    await clock.settle()

    # Oldest first, the order that a naive "give back the newest slot" would not undo.
    for task in waiting:
        task.cancel()
    await clock.run(first, asyncio.create_task(send()))

    assert offsets(stamps) == pytest.approx([0, 0.04])


async def test_a_slot_given_up_mid_queue_stays_unused_and_never_speeds_anyone_up() -> None:
    clock = VirtualTime()
    limiter = LocalRateLimiter(25, now=clock.now, sleep=clock.sleep)
    stamps: list[float] = []
    send = sender(limiter.acquire, clock.now, stamps)
    first, second, third = (asyncio.create_task(send()) for _ in range(3))
    await clock.settle()

    second.cancel()
    await clock.run(first, third, asyncio.create_task(send()))

    assert offsets(stamps) == pytest.approx([0, 0.08, 0.12])


# Spacing per chat


async def test_two_messages_to_one_chat_are_a_second_apart_other_chats_do_not_wait() -> None:
    clock = VirtualTime()
    spacing = ChatSpacing(now=clock.now, sleep=clock.sleep)
    stamps: dict[int, list[float]] = {1: [], 2: []}

    async def send(chat_id: int) -> None:
        await spacing.wait(chat_id)
        stamps[chat_id].append(clock.now())

    await clock.run(*(asyncio.create_task(send(chat)) for chat in (1, 1, 2, 1)))

    assert offsets(stamps[1]) == pytest.approx([0, 1.0, 2.0])
    assert offsets(stamps[2]) == [0]


async def test_cancelling_a_chat_wait_hands_its_slot_back() -> None:
    clock = VirtualTime()
    spacing = ChatSpacing(now=clock.now, sleep=clock.sleep)
    await spacing.wait(7)
    waiting = asyncio.create_task(spacing.wait(7))
    await clock.settle()

    waiting.cancel()
    await clock.settle()
    stamps: list[float] = []
    await clock.run(asyncio.create_task(sender(lambda: spacing.wait(7), clock.now, stamps)()))

    assert offsets(stamps) == pytest.approx([1.0])


async def test_memory_stays_bounded_across_100_000_chats() -> None:
    clock = VirtualTime()
    spacing = ChatSpacing(now=clock.now, sleep=clock.sleep)
    largest = 0

    for chat_id in range(100_000):
        clock.t += 0.04  # a broadcast at 25 messages/s
        await spacing.wait(chat_id)
        largest = max(largest, len(spacing))

    assert largest <= ChatSpacing.MIN_SWEEP_SIZE
    # Chats still inside their second are remembered: a second message to one waits.
    last_sent = clock.t
    stamps: list[float] = []
    await clock.run(asyncio.create_task(sender(lambda: spacing.wait(99_999), clock.now, stamps)()))
    assert stamps[0] - last_sent == pytest.approx(1.0)


async def test_a_burst_to_many_chats_is_forgotten_once_time_moves_on() -> None:
    clock = VirtualTime()
    spacing = ChatSpacing(now=clock.now, sleep=clock.sleep)
    for chat_id in range(5000):
        await spacing.wait(chat_id)
    assert len(spacing) == 5000  # all within their second: none may be forgotten yet

    clock.t += 2
    for chat_id in range(5000, 5000 + 2 * 5000):
        await spacing.wait(chat_id)
        clock.t += 0.001

    assert len(spacing) < 2 * 1000 + 1


# Choosing and checking


async def test_without_redis_url_the_limiter_is_local() -> None:
    for url in (None, ""):
        limiter = make_rate_limiter(25, url, "standby:broadcast-rate:1")
        assert isinstance(limiter, LocalRateLimiter)
        assert limiter.rate == 25
        await limiter.close()


async def test_with_redis_url_the_limiter_is_shared_and_connects_only_when_used(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = make_rate_limiter(25, CLOSED_PORT_URL, "standby:broadcast-rate:1")
    assert isinstance(limiter, RedisRateLimiter)
    await limiter.close()
    assert caplog.records == []


@pytest.mark.parametrize(
    "url",
    ["redis://:s3cret-pw@127.0.0.1:1/0", "http://user:s3cret-pw@127.0.0.1/0"],
    ids=["closed-port", "not-redis"],
)
async def test_check_redis_says_why_without_the_url(url: str) -> None:
    with pytest.raises(RedisUnavailableError) as raised:
        await check_redis(url)

    message = str(raised.value)
    assert message.startswith("cannot reach REDIS_URL: ")
    assert "ConnectionError" in message or "ValueError" in message
    assert "s3cret" not in message
    assert raised.value.__suppress_context__


async def test_an_unreachable_redis_falls_back_to_the_local_rate_once_warned(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    limiter = make_rate_limiter(50, CLOSED_PORT_URL, "standby:broadcast-rate:1")
    stamps: list[float] = []
    send = sender(limiter.acquire, time.monotonic, stamps)
    try:
        await asyncio.gather(*(send() for _ in range(26)))
        await limiter.pause(0.1)
        await send()
    finally:
        await limiter.close()

    assert stamps[25] - stamps[0] >= 25 * 0.02 - 0.002
    assert stamps[26] - stamps[25] >= 0.1 - 0.002
    warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 1
    text = warnings[0].getMessage()
    assert "REDIS_URL" in text
    assert "BROADCAST_RATE" in text
    assert "own rate of 50 messages/s" in text


# Redis shared by several processes


@pytest.fixture
async def redis_url() -> str:
    """The test Redis; the test fails (or skips, if asked to) when it is unreachable."""
    if os.environ.get(REDIS_SWITCH_VARIABLE) == "skip":
        pytest.skip(f"{REDIS_SWITCH_VARIABLE}=skip")
    url = os.environ.get(REDIS_URL_VARIABLE, DEFAULT_REDIS_URL)
    problem: RedisUnavailableError | None = None
    try:
        await check_redis(url)
    except RedisUnavailableError as error:
        problem = error
    if problem is not None:  # failed outside `except`, so the report is just the advice
        pytest.fail(
            f"Redis is not reachable at {REDIS_URL_VARIABLE} ({problem}).\n"
            "The broadcast rate-limit tests need one. Start a server, e.g.\n"
            "  docker run -d -p 6379:6379 redis:7\n"
            f"or point {REDIS_URL_VARIABLE} at one (database 15 by default), "
            f"or set {REDIS_SWITCH_VARIABLE}=skip to skip these tests.",
            pytrace=False,
        )
    return url


@pytest.fixture
async def shared_key(redis_url: str) -> AsyncIterator[str]:
    """A key no other test uses, with everything under it deleted afterwards."""
    key = f"standby-test:broadcast-rate:{secrets.token_hex(8)}"
    yield key
    client = Redis.from_url(redis_url)
    try:
        leftovers = [name async for name in client.scan_iter(match=f"{key}*")]
        if leftovers:
            await client.delete(*leftovers)
    finally:
        await client.aclose()


@pytest.fixture
async def processes(redis_url: str) -> AsyncIterator[list[RateLimiter]]:
    """Limiters made by the test, each with its own client as a process would; closed after."""
    made: list[RateLimiter] = []
    yield made
    for limiter in made:
        await limiter.close()


def process(made: list[RateLimiter], redis_url: str, key: str, rate: float) -> RateLimiter:
    limiter = make_rate_limiter(rate, redis_url, key)
    made.append(limiter)
    return limiter


@pytest.mark.redis
async def test_two_processes_together_keep_to_the_rate(
    redis_url: str, shared_key: str, processes: list[RateLimiter]
) -> None:
    first = process(processes, redis_url, shared_key, 50)
    second = process(processes, redis_url, shared_key, 50)
    stamps: list[float] = []
    sends = [sender(limiter.acquire, time.monotonic, stamps) for limiter in (first, second)]

    await asyncio.gather(*(sends[n % 2]() for n in range(100)))

    stamps.sort()
    elapsed = stamps[-1] - stamps[0]
    assert elapsed >= 99 / 50 - 0.01  # the hundredth slot is 1.98 s after the first
    assert elapsed < 2.5  # and the rate is reached, not merely kept under
    busiest = max(sum(1 for other in stamps if start <= other < start + 1.0) for start in stamps)
    assert busiest <= 50 + 1


@pytest.mark.redis
async def test_a_pause_in_one_process_holds_back_the_other(
    redis_url: str, shared_key: str, processes: list[RateLimiter]
) -> None:
    pausing = process(processes, redis_url, shared_key, 4)
    other = process(processes, redis_url, shared_key, 4)
    await other.acquire()
    # Already holding the next slot (0.25 s on) when the 429 arrives.
    holding = asyncio.create_task(other.acquire())
    await asyncio.sleep(0.1)

    paused_at = time.monotonic()
    await pausing.pause(0.5)
    await pausing.acquire()
    after_pause = time.monotonic() - paused_at
    await holding
    held_back = time.monotonic() - paused_at

    assert after_pause >= 0.5
    assert held_back >= 0.5 + 0.25 - 0.01  # queued again behind the pause, a slot later
    assert held_back < 1.5


@pytest.mark.redis
async def test_the_shared_schedule_expires_when_idle(
    redis_url: str, shared_key: str, processes: list[RateLimiter]
) -> None:
    limiter = process(processes, redis_url, shared_key, 25)
    await limiter.acquire()
    await limiter.pause(0.2)
    client = Redis.from_url(redis_url)
    try:
        names = sorted([name.decode() async for name in client.scan_iter(match=f"{shared_key}*")])
        expiries = [await client.pttl(name) for name in names]
    finally:
        await client.aclose()

    assert names == [shared_key, f"{shared_key}:pause"]
    assert all(0 < expiry <= 200 + 1000 for expiry in expiries)


class FlakyRedis:
    """A real client that can be switched off, as when Redis goes away and comes back."""

    def __init__(self, client: Redis) -> None:
        self.client = client
        self.down = False
        self.calls = 0

    def register_script(self, script: str) -> Callable[..., Awaitable[Any]]:
        real = self.client.register_script(script)

        async def run(keys: list[str], args: list[int]) -> Any:
            self._answer()
            return await real(keys=keys, args=args)

        return run

    async def ping(self) -> bool:
        self._answer()
        return True

    async def aclose(self) -> None:
        await self.client.aclose()

    def _answer(self) -> None:
        if self.down:
            raise RedisConnectionError("Error 111 connecting to redis:6379. Connection refused.")
        self.calls += 1


@pytest.mark.redis
async def test_while_redis_is_down_the_local_rate_applies_until_it_is_back(
    redis_url: str, shared_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    flaky = FlakyRedis(Redis.from_url(redis_url))
    limiter = RedisRateLimiter(cast(Redis, flaky), shared_key, 50, retry_every=0.1)
    stamps: list[float] = []
    send = sender(limiter.acquire, time.monotonic, stamps)
    try:
        await send()
        assert flaky.calls == 1

        flaky.down = True
        for _ in range(5):
            await send()
        await asyncio.sleep(0.15)
        await send()  # starts a probe, which fails quietly
        await asyncio.sleep(0.05)
        warned = [record.getMessage() for record in caplog.records]

        flaky.down = False
        await asyncio.sleep(0.15)
        await send()  # still local while the probe finds Redis back
        await asyncio.sleep(0.05)
        calls = flaky.calls
        await send()
        assert flaky.calls == calls + 1  # shared again
    finally:
        await limiter.close()

    assert len(warned) == 1
    assert "Redis (REDIS_URL) failed (ConnectionError" in warned[0]
    assert [record.levelno for record in caplog.records] == [logging.WARNING, logging.INFO]
    assert "back" in caplog.records[-1].getMessage()
    # The local fallback paced the five messages sent while Redis was down.
    assert stamps[5] - stamps[1] >= 4 * 0.02 - 0.002
