"""The port delivery sends through, and what a send can come to.

The Telegram adapter implements it, mapping its library's errors to these results, so
the delivery engine decides what each means without knowing any Telegram library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: int


@dataclass(frozen=True, slots=True)
class FloodWait:
    """429: every sender waits `seconds` before sending anything."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Unreachable:
    """403: the person blocked the bot or their account is gone."""


@dataclass(frozen=True, slots=True)
class Retryable:
    """5xx, a timeout, a network failure: worth another try shortly."""


@dataclass(frozen=True, slots=True)
class Refused:
    """400 and other refusals that another try would not change."""


SendResult = Sent | FloodWait | Unreachable | Retryable | Refused


class AlertChannel(Protocol):
    async def send_alert(
        self, chat_id: int, text: str, *, reply_to: int | None, paid: bool
    ) -> SendResult:
        """Send plain `text` (escaped by the channel) to a subscriber."""
        ...

    async def notify(self, chat_id: int, text: str) -> int | None:
        """Tell an admin something; the message id, or None if it could not be sent."""
        ...

    async def update_note(self, chat_id: int, message_id: int, text: str) -> bool:
        """Edit a message sent with `notify`; False if Telegram refused."""
        ...
