"""Updates from Telegram, by long polling or webhook, written once for both libraries.

Each library only fetches getUpdates as plain JSON and reads one update (`Read`); the
updates are read one by one (reading.py), so an update neither library can read is skipped
and confirmed instead of stalling everyone behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.adapters.telegram.errors import RetryAfter
from bot.adapters.telegram.inbound import Incoming
from bot.adapters.telegram.reading import Read, read_batch, read_update

log = logging.getLogger(__name__)

# getUpdates with `offset` and a long-poll `timeout` in seconds: the updates as JSON.
Fetch = Callable[[int | None, int], Awaitable[Sequence[object]]]
Receive = Callable[[Incoming], Awaitable[None]]

POLL_SECONDS = 25
# Between failed getUpdates calls, doubling; and how long stopping may spend confirming.
FIRST_WAIT, LONGEST_WAIT = 1.0, 60.0
CONFIRM_SECONDS = 3.0


class Updates:
    """Reads updates and hands each to `receive`: `run` polls until `stop`; `feed` takes
    one from the webhook."""

    def __init__(
        self, fetch: Fetch, read: Read, receive: Receive, *, first_wait: float = FIRST_WAIT
    ) -> None:
        self._fetch, self._read, self._receive = fetch, read, receive
        self._first_wait = first_wait
        self._offset: int | None = None
        self._confirmed: int | None = None
        self._call: asyncio.Future[Sequence[object]] | None = None
        self._stop = asyncio.Event()
        self._finished = asyncio.Event()
        self._finished.set()
        self._handing: set[asyncio.Task[None]] = set()

    async def feed(self, data: dict[str, Any]) -> None:
        """One update from the webhook, handled before this returns (then acknowledged).
        One that cannot be read is logged and acknowledged too: Telegram would only send
        it again, and again."""
        found = read_update(data, self._read)
        if found is not None:
            await self._deliver(found)

    async def run(self) -> None:
        """Long-poll until `stop`, riding out failures; each update runs as its own task
        (ordered per chat by the receiver)."""
        self._finished.clear()
        try:
            await self._poll()
        finally:
            self._finished.set()

    async def stop(self) -> None:
        """Stop polling (a long poll under way is cut short) and return once stopped."""
        self._stop.set()
        if self._call is not None:
            self._call.cancel()
        await self._finished.wait()
        # Let the updates just handed on take their place in their chats' queues, so that
        # draining those (runtime.Running.stop) waits for them too.
        await asyncio.sleep(0)

    async def _poll(self) -> None:
        wait = self._first_wait
        stuck = False  # the last answer held nothing new: said once, not every second
        while not self._stop.is_set():
            try:
                updates = await self._next()
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if self._stop.is_set() and not (task is not None and task.cancelling()):
                    break  # `stop` cut the long poll short (and no one cancelled `run`)
                raise
            except RetryAfter as flood:
                log.warning("getUpdates: Telegram asked to wait %s s", flood.seconds)
                await self._pause(flood.seconds)
                continue
            except Exception as failure:  # nothing from afar may end polling
                # The library's error type only: its message is free text from afar.
                kind = type(failure.__cause__ or failure).__name__
                log.warning("getUpdates failed (%s); trying again in %.0f s", kind, wait)
                await self._pause(wait)
                wait = min(wait * 2, LONGEST_WAIT)
                continue
            wait = self._first_wait
            offset = self._offset
            batch = read_batch(updates, self._read, offset, quiet=stuck)
            self._offset = batch.offset
            for incoming in batch.incoming:
                self._hand_on(incoming)
            was_stuck, stuck = stuck, bool(updates) and batch.offset == offset
            if stuck:
                # Only updates already confirmed or without a usable id: the server would
                # give the same again at once. Don't spin on it, nor log it every time.
                if not was_stuck:
                    log.warning(
                        "getUpdates gave nothing new to confirm; asking again each %.0f s", wait
                    )
                await self._pause(wait)
        await self._confirm()

    async def _next(self) -> Sequence[object]:
        self._call = asyncio.ensure_future(self._fetch(self._offset, POLL_SECONDS))
        updates = await self._call
        self._confirmed = self._offset
        return updates

    async def _confirm(self) -> None:
        """Tell Telegram which updates were taken, as the next poll would have: a restart
        then starts after them instead of receiving them again."""
        if self._offset == self._confirmed:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._fetch(self._offset, 0), CONFIRM_SECONDS)

    async def _pause(self, seconds: float) -> None:
        """Wait `seconds`, or less if stopped meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    def _hand_on(self, incoming: Incoming) -> None:
        task = asyncio.create_task(self._deliver(incoming))
        self._handing.add(task)  # the event loop keeps only a weak reference
        task.add_done_callback(self._handing.discard)

    async def _deliver(self, incoming: Incoming) -> None:
        try:
            await self._receive(incoming)
        except Exception:  # the receiver should not raise; if it does, log no more than this
            log.exception("update %d could not be handled", incoming.update_id)
