"""What a person does in a chat, turned into messages and updates for the bot.

Both the test driver (`User`) and the web chat page act through these functions, so a
click in the browser and a click in a test produce the same update.
"""

from __future__ import annotations

from bot.testing.accounts import EmulatedBot
from bot.testing.errors import BLOCKED
from bot.testing.models import CallbackQuery, ChatMessage, Json, Person, StoredFile
from bot.testing.text import command_entities
from bot.testing.world import World


def send_text(world: World, bot: EmulatedBot, person: Person, text: str) -> ChatMessage:
    """The person writes `text` to the bot; "/commands" get bot_command entities."""
    if not text.strip():
        raise ValueError("Telegram clients do not send empty messages")
    chat = bot.private_chat(person)
    chat.started = True
    message = chat.add(
        person.to_api(), False, world.now(), text=text, entities=command_entities(text)
    )
    return _deliver(world, bot, message)


def send_file(
    world: World,
    bot: EmulatedBot,
    person: Person,
    kind: str,
    stored: StoredFile,
    caption: str | None,
) -> ChatMessage:
    """The person sends a photo or a document (`kind`) that the bot can getFile."""
    chat = bot.private_chat(person)
    chat.started = True
    fields: dict[str, object] = {"caption": caption, kind: stored}
    message = chat.add(person.to_api(), False, world.now(), **fields)
    return _deliver(world, bot, message)


def click(
    world: World, bot: EmulatedBot, person: Person, message: ChatMessage, data: str
) -> CallbackQuery:
    """The person presses a button carrying `data` under `message` (real or forged)."""
    query = CallbackQuery(world.next_query_id(), data, message, person)
    bot.callback_queries[query.id] = query
    payload: Json = {
        "id": query.id,
        "from": person.to_api(),
        "message": message.to_api(),
        "chat_instance": str(message.chat.id * 7 + bot.id),
        "data": data,
    }
    bot.push("callback_query", payload)
    return query


def set_blocked(world: World, bot: EmulatedBot, person: Person, reason: str | None) -> None:
    """Block (or with None unblock) the bot; the bot hears of it via my_chat_member."""
    chat = bot.private_chat(person)
    was_blocked = chat.blocked_reason == BLOCKED
    chat.blocked_reason = reason
    if (reason == BLOCKED) != was_blocked:
        old, new = ("kicked", "member") if was_blocked else ("member", "kicked")
        bot.push(
            "my_chat_member",
            {
                "chat": chat.to_api(),
                "from": person.to_api(),
                "date": world.now(),
                "old_chat_member": _member(bot, old),
                "new_chat_member": _member(bot, new),
            },
        )
    world.changed.notify()


def _member(bot: EmulatedBot, status: str) -> Json:
    member: Json = {"user": bot.to_api(), "status": status}
    if status == "kicked":
        member["until_date"] = 0
    return member


def _deliver(world: World, bot: EmulatedBot, message: ChatMessage) -> ChatMessage:
    if message.chat.blocked_reason == BLOCKED:
        # Writing to a bot you blocked unblocks it, as in the Telegram apps.
        set_blocked(world, bot, message.chat.person or Person(message.chat.id, ""), None)
    bot.push("message", message.to_api())
    return message
