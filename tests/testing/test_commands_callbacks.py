"""Commands per scope and language, callback answers and chat actions."""

from __future__ import annotations

import json

from bot.testing import EmulatedBot, Emulator
from tests.testing.support import RawClient, keyboard

COMMANDS = [
    {"command": "start", "description": "Begin"},
    {"command": "help", "description": "Help"},
]


async def test_commands_are_kept_per_language_and_scope(
    bot: EmulatedBot, client: RawClient
) -> None:
    await client.ok("setMyCommands", commands=COMMANDS)
    arabic = [{"command": "start", "description": "ابدأ"}]
    await client.ok("setMyCommands", commands=json.dumps(arabic), language_code="ar")
    private = {"type": "all_private_chats"}
    await client.ok("setMyCommands", commands=COMMANDS[:1], scope=private)
    assert await client.ok("getMyCommands") == COMMANDS
    assert await client.ok("getMyCommands", language_code="ar") == arabic
    assert await client.ok("getMyCommands", scope=json.dumps(private)) == COMMANDS[:1]
    assert await client.ok("getMyCommands", language_code="fr") == []
    assert bot.commands_for(language_code="ar") == arabic
    await client.ok("deleteMyCommands", language_code="ar")
    assert await client.ok("getMyCommands", language_code="ar") == []


async def test_bad_commands_are_refused(client: RawClient) -> None:
    _, description = await client.error(
        "setMyCommands", commands=[{"command": "Start!", "description": "x"}]
    )
    assert description == "Bad Request: BOT_COMMAND_INVALID"
    _, description = await client.error(
        "setMyCommands", commands=[{"command": "ok", "description": ""}]
    )
    assert description == "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"


async def test_callback_queries_are_answered_once(tg: Emulator, client: RawClient) -> None:
    user = tg.user(42, "Amina")
    await user.send("/start")
    await client.ok("sendMessage", chat_id=42, text="Safe?", reply_markup=keyboard([("Yes", "y")]))
    query = await user.click("Yes")
    updates = await client.ok("getUpdates", offset=2)
    callback = updates[0]["callback_query"]
    assert (callback["id"], callback["data"]) == (query.id, "y")
    assert callback["message"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Yes"
    await client.ok(
        "answerCallbackQuery", callback_query_id=query.id, text="Noted", show_alert=True
    )
    assert query.answered
    assert query.answer is not None
    assert (query.answer["text"], query.answer["show_alert"]) == ("Noted", True)
    _, description = await client.error("answerCallbackQuery", callback_query_id=query.id)
    assert description == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    _, description = await client.error("answerCallbackQuery", callback_query_id="123")
    assert description.startswith("Bad Request: query is too old")


async def test_chat_actions_are_recorded(tg: Emulator, client: RawClient) -> None:
    user = tg.user(42, "Amina")
    await user.send("/start")
    assert await client.ok("sendChatAction", chat_id=42, action="typing") is True
    assert user.chat.actions == ["typing"]
    _, description = await client.error("sendChatAction", chat_id=42, action="dancing")
    assert description == "Bad Request: wrong parameter action in request"
