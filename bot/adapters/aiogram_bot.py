"""The aiogram adapter: aiogram updates in, `BotApi` calls out. No dispatcher, FSM or storage:
updates come through Standby's own polling (telegram/polling.py), read one at a time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from functools import partial
from typing import Any, TypeVar

import aiohttp
from aiogram import Bot, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods.base import Response
from aiogram.types import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from pydantic import ValidationError

from bot.adapters.telegram.api import PARSE_MODE, BotInfo, Command, Keyboard
from bot.adapters.telegram.errors import Blocked, Rejected, RetryAfter, Transient, Unreadable
from bot.adapters.telegram.inbound import Incoming, attachment_of
from bot.adapters.telegram.polling import Updates

T = TypeVar("T")
Receive = Callable[[Incoming], Awaitable[None]]


class GetRawUpdates(methods.TelegramMethod[list[Any]]):
    """getUpdates with the updates left as JSON, to be read one by one (reading.py):
    aiogram's own GetUpdates reads the whole batch, and fails it for one bad update."""

    __returning__ = list[Any]
    __api_method__ = "getUpdates"

    offset: int | None = None
    timeout: int | None = None


_METHODS: tuple[type[methods.TelegramMethod[Any]], ...] = (
    methods.AnswerCallbackQuery,
    methods.DeleteMessages,
    methods.DeleteWebhook,
    methods.EditMessageText,
    methods.GetFile,
    methods.GetMe,
    GetRawUpdates,
    methods.SendMessage,
    methods.SetMyCommands,
    methods.SetWebhook,
)
# aiogram parses every reply as `Response[method.__returning__]`. pydantic keeps such
# parametrised classes only weakly, so between calls the garbage collector can take one
# and the next call builds it again (a third of the bot's CPU under load). Hold them.
_RESPONSE_TYPES = tuple(Response[method.__returning__] for method in _METHODS)  # type: ignore[name-defined]


async def _mapped(call: Coroutine[Any, Any, T]) -> T:
    """aiogram's exceptions as Standby's."""
    try:
        return await call
    except TelegramRetryAfter as flood:
        raise RetryAfter(flood.retry_after) from flood
    except TelegramForbiddenError as blocked:
        raise Blocked(blocked.message) from blocked
    except ClientDecodeError as failure:
        if isinstance(failure.original, ValidationError):  # JSON, but not what aiogram knows
            raise Unreadable(_what_is_wrong(failure.original)) from failure
        # Not JSON: a proxy's HTML error page instead of Telegram's answer (502s).
        raise Transient(type(failure).__name__) from failure
    except (TelegramServerError, TelegramNetworkError) as failure:
        raise Transient(type(failure).__name__) from failure
    except TelegramAPIError as refused:
        raise Rejected(refused.message) from refused


