"""What a method handler gets: the world, the calling bot, the parameters, and helpers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.testing.accounts import EmulatedBot
from bot.testing.errors import CANT_INITIATE, bad_request, forbidden
from bot.testing.models import Chat, ChatMessage
from bot.testing.params import Params
from bot.testing.world import World


@dataclass(frozen=True)
class Described:
    """A result that Telegram answers with a `description` too (setWebhook and friends)."""

    result: Any
    description: str


class Call:
    """One Bot API call being answered."""

    def __init__(self, world: World, bot: EmulatedBot, params: Params) -> None:
        self.world = world
        self.bot = bot
        self.params = params

    def chat_id(self) -> int | None:
        """The chat_id parameter; usernames ("@channel") name no chat the emulator has."""
        raw = self.params.raw("chat_id")
        if raw is None or raw == "":
            return None
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None

    def chat(self) -> Chat:
        """The target chat, or 400 "chat not found"."""
        return self.bot.chat(self.chat_id())

    def chat_to_send(self) -> Chat:
        """The target chat of a send: 403 when the person blocked or never started the bot."""
        chat = self.chat()
        if chat.blocked_reason is not None:
            raise forbidden(chat.blocked_reason)
        if chat.type == "private" and not chat.started:
            raise forbidden(CANT_INITIATE)
        return chat

    def spend_rate(self, chat: Chat) -> None:
        """Count one send against flood control, or raise 429."""
        paid = self.params.flag("allow_paid_broadcast")
        self.world.limiter.acquire(self.bot.id, chat.id, chat.type != "private", paid)

    def message(self, chat: Chat, missing: str) -> ChatMessage:
        """The live message named by message_id; 400 `missing` if absent or deleted."""
        message_id = self.params.integer("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.find(message_id)
        if message is None or message.deleted:
            raise bad_request(missing)
        return message

    def changed(self) -> None:
        """Tell waiters (drivers, long polls) that the state moved."""
        self.world.changed.notify()


Handler = Callable[[Call], Awaitable[Any]]
