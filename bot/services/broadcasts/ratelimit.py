"""Sending broadcasts at Telegram's limits: an overall rate, a pause on 429, one per chat.

Telegram allows a bot about 30 messages a second overall (1000 with paid broadcasts) and
about one a second per chat, and answers 429 with `retry_after` when either is exceeded.
Its counter, like the emulator's, is a sliding second, so the limiters here space
messages evenly (a reservation schedule, also known as GCRA) rather than letting a
second's allowance out in a burst: evenly spaced is what reaches the whole rate without
429s.

Several bot processes can share one broadcast; with REDIS_URL they share one schedule in
Redis, so together they keep to BROADCAST_RATE. If Redis fails each process falls back to
its own schedule (and says so once) rather than stopping the broadcast.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, cast

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

Now = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# While Redis is unreachable, how often (seconds) to see whether it is back.
REDIS_RETRY_EVERY = 5.0
# A rate-limit call waits at most this long for Redis before falling back: a broadcast
# should slow down briefly, not stall, when Redis is slow or unreachable.
REDIS_TIMEOUT = 2.0

# Errors that mean "Redis is not answering properly": redis-py wraps most in RedisError,
# OSError catches a socket error (or the built-in TimeoutError) that slips through.
REDIS_FAILURES = (RedisError, OSError)


class RateLimiter(Protocol):
    async def acquire(self) -> None:
        """Wait until one more message may be sent under the overall rate."""
        ...

    async def pause(self, seconds: float) -> None:
        """Telegram answered 429: nobody (in any process sharing this limiter) sends for
        `seconds` from now."""
        ...

    async def close(self) -> None:
        """Release what the limiter holds (a Redis connection)."""
        ...


def _checked_rate(rate: float) -> float:
    if not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"a broadcast rate must be a positive number of messages/s, not {rate}")
    return float(rate)


class LocalRateLimiter:
    """Messages spaced exactly `1/rate` seconds apart within this process.

    Each `acquire` reserves the next free slot, `max(now, next_slot)`, moves `next_slot`
    on by `1/rate` and sleeps until its slot, so concurrent senders are spaced evenly.

    A cancelled `acquire` hands its slot back when nobody still waiting reserved after it
    (so cancelling a whole broadcast's waiters leaves no debt behind, in any order). A
    slot given up in the middle of a queue stays unused: later senders keep their places,
    so sending is slower by one interval for that turn, never faster than `rate`.
    """

    def __init__(
        self, rate: float, *, now: Now = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.rate = _checked_rate(rate)
        self.interval = 1.0 / self.rate
        self._now = now
        self._sleep = sleep
        self._next_slot = -math.inf
        self._last_granted = -math.inf
        self._paused_until = -math.inf
        # Slots reserved by callers still sleeping, by ticket; tickets and slots increase
        # together, so the newest is last (dicts keep insertion order).
        self._waiting: dict[int, float] = {}
        self._tickets = 0

    async def acquire(self) -> None:
        while True:
            now = self._now()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
            if slot <= now:
                self._last_granted = max(self._last_granted, slot)
                return
            ticket = self._tickets
            self._tickets += 1
            self._waiting[ticket] = slot
            try:
                await self._sleep(slot - now)
            except BaseException:  # cancelled, most likely: the broadcast was stopped
                del self._waiting[ticket]
                self._rewind()
                raise
            del self._waiting[ticket]
            if slot >= self._paused_until:
                self._last_granted = max(self._last_granted, slot)
                return
            # A 429 arrived while this caller slept and its slot falls inside the pause:
            # it queues again behind the pause.

    async def pause(self, seconds: float) -> None:
        resume = self._now() + max(seconds, 0.0)
        self._paused_until = max(self._paused_until, resume)
        self._next_slot = max(self._next_slot, resume)

    async def close(self) -> None:
        """Nothing to release."""

    def _rewind(self) -> None:
        """After a cancellation: the next slot follows the newest one still in use."""
        newest = self._last_granted
        if self._waiting:
            newest = max(newest, self._waiting[next(reversed(self._waiting))])
        self._next_slot = max(newest + self.interval, self._paused_until)


class ChatSpacing:
    """At most one message per chat per `interval` seconds (Telegram: ~1/s per chat) within
    this process."""

    # Chats are forgotten once their next slot has passed (a new message may go at once,
    # as for a chat never seen); the map is swept when it doubles, so sweeping is
    # amortised O(1) per message and memory follows the chats sent to in the last
    # `interval`, not all 100,000 subscribers.
    MIN_SWEEP_SIZE = 1024

    def __init__(
        self, interval: float = 1.0, *, now: Now = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.interval = interval
        self._now = now
        self._sleep = sleep
        self._next_slot: dict[int, float] = {}
        self._sweep_at = self.MIN_SWEEP_SIZE

    def __len__(self) -> int:
        """How many chats are remembered."""
        return len(self._next_slot)

    async def wait(self, chat_id: int) -> None:
        """Reserve the chat's next slot and sleep until it."""
        now = self._now()
        slot = max(now, self._next_slot.get(chat_id, now))
        self._next_slot[chat_id] = slot + self.interval
        if len(self._next_slot) >= self._sweep_at:
            self._sweep(now)
        if slot <= now:
            return
        try:
            await self._sleep(slot - now)
        except BaseException:
            # Hand the slot back unless another message for this chat reserved after it.
            if self._next_slot.get(chat_id) == slot + self.interval:
                self._next_slot[chat_id] = slot
            raise

    def _sweep(self, now: float) -> None:
        self._next_slot = {chat: slot for chat, slot in self._next_slot.items() if slot > now}
        self._sweep_at = max(self.MIN_SWEEP_SIZE, 2 * len(self._next_slot))


# The shared schedule. KEYS[1] holds the next free slot and KEYS[2] the end of the latest
# pause, both in microseconds on Redis's own clock (TIME), which every process agrees on
# whichever machine it runs on. Each expires a second after it stops mattering, so an
# idle limiter leaves nothing behind.
#
# ARGV[1]: microseconds between messages. ARGV[2]: -1 to reserve a slot, or the slot the
# caller reserved and has slept until, to confirm it: a pause that began meanwhile and
# covers it sends the caller to the back of the queue instead. Returns {µs to wait, slot}:
# wait 0 means send now.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local pause_end = tonumber(redis.call('GET', KEYS[2]) or '0')
local held = tonumber(ARGV[2])
if held >= 0 and held >= pause_end then
  return {math.max(held - now, 0), held}
end
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'), pause_end)
local nxt = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.0f', nxt),
           'PX', string.format('%d', math.floor((nxt - now) / 1000) + 1000))
