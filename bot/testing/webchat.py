"""A chat page for people trying the bot locally, and the JSON endpoints it uses.

Everything lives under `/_emulator/` (and the page at `/`), which no Bot API path can
be, since those all start with `/bot` or `/file/bot`.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from aiohttp import web

from bot.testing import conversation
from bot.testing.accounts import EmulatedBot
from bot.testing.models import ChatMessage, Json, Person
from bot.testing.world import World


def _page() -> str:
    return resources.files("bot.testing").joinpath("webchat.html").read_text(encoding="utf-8")


class WebChat:
    """aiohttp handlers for the page and `/_emulator/…`."""

    def __init__(self, world: World) -> None:
        self.world = world

    def install(self, app: web.Application) -> None:
        """Add the routes to `app`."""
        router = app.router
        router.add_get("/", self.page)
        router.add_get("/_emulator/bots", self.bots)
        router.add_post("/_emulator/users", self.open_chat)
        router.add_get("/_emulator/chats/{chat_id}", self.messages)
        router.add_post("/_emulator/chats/{chat_id}/messages", self.send)
        router.add_post("/_emulator/chats/{chat_id}/clicks", self.click)
        router.add_get("/_emulator/bots/{bot_id}/files/{file_id}", self.file)

    async def page(self, request: web.Request) -> web.Response:
        """The single-page chat."""
        return web.Response(text=_page(), content_type="text/html")

    async def bots(self, request: web.Request) -> web.Response:
        """The registered bots (without their tokens)."""
        bots = [
            {"id": bot.id, "username": bot.username, "first_name": bot.first_name}
            for bot in self.world.bots.values()
        ]
        return web.json_response({"bots": bots})

    async def open_chat(self, request: web.Request) -> web.Response:
        """Create (or find) a person and their private chat: {"id", "first_name", …}."""
        body = await _body(request)
        bot = self._bot(body.get("bot"))
        person = self._person(body, _int(body.get("id"), "id"))
        chat = bot.private_chat(person)
        return web.json_response({"chat": chat.to_api(), "bot": bot.id})

    async def messages(self, request: web.Request) -> web.Response:
        """The chat's messages as the person sees them (deleted ones flagged)."""
        bot = self._bot(request.query.get("bot"))
        chat = bot.chats.get(_int(request.match_info["chat_id"], "chat_id"))
        if chat is None:
            raise _problem(404, "no such chat")
        keyboard = chat.reply_keyboard.get("keyboard") if chat.reply_keyboard else None
        return web.json_response(
            {
                "chat": chat.to_api(),
                "blocked": chat.blocked_reason,
                "reply_keyboard": keyboard,
                "messages": [_message(bot, message) for message in chat.messages],
            }
        )

    async def send(self, request: web.Request) -> web.Response:
        """The person writes: {"bot", "text", "first_name", "language_code"}."""
        body = await _body(request)
        bot = self._bot(body.get("bot"))
        person = self._person(body, _int(request.match_info["chat_id"], "chat_id"))
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _problem(400, "text is required")
        message = conversation.send_text(self.world, bot, person, text)
        return web.json_response(_message(bot, message))

    async def click(self, request: web.Request) -> web.Response:
        """The person presses a button: {"bot", "message_id", "data"}."""
        body = await _body(request)
        bot = self._bot(body.get("bot"))
        chat = bot.chats.get(_int(request.match_info["chat_id"], "chat_id"))
        message = chat.find(_int(body.get("message_id"), "message_id")) if chat else None
        if chat is None or chat.person is None or message is None:
            raise _problem(404, "no such message")
        query = conversation.click(self.world, bot, chat.person, message, str(body.get("data", "")))
        return web.json_response({"callback_query_id": query.id})

    async def file(self, request: web.Request) -> web.Response:
        """A file's bytes, so the page can show photos without knowing the bot's token."""
        bot = self._bot(request.match_info["bot_id"])
        stored = bot.files.get(request.match_info["file_id"])
        if stored is None or stored.data is None:
            raise _problem(404, "no such file")
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    def _bot(self, ref: Any) -> EmulatedBot:
        try:
            return self.world.find_bot(None if ref in (None, "") else _int(ref, "bot"))
        except LookupError as error:
            raise _problem(404, str(error)) from None

    def _person(self, body: Json, person_id: int) -> Person:
        if person_id <= 0:
            raise _problem(400, "a person's id is a positive number")
        name = body.get("first_name")
        language = body.get("language_code")
        return self.world.person(
            person_id,
            first_name=name if isinstance(name, str) and name else f"User {person_id}",
            language_code=language if isinstance(language, str) and language else None,
        )


def _message(bot: EmulatedBot, message: ChatMessage) -> Json:
    files = f"/_emulator/bots/{bot.id}/files/"
    return {
        "message_id": message.message_id,
        "from_bot": message.from_bot,
        "text": message.content,
        "entities": message.entities,
        "buttons": (message.reply_markup or {}).get("inline_keyboard", []),
        "deleted": message.deleted,
        "edited": message.edit_date is not None,
        "date": message.date,
        "photo": files + message.photo.file_id if message.photo else None,
        "document": (
            {"name": message.document.file_name or "file", "url": files + message.document.file_id}
            if message.document
            else None
        ),
    }


async def _body(request: web.Request) -> Json:
    try:
        body = await request.json()
    except ValueError:
        raise _problem(400, "send a JSON object") from None
    if not isinstance(body, dict):
        raise _problem(400, "send a JSON object")
    return body


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _problem(400, f"{name} must be a number") from None


def _problem(status: int, message: str) -> web.HTTPException:
    kind = web.HTTPBadRequest if status == 400 else web.HTTPNotFound
    return kind(text=json.dumps({"error": message}), content_type="application/json")
