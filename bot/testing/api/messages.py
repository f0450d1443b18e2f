"""sendMessage and the edit methods."""

from __future__ import annotations

from typing import Any

from bot.testing.api.context import Call, Handler
from bot.testing.errors import bad_request
from bot.testing.formatting import format_text
from bot.testing.keyboards import checked_markup
from bot.testing.models import Chat, ChatMessage, Json
from bot.testing.text import FormattedText, checked_caption, checked_text

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def formatted(call: Call, field: str, entities_field: str) -> FormattedText:
    """The text of `field` as the person will see it, parsed by parse_mode or entities."""
    params = call.params
    entities = params.decoded(entities_field, "can't parse entities JSON object")
    return format_text(params.text(field) or "", params.text("parse_mode"), entities)


def reply_markup(call: Call) -> Json | None:
    """The checked reply_markup parameter."""
    markup = call.params.decoded("reply_markup", "can't parse reply keyboard markup JSON object")
    return checked_markup(markup)


def remember_keyboard(chat: Chat, markup: Json | None) -> None:
    """Track the custom reply keyboard the person has open below the input field."""
    if markup is None:
        return
    if "keyboard" in markup:
        chat.reply_keyboard = markup
    elif markup.get("remove_keyboard"):
        chat.reply_keyboard = None


def replied_to(call: Call, chat: Chat) -> ChatMessage | None:
    """The message named by reply_parameters, checked as Telegram checks it."""
    parameters = call.params.decoded("reply_parameters", "can't parse reply parameters JSON object")
    if parameters is None:
        return None
    if not isinstance(parameters, dict) or not isinstance(parameters.get("message_id"), int):
        raise bad_request("can't parse reply parameters JSON object")
    found = chat.find(parameters["message_id"])
    if found is not None and not found.deleted:
        return found
    if parameters.get("allow_sending_without_reply"):
        return None
    raise bad_request("message to be replied not found")


async def send_message(call: Call) -> Json:
    """sendMessage: 1–4096 characters after parsing, an optional keyboard, a reply."""
    chat = call.chat_to_send()
    text = checked_text(formatted(call, "text", "entities"))
    markup = reply_markup(call)
    reply_to = replied_to(call, chat)
    call.spend_rate(chat)
    message = chat.add(
        call.bot.to_api(),
        True,
        call.world.now(),
        text=text.text,
        entities=text.entities,
        parse_mode=call.params.text("parse_mode"),
        source_text=call.params.text("text"),
        reply_markup=markup,
        reply_to=reply_to,
    )
    remember_keyboard(chat, markup)
    call.changed()
    return message.to_api()


def editable(call: Call) -> ChatMessage:
    """The bot's own live message named by chat_id and message_id."""
    if call.params.raw("inline_message_id") is not None:
        raise bad_request("inline messages are not supported by the emulator")
    message = call.message(call.chat(), "message to edit not found")
    # Only messages without markup or with an inline keyboard can be edited.
    custom_keyboard = (
        message.reply_markup is not None and "inline_keyboard" not in message.reply_markup
    )
    if not message.from_bot or custom_keyboard:
        raise bad_request("message can't be edited")
    return message


def apply_edit(call: Call, message: ChatMessage, changes: dict[str, Any], **extra: Any) -> Json:
    """Apply `changes` (and `extra` bookkeeping) or 400 "message is not modified".

    Like Telegram, only what the person sees counts: text, entities and keyboard.
    """
    if all(getattr(message, key) == value for key, value in changes.items()):
        raise bad_request(NOT_MODIFIED)
    for key, value in {**changes, **extra}.items():
        setattr(message, key, value)
    message.edit_date = call.world.now()
    message.version += 1
    call.changed()
    return message.to_api()


async def edit_message_text(call: Call) -> Json:
    """editMessageText; without reply_markup the inline keyboard goes, as in Telegram."""
    message = editable(call)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text = checked_text(formatted(call, "text", "entities"))
    return apply_edit(
        call,
        message,
        {"text": text.text, "entities": text.entities, "reply_markup": reply_markup(call)},
        parse_mode=call.params.text("parse_mode"),
        source_text=call.params.text("text"),
    )


async def edit_message_caption(call: Call) -> Json:
    """editMessageCaption on a photo or document the bot sent."""
    message = editable(call)
    if message.text is not None:
        raise bad_request("there is no caption in the message to edit")
    caption = checked_caption(formatted(call, "caption", "caption_entities"))
    changes = {
        "caption": caption.text if caption else None,
        "entities": caption.entities if caption else [],
        "reply_markup": reply_markup(call),
    }
    return apply_edit(call, message, changes)


async def edit_message_reply_markup(call: Call) -> Json:
    """editMessageReplyMarkup; no reply_markup removes the keyboard."""
    message = editable(call)
    markup = reply_markup(call)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return apply_edit(call, message, {"reply_markup": markup})


HANDLERS: dict[str, Handler] = {
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
}
