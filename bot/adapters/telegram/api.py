"""The narrow port to the Bot API that each library implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# Rows of (label, callback_data).
Keyboard = tuple[tuple[tuple[str, str], ...], ...]
PARSE_MODE = "HTML"


@dataclass(frozen=True, slots=True)
class BotInfo:
    id: int
    username: str


@dataclass(frozen=True, slots=True)
class Command:
    command: str
    description: str


class BotApi(Protocol):
    """Only what Standby uses. Implementations raise the errors in `errors.py`."""

    async def get_me(self) -> BotInfo: ...

    async def send_message(
        self,
        chat_id: int,
        text: str,
        keyboard: Keyboard | None,
        *,
        reply_to: int | None = None,
        paid: bool = False,
    ) -> int:
        """Send HTML text; returns the new message id. `reply_to` quotes a message (sent
        anyway if it is gone); `paid` is a paid broadcast (allow_paid_broadcast)."""
        ...

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: Keyboard | None
    ) -> None: ...

    async def delete_message(self, chat_id: int, message_id: int) -> None:
        """Delete one message (where deleteMessages is missing or refused)."""
        ...

    async def delete_messages(self, chat_id: int, message_ids: Sequence[int]) -> None:
        """Delete up to 100 messages at once."""
        ...

    async def answer_callback(self, query_id: str, text: str | None = None) -> None: ...

    async def set_commands(self, commands: Sequence[Command], language: str | None) -> None: ...

    async def set_webhook(self, url: str, secret: str | None) -> None: ...

    async def delete_webhook(self) -> None: ...

    async def download(self, file_id: str) -> bytes:
        """A file someone sent: getFile, then its bytes (bots may fetch up to 20 MB)."""
        ...