def _what_is_wrong(error: ValidationError) -> str:
    """The first problem pydantic found, by place and kind (never the value it saw)."""
    first = error.errors(include_url=False, include_input=False, include_context=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    more = error.error_count() - 1
    return f"{where}: {first['msg']}" + (f" (and {more} more)" if more else "")


def _markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    if keyboard is None:
        return None
    rows = [[InlineKeyboardButton(text=t, callback_data=d) for t, d in row] for row in keyboard]
    return InlineKeyboardMarkup(inline_keyboard=rows)


class AiogramApi:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def get_me(self) -> BotInfo:
        me = await _mapped(self.bot.get_me())
        return BotInfo(me.id, me.username or "")

    async def send_message(
        self,
        chat_id: int,
        text: str,
        keyboard: Keyboard | None,
        *,
        reply_to: int | None = None,
        paid: bool = False,
    ) -> int:
        reply = (
            None
            if reply_to is None
            else ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        )
        sent = await _mapped(
            self.bot.send_message(
                chat_id,
                text,
                parse_mode=PARSE_MODE,
                reply_markup=_markup(keyboard),
                reply_parameters=reply,
                allow_paid_broadcast=paid or None,
            )
        )
        return sent.message_id

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, keyboard: Keyboard | None
    ) -> None:
        await _mapped(
            self.bot.edit_message_text(
                text=text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=PARSE_MODE,
                reply_markup=_markup(keyboard),
            )
        )

    async def delete_message(self, chat_id: int, message_id: int) -> None:
        await _mapped(self.bot.delete_message(chat_id, message_id))

    async def delete_messages(self, chat_id: int, message_ids: Sequence[int]) -> None:
        await _mapped(self.bot.delete_messages(chat_id, list(message_ids)))

    async def answer_callback(self, query_id: str, text: str | None = None) -> None:
        await _mapped(self.bot.answer_callback_query(query_id, text=text))

    async def set_commands(self, commands: Sequence[Command], language: str | None) -> None:
        listed = [BotCommand(command=c.command, description=c.description) for c in commands]
        await _mapped(self.bot.set_my_commands(listed, language_code=language))

    async def set_webhook(self, url: str, secret: str | None) -> None:
        await _mapped(self.bot.set_webhook(url, secret_token=secret))

    async def delete_webhook(self) -> None:
        await _mapped(self.bot.delete_webhook())

    async def download(self, file_id: str) -> bytes:
        file = await _mapped(self.bot.get_file(file_id))
        if file.file_path is None:
            raise Rejected("Telegram gave no file_path for this file")
        try:
            stream = await self.bot.download_file(file.file_path)
        except aiohttp.ClientResponseError as failure:
            # The download is plain HTTP, outside aiogram's method errors.
            if failure.status >= 500:
                raise Transient(f"download failed: {failure.status}") from failure
            raise Rejected(f"download failed: {failure.status}") from failure
        except (TimeoutError, aiohttp.ClientError) as failure:
            raise Transient(type(failure).__name__) from failure
        if stream is None:  # only when given a destination path, which we don't
            raise Rejected("aiogram returned no file")
        return stream.read()


def incoming_message(update_id: int, message: Message) -> Incoming:
    attachment = attachment_of(message.photo, message.document)
    user = message.from_user
    return Incoming(
        update_id=update_id,
        chat_id=message.chat.id,
        private=message.chat.type == "private",
        message_id=message.message_id,
        text=message.text,
        attachment=attachment,
        language_code=user.language_code if user else None,
    )


def incoming_callback(update_id: int, query: CallbackQuery) -> Incoming | None:
    message = query.message
    if message is None:
        return None
    private = message.chat.type == "private"
    return Incoming(
        update_id=update_id,
        chat_id=message.chat.id,
        private=private,
        callback_id=query.id,
        callback_data=query.data or "",
        pressed_message_id=message.message_id,
        language_code=query.from_user.language_code,
        # Only in groups: a press in the staff chat records which caseworker claimed.
        presser_id=None if private else query.from_user.id,
        presser_name=None if private else query.from_user.first_name,
    )


def read_update(bot: Bot, data: dict[str, Any]) -> Incoming | None:
    """One update as Standby's `Incoming` (None for kinds Standby ignores); raises pydantic's
    ValidationError when aiogram cannot read it."""
    update = Update.model_validate(data, context={"bot": bot})
    if update.message is not None:
        return incoming_message(update.update_id, update.message)
    if update.callback_query is not None:
        return incoming_callback(update.update_id, update.callback_query)
    return None


class AiogramRuntime:
    """An aiogram Bot, with Standby's polling and webhook passing updates to `receive`."""

    def __init__(self, token: str, api_url: str, receive: Receive) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
        self.bot = Bot(token, session=session)
        self.api = AiogramApi(self.bot)
        self.updates = Updates(self._fetch, partial(read_update, self.bot), receive)

    async def _fetch(self, offset: int | None, long_poll: int) -> list[Any]:
        # Longer than the long poll, which the server may use up (as aiogram's polling does).
        waiting = int(self.bot.session.timeout + long_poll)
        call = GetRawUpdates(offset=offset, timeout=long_poll)
        return await _mapped(self.bot(call, request_timeout=waiting))

    async def start(self) -> None:
        """Nothing to prepare: aiogram's Bot is ready once made."""

    async def poll(self) -> None:
        """Long-poll until `stop_polling`."""
        await self.updates.run()

    async def stop_polling(self) -> None:
        await self.updates.stop()

    async def feed(self, data: dict[str, Any]) -> None:
        await self.updates.feed(data)

    async def close(self) -> None:
        await self.bot.session.close()
