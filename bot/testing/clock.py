"""The emulator's clock: message dates, the 48-hour delete rule and rate-limit refills use it.

Waiting (long polls, webhook back-off, timeouts) always uses real time, because the
clients on the other side of the socket do.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current Unix time in seconds."""

    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> float:
        """Seconds since the epoch, from the operating system."""
        return time.time()


class FakeClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start

    def now(self) -> float:
        """The time the test last set."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward (e.g. past the 48-hour delete window)."""
        if seconds < 0:
            raise ValueError("a clock does not run backwards")
        self._now += seconds

    def set(self, now: float) -> None:
        """Jump to an absolute time."""
        self._now = now
