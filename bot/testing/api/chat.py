"""getMe, callback answers, commands and chat actions."""

from __future__ import annotations

import re

from bot.testing.accounts import scope_key
from bot.testing.api.context import Call, Handler
from bot.testing.errors import bad_request
from bot.testing.models import Json

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE = re.compile(r"^([a-z]{2})?$")


async def get_me(call: Call) -> Json:
    """getMe: the bot's own User object."""
    return call.bot.get_me()


async def answer_callback_query(call: Call) -> bool:
    """answerCallbackQuery: once per live query id, as Telegram allows."""
    query_id = call.params.text("callback_query_id") or ""
    query = call.bot.callback_queries.get(query_id)
    if query is None or query.answered:
        raise bad_request(QUERY_INVALID)
    query.answered = True
    query.answer = {
        "text": call.params.text("text"),
        "show_alert": call.params.flag("show_alert"),
        "url": call.params.text("url"),
        "cache_time": call.params.integer("cache_time") or 0,
    }
    call.changed()
    return True


def _scope_and_language(call: Call) -> tuple[str, str]:
    scope = call.params.decoded("scope", "can't parse BotCommandScope JSON object")
    if scope is not None and not (isinstance(scope, dict) and isinstance(scope.get("type"), str)):
        raise bad_request("can't parse BotCommandScope JSON object")
    language = call.params.text("language_code") or ""
    if not _LANGUAGE.match(language):
        raise bad_request("invalid language code specified")
    return scope_key(scope), language


async def set_my_commands(call: Call) -> bool:
    """setMyCommands: up to 100 commands for a scope and language."""
    commands = call.params.decoded("commands", "can't parse commands JSON object")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    checked: list[Json] = []
    for command in commands:
        name = command.get("command") if isinstance(command, dict) else None
        description = command.get("description") if isinstance(command, dict) else None
        if not isinstance(name, str) or not _COMMAND.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": name, "description": description})
    call.bot.commands[_scope_and_language(call)] = checked
    call.changed()
    return True


async def get_my_commands(call: Call) -> list[Json]:
    """getMyCommands: exactly what was set for this scope and language ([] if nothing)."""
    return list(call.bot.commands.get(_scope_and_language(call), []))


async def delete_my_commands(call: Call) -> bool:
    """deleteMyCommands for a scope and language."""
    call.bot.commands.pop(_scope_and_language(call), None)
    call.changed()
    return True


async def send_chat_action(call: Call) -> bool:
    """sendChatAction: "typing…" and friends; recorded on the chat."""
    chat = call.chat_to_send()
    action = call.params.text("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(action)
    call.changed()
    return True


HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "answerCallbackQuery": answer_callback_query,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "sendChatAction": send_chat_action,
}
