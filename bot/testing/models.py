"""What the emulator remembers: people, chats and their messages, as the person sees them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.testing.keyboards import inline_buttons
from bot.testing.text import Entity

Json = dict[str, Any]


@dataclass
class Person:
    """A Telegram user on the human side of a chat."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def to_api(self) -> Json:
        """The `User` object Telegram puts in `from`."""
        user: Json = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                user[key] = value
        return user


@dataclass
class StoredFile:
    """A file Telegram holds: uploaded by the bot or sent by a person."""

    file_id: str
    file_unique_id: str
    kind: str
    file_path: str
    data: bytes | None
    file_name: str | None = None
    mime_type: str | None = None
    url: str | None = None

    @property
    def size(self) -> int:
        """Size in bytes (0 for files only known by URL)."""
        return len(self.data) if self.data is not None else 0


@dataclass(eq=False)
class ChatMessage:
    """One message in a chat, kept up to date through edits and deletion."""

    chat: Chat = field(repr=False)
    message_id: int
    sender: Json = field(repr=False)
    from_bot: bool
    date: int
    text: str | None = None
    caption: str | None = None
    entities: list[Entity] = field(default_factory=list)
    parse_mode: str | None = None
    source_text: str | None = None
    reply_markup: Json | None = None
    photo: StoredFile | None = None
    document: StoredFile | None = None
    deleted: bool = False
    edit_date: int | None = None
    version: int = 0
    reply_to: ChatMessage | None = field(default=None, repr=False)

    @property
    def content(self) -> str:
        """The text or caption, whichever the message has ("" for neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def buttons(self) -> list[Json]:
        """The inline buttons currently under the message."""
        return inline_buttons(self.reply_markup)

    @property
    def button_labels(self) -> list[str]:
        """The labels of the inline buttons, row by row."""
        return [str(button["text"]) for button in self.buttons]

    def to_api(self) -> Json:
        """The `Message` object as the Bot API returns and delivers it."""
        message: Json = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        entity_key = "entities" if self.text is not None else "caption_entities"
        for key, value in (("text", self.text), ("caption", self.caption)):
            if value is not None:
                message[key] = value
        if self.entities:
            message[entity_key] = self.entities
        if self.photo is not None:
            message["photo"] = [_photo_size(self.photo)]
        if self.document is not None:
            message["document"] = _document(self.document)
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            message["reply_markup"] = self.reply_markup
        if self.reply_to is not None:
            # As Telegram does: the replied-to message, without its own reply.
            replied = self.reply_to.to_api()
            replied.pop("reply_to_message", None)
            message["reply_to_message"] = replied
        return message


@dataclass(eq=False)
class Chat:
    """A chat between one bot and a person (private) or a group."""

    id: int
    type: str
    person: Person | None = None
    title: str | None = None
    messages: list[ChatMessage] = field(default_factory=list, repr=False)
    started: bool = False
    blocked_reason: str | None = None
    actions: list[str] = field(default_factory=list, repr=False)
    reply_keyboard: Json | None = None
    _last_message_id: int = 0

    @property
    def visible(self) -> list[ChatMessage]:
        """Messages that have not been deleted, oldest first."""
        return [message for message in self.messages if not message.deleted]

    @property
    def last_message_id(self) -> int:
        """The id of the newest message (0 in an empty chat)."""
        return self._last_message_id

    def find(self, message_id: int) -> ChatMessage | None:
        """A message by id, deleted or not."""
        for message in self.messages:
            if message.message_id == message_id:
                return message
        return None

    def add(self, sender: Json, from_bot: bool, date: int, **fields: Any) -> ChatMessage:
        """Append a message with the next id of this chat."""
        self._last_message_id += 1
        message = ChatMessage(self, self._last_message_id, sender, from_bot, date, **fields)
        self.messages.append(message)
        return message

    def to_api(self) -> Json:
        """The `Chat` object Telegram embeds in messages."""
        if self.person is None:
            return {"id": self.id, "type": self.type, "title": self.title or ""}
        chat = self.person.to_api()
        chat.pop("is_bot")
        chat.pop("language_code", None)
        return {**chat, "type": self.type}


@dataclass(eq=False)
class CallbackQuery:
    """A button press sent to the bot, and the bot's answer once it gives one."""

    id: str
    data: str
    message: ChatMessage
    person: Person
    answered: bool = False
    answer: Json | None = None


@dataclass
class CallRecord:
    """One Bot API call the bot made, with its parameters and the HTTP status it got.

    `status` stays 0 for calls that got no answer (an injected timeout).
    """

    bot_id: int
    method: str
    params: dict[str, Any]
    at: float
    status: int = 0
    description: str | None = None


def _photo_size(file: StoredFile) -> Json:
    # Dimensions are not decoded from the bytes; clients only need the fields present.
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "width": 0,
        "height": 0,
        "file_size": file.size,
    }


def _document(file: StoredFile) -> Json:
    document: Json = {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": file.size,
    }
    if file.file_name:
        document["file_name"] = file.file_name
    if file.mime_type:
        document["mime_type"] = file.mime_type
    return document
