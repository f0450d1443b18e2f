"""Calling Telegram patiently: flood waits are honoured, brief failures retried.

429 waits exactly `retry_after` (Telegram's rule) and tries again; 5xx, timeouts and
network errors back off 0.5, 1, 2, 4 s. A person who blocked the bot (403) and requests
Telegram refuses (400) are not retried: they are raised for the caller to handle.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.adapters.telegram.errors import RetryAfter, Transient

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_FLOOD_WAITS = 5
BACKOFF = (0.5, 1.0, 2.0, 4.0)

Sleep = Callable[[float], Awaitable[None]]


async def patiently(call: Callable[[], Awaitable[T]], *, sleep: Sleep = asyncio.sleep) -> T:
    flood_waits = 0
    failures = 0
    while True:
        try:
            return await call()
        except RetryAfter as flood:
            flood_waits += 1
            if flood_waits > MAX_FLOOD_WAITS:
                raise
            log.warning("Telegram asked to wait %s s (flood control)", flood.seconds)
            await sleep(flood.seconds)
        except Transient as failure:
            if failures >= len(BACKOFF):
                raise
            # The library's error type, not its message: network errors can quote a
            # request (its URL holds the token) or a library's free text.
            kind = type(failure.__cause__ or failure).__name__
            log.warning("Telegram call failed (%s); retrying in %s s", kind, BACKOFF[failures])
            await sleep(BACKOFF[failures])
            failures += 1
