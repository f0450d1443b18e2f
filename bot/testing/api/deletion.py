"""deleteMessage and deleteMessages, with Telegram's 48-hour rule."""

from __future__ import annotations

from bot.testing.api.context import Call, Handler
from bot.testing.errors import ApiError, bad_request
from bot.testing.models import Chat, ChatMessage

MAX_BATCH = 100


def _check_deletable(call: Call, chat: Chat, message: ChatMessage | None) -> ChatMessage:
    if message is None or message.deleted:
        raise bad_request("message to delete not found")
    too_old = call.world.clock.now() - message.date >= call.world.config.delete_window
    # In private chats a bot may delete both sides; in groups only its own (not an admin).
    foreign = chat.type != "private" and not message.from_bot
    if too_old or foreign:
        raise bad_request("message can't be deleted")
    return message


def _delete(call: Call, message: ChatMessage) -> None:
    message.deleted = True
    message.version += 1
    call.changed()


async def delete_message(call: Call) -> bool:
    """deleteMessage: True, or 400 when the message is gone, too old or not the bot's."""
    chat = call.chat()
    message_id = call.params.integer("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    _delete(call, _check_deletable(call, chat, chat.find(message_id)))
    return True


async def delete_messages(call: Call) -> bool:
    """deleteMessages: deletes what it can, skipping messages it cannot find."""
    chat = call.chat()
    ids = call.params.decoded("message_ids", "can't parse message identifiers JSON object")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
        raise bad_request("message identifiers are not specified")
    if len(ids) > MAX_BATCH:
        raise bad_request("too many message identifiers specified")
    deleted = 0
    first_error: ApiError | None = None
    for message_id in ids:
        try:
            _delete(call, _check_deletable(call, chat, chat.find(message_id)))
            deleted += 1
        except ApiError as error:
            first_error = first_error or error
    if deleted == 0 and first_error is not None:
        raise first_error
    return True


HANDLERS: dict[str, Handler] = {
    "deleteMessage": delete_message,
    "deleteMessages": delete_messages,
}
