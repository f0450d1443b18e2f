"""Flood control like Telegram's: per bot, per chat and per group token buckets.

Buckets refill by the emulator's clock, so with a `FakeClock` a test decides exactly when
a bot may send again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.testing.clock import Clock
from bot.testing.errors import too_many_requests


@dataclass(frozen=True)
class RateLimits:
    """How fast a bot may send; Telegram's published figures by default."""

    enabled: bool = True
    bot_per_second: float = 30.0
    bot_burst: int = 30
    paid_per_second: float = 1000.0
    chat_per_second: float = 1.0
    chat_burst: int = 5
    group_per_minute: float = 20.0

    @classmethod
    def off(cls) -> RateLimits:
        """No flood control at all."""
        return cls(enabled=False)


class TokenBucket:
    """`capacity` sends at once, refilled at `rate` per second."""

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self._tokens = capacity
        self._updated = now

    def wait(self, now: float) -> float:
        """Seconds until one send is allowed (0 when it is allowed now)."""
        self._refill(now)
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    def take(self, now: float) -> None:
        """Spend one send."""
        self._refill(now)
        self._tokens -= 1

    def _refill(self, now: float) -> None:
        elapsed = max(now - self._updated, 0.0)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now


class RateLimiter:
    """Decides whether a send may go out now, or answers 429 with `retry_after`."""

    def __init__(self, limits: RateLimits, clock: Clock) -> None:
        self.limits = limits
        self._clock = clock
        self._buckets: dict[tuple[str, int, int], TokenBucket] = {}

    def reset(self, limits: RateLimits | None = None) -> None:
        """Forget all history, optionally switching to new limits."""
        if limits is not None:
            self.limits = limits
        self._buckets.clear()

    def acquire(self, bot_id: int, chat_id: int, group: bool, paid: bool = False) -> None:
        """Spend one send for `bot_id` in `chat_id`, or raise 429 when over a limit."""
        if not self.limits.enabled:
            return
        now = self._clock.now()
        buckets = [
            self._bot_bucket(bot_id, paid, now),
            self._chat_bucket(bot_id, chat_id, group, now),
        ]
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        for bucket in buckets:
            bucket.take(now)

    def _bot_bucket(self, bot_id: int, paid: bool, now: float) -> TokenBucket:
        limits = self.limits
        if paid:
            # allow_paid_broadcast lifts only the bot-wide limit, at a price per message.
            return self._bucket(
                ("paid", bot_id, 0), limits.paid_per_second, limits.paid_per_second, now
            )
        return self._bucket(("bot", bot_id, 0), limits.bot_burst, limits.bot_per_second, now)

    def _chat_bucket(self, bot_id: int, chat_id: int, group: bool, now: float) -> TokenBucket:
        limits = self.limits
        if group:
            per_minute = limits.group_per_minute
            return self._bucket(("group", bot_id, chat_id), per_minute, per_minute / 60, now)
        return self._bucket(
            ("chat", bot_id, chat_id), limits.chat_burst, limits.chat_per_second, now
        )

    def _bucket(
        self, key: tuple[str, int, int], capacity: float, rate: float, now: float
    ) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(capacity, rate, now)
        return bucket