return {slot - now, slot}
"""

# Nobody sends for ARGV[1] microseconds from Redis's now: the pause's end is recorded (for
# callers already holding a slot) and the next free slot pushed to at least that.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local resume = now + tonumber(ARGV[1])
local value = string.format('%.0f', resume)
local ttl = string.format('%d', math.floor((resume - now) / 1000) + 1000)
if resume > tonumber(redis.call('GET', KEYS[2]) or '0') then
  redis.call('SET', KEYS[2], value, 'PX', ttl)
end
if resume > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], value, 'PX', ttl)
end
return 0
"""


class RedisRateLimiter:
    """One schedule shared by every process using the same Redis and `key`.

    Each process keeps at most one slot reserved in Redis at a time (its senders take
    turns for it): the processes interleave fairly, and a cancelled `acquire` strands at
    most one slot (one interval) rather than a whole queue's worth in the shared schedule.

    If Redis fails, one warning is logged and this process paces itself with `fallback`
    (by default a LocalRateLimiter at the same rate), trying Redis again every
    `retry_every` seconds in the background; it logs when Redis is back. Redis errors
    never reach the caller. The limiter owns `client`: `close` closes it.
    """

    def __init__(
        self,
        client: Redis,
        key: str,
        rate: float,
        *,
        sleep: Sleep = asyncio.sleep,
        fallback: LocalRateLimiter | None = None,
        now: Now = time.monotonic,
        retry_every: float = REDIS_RETRY_EVERY,
    ) -> None:
        self.rate = _checked_rate(rate)
        self.key = key
        self._client = client
        self._keys = [key, f"{key}:pause"]
        # Rounded up so that the shared rate is never above `rate`.
        self._interval_us = max(1, math.ceil(1_000_000 / self.rate))
        self._sleep = sleep
        self._now = now
        self._fallback = fallback or LocalRateLimiter(self.rate, now=now, sleep=sleep)
        self._retry_every = retry_every
        self._acquire_script = client.register_script(_ACQUIRE)
        self._pause_script = client.register_script(_PAUSE)
        self._turn = asyncio.Lock()
        self._shared = True
        self._retry_at = -math.inf
        self._probe: asyncio.Task[None] | None = None

    async def acquire(self) -> None:
        async with self._turn:
            if self._use_shared():
                try:
                    await self._acquire_shared()
                except REDIS_FAILURES as error:
                    self._lost(error)
                else:
                    return
            await self._fallback.acquire()

    async def pause(self, seconds: float) -> None:
        # The local schedule pauses too, so the pause holds even if Redis fails meanwhile.
        await self._fallback.pause(seconds)
        if not self._use_shared():
            return
        try:
            await self._pause_script(keys=self._keys, args=[math.ceil(max(seconds, 0) * 1e6)])
        except REDIS_FAILURES as error:
            self._lost(error)

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            # The probe's own outcome no longer matters, only that it has stopped.
            await asyncio.gather(self._probe, return_exceptions=True)
        await self._client.aclose()

    async def _acquire_shared(self) -> None:
        held = -1
        while True:
            wait_us, slot = await self._acquire_script(
                keys=self._keys, args=[self._interval_us, held]
            )
            if wait_us <= 0:
                return
            held = int(slot)
            await self._sleep(int(wait_us) / 1_000_000)

    def _use_shared(self) -> bool:
        if self._shared:
            return True
        if self._probe is None and self._now() >= self._retry_at:
            # Probing in the background: a Redis that times out would otherwise hold up
            # every sender for the timeout at each retry.
            self._probe = asyncio.create_task(self._try_redis_again())
        return False

    def _lost(self, error: BaseException) -> None:
        self._retry_at = self._now() + self._retry_every
        if not self._shared:
            return
        self._shared = False
        log.warning(
            "Redis (REDIS_URL) failed (%s: %s): broadcasts continue at this process's own "
            "rate of %g messages/s, so several bot processes together may exceed "
            "BROADCAST_RATE and meet Telegram's flood control (which is still honoured). "
            "Trying Redis again every %g s.",
            type(error).__name__,
            error,
            self.rate,
            self._retry_every,
        )

    async def _try_redis_again(self) -> None:
        try:
            # redis-py types ping() for its blocking and asyncio clients alike.
            await cast("Awaitable[bool]", self._client.ping())
        except REDIS_FAILURES as error:
            log.debug("Redis (REDIS_URL) still failing: %s", type(error).__name__)
            self._retry_at = self._now() + self._retry_every
        else:
            self._shared = True
            log.info("Redis (REDIS_URL) is back: the broadcast rate is shared again")
        finally:
            self._probe = None


