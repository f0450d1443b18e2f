"""What the conversation service needs from an adapter: somewhere to send events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.engine import Event
from bot.storage import ContactRecord


class Sender(Protocol):
    """Shows a sprint's events to one person (Telegram, a terminal, a test recorder)."""

    async def deliver(self, contact: ContactRecord, events: Sequence[Event]) -> None:
        """Render and send the messages among `events`, in order."""
        ...

    async def erase(self, contact: ContactRecord, *, tell_if_kept: bool = True) -> bool:
        """Remove the conversation from the person's screen (quick exit); False when some
        of it stayed. Then, with `tell_if_kept`, the next delivery this turn says so; the
        caller that says so itself (a flow's own words) passes False."""
        ...


class FileSource(Protocol):
    """Where the files people send can be fetched from (Telegram's getFile and download)."""

    async def download(self, file_id: str) -> bytes:
        """The file's bytes; raises (anything) when it cannot be fetched."""
        ...
