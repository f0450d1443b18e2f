"""A registered bot and everything Telegram keeps for it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.testing.errors import bad_request
from bot.testing.files import FileStore
from bot.testing.models import CallbackQuery, CallRecord, Chat, Json, Person
from bot.testing.notify import Notifier
from bot.testing.updates import UpdateQueue

TOKEN_FORMAT = re.compile(r"^(\d+):[A-Za-z0-9_-]+$")


@dataclass
class WebhookConfig:
    """What setWebhook stored."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None


@dataclass
class WebhookStatus:
    """How delivery to the webhook is going, for getWebhookInfo and for tests."""

    last_error_date: int | None = None
    last_error_message: str | None = None
    deliveries: int = 0
    failures: int = 0


@dataclass(eq=False)
class EmulatedBot:
    """One bot: its identity, chats, files, updates, webhook and the calls it made."""

    token: str
    username: str
    first_name: str
    changed: Notifier = field(repr=False)
    chats: dict[int, Chat] = field(default_factory=dict, repr=False)
    commands: dict[tuple[str, str], list[Json]] = field(default_factory=dict, repr=False)
    callback_queries: dict[str, CallbackQuery] = field(default_factory=dict, repr=False)
    calls: list[CallRecord] = field(default_factory=list, repr=False)
    webhook: WebhookConfig | None = None
    webhook_status: WebhookStatus = field(default_factory=WebhookStatus)
    too_many_requests_served: int = 0
    id: int = field(init=False)
    updates: UpdateQueue = field(init=False, repr=False)
    files: FileStore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        match = TOKEN_FORMAT.match(self.token)
        if match is None:
            raise ValueError(f"a bot token looks like 123456:ABC-def, not {self.token!r}")
        # The bot's user id is the number before the colon, as in Telegram.
        self.id = int(match.group(1))
        self.updates = UpdateQueue(self.changed)
        self.files = FileStore(self.id)

    def to_api(self) -> Json:
        """The bot as a `User` object (the `from` of its messages)."""
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def get_me(self) -> Json:
        """The answer to getMe."""
        return {
            **self.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def private_chat(self, person: Person) -> Chat:
        """The private chat with `person`, made on first use (its id is the person's id)."""
        chat = self.chats.get(person.id)
        if chat is None:
            chat = self.chats[person.id] = Chat(person.id, "private", person=person)
        return chat

    def chat(self, chat_id: int | None) -> Chat:
        """A chat the bot knows, or Telegram's 400 "chat not found"."""
        if chat_id is None:
            raise bad_request("chat_id is empty")
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def calls_of(self, method: str) -> list[CallRecord]:
        """Calls of one method (any spelling), oldest first."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def commands_for(self, scope: Json | None = None, language_code: str = "") -> list[Json]:
        """The commands set for a scope and language (default scope, all languages)."""
        return list(self.commands.get((scope_key(scope), language_code), []))

    def push(self, kind: str, payload: dict[str, Any]) -> Json | None:
        """Queue an update for this bot."""
        return self.updates.push(kind, payload)


def scope_key(scope: Json | None) -> str:
    """A stable key for a BotCommandScope object."""
    if not scope:
        return "default"
    parts = [str(scope.get("type", "default"))]
    parts += [f"{key}={scope[key]}" for key in ("chat_id", "user_id") if key in scope]
    return ":".join(parts)