class RedisUnavailableError(Exception):
    """REDIS_URL is set but Redis cannot be used; the message never holds the URL."""


def _redis_client(redis_url: str, *, retries: int) -> Redis:
    return Redis.from_url(
        redis_url,
        socket_connect_timeout=REDIS_TIMEOUT,
        socket_timeout=REDIS_TIMEOUT,
        # redis-py's default retries back off for seconds; one quick retry is enough to
        # ride over a dropped idle connection, and after that the fallback takes over.
        retry=Retry(NoBackoff(), retries),
    )


def make_rate_limiter(rate: float, redis_url: str | None, key: str) -> RateLimiter:
    """RedisRateLimiter when `redis_url` is given (key e.g. "standby:broadcast-rate:<bot
    id>"), else LocalRateLimiter. Nothing connects until the first message."""
    if not redis_url:
        return LocalRateLimiter(rate)
    return RedisRateLimiter(_redis_client(redis_url, retries=1), key, rate)


async def check_redis(redis_url: str) -> None:
    """Ping Redis once; raise RedisUnavailableError saying why if that fails."""
    # `from None` throughout: the chained error could show the URL, which may hold a
    # password, and the message already says what went wrong.
    try:
        client = _redis_client(redis_url, retries=0)
    except ValueError as error:  # not a redis://, rediss:// or unix:// URL
        raise RedisUnavailableError(
            f"cannot reach REDIS_URL: {type(error).__name__}: {error}"
        ) from None
    try:
        await cast("Awaitable[bool]", client.ping())
    except REDIS_FAILURES as error:
        raise RedisUnavailableError(
            f"cannot reach REDIS_URL: {type(error).__name__}: {error}"
        ) from None
    finally:
        await client.aclose()
