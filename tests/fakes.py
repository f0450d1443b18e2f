"""Fakes for the ports (not mocks): they behave like the real thing and remember."""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine import Event
from bot.storage import ContactRecord


class RecordingSender:
    """A Sender that keeps every event it was asked to deliver, per contact."""

    def __init__(self) -> None:
        self.delivered: dict[int, list[Event]] = {}
        self.erased: list[int] = []
        # Contacts whose chat keeps messages an erase could not delete.
        self.unerasable: set[int] = set()

    async def deliver(self, contact: ContactRecord, events: Sequence[Event]) -> None:
        self.delivered.setdefault(contact.id, []).extend(events)

    async def erase(self, contact: ContactRecord, *, tell_if_kept: bool = True) -> bool:
        self.erased.append(contact.id)
        return contact.id not in self.unerasable
