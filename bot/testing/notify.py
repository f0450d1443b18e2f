"""A broadcast "something changed" signal that waiters re-check their condition on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Notifier:
    """Wakes every waiter on each change; cheap because the emulator's state is small."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake everyone waiting now; later waiters wait for the next change."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, condition: Callable[[], bool], within: float | None) -> bool:
        """Wait until `condition()` holds; False if `within` seconds pass first."""
        loop = asyncio.get_running_loop()
        deadline = None if within is None else loop.time() + within
        while not condition():
            event = self._event
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return condition()
        return True
