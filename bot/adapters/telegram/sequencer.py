"""Updates from one chat run one after another; different chats run side by side.

Ordering is fixed at the moment an update arrives (before anything is awaited), by
chaining its work onto the previous work for the same chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class ChatSequencer:
    def __init__(self) -> None:
        self._tails: dict[int, asyncio.Task[None]] = {}

    def submit(self, chat_id: int, work: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Schedule `work` after everything already submitted for `chat_id`."""
        previous = self._tails.get(chat_id)

        async def in_turn() -> None:
            if previous is not None:
                # Wait for it however it ends (failed or cancelled), never taking its fate.
                await asyncio.wait([previous])
            await work()

        task = asyncio.ensure_future(in_turn())
        self._tails[chat_id] = task
        task.add_done_callback(lambda done: self._forget(chat_id, done))
        return task

    def _forget(self, chat_id: int, done: asyncio.Task[None]) -> None:
        if self._tails.get(chat_id) is done:
            del self._tails[chat_id]

    async def drain(self) -> None:
        """Wait for all submitted work (used before shutting down)."""
        while self._tails:
            await asyncio.gather(*self._tails.values(), return_exceptions=True)

    def __len__(self) -> int:
        return len(self._tails)
