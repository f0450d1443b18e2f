"""The python-telegram-bot adapter: PTB updates in, `BotApi` calls out.

A bare `Bot`: no Application, ConversationHandler or persistence. State lives in Standby's
own storage, and updates come through Standby's own polling (telegram/polling.py), read one
at a time: PTB's Updater reads a whole batch and fails it for one update it cannot read.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from functools import partial
from typing import Any, TypeVar

# PTB 22 deprecates whole-second flood waits in favour of timedeltas and warns on every
# RetryAfter unless told to use timedeltas already; opt in before PTB is imported.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.error import RetryAfter as PtbRetryAfter
from telegram.error import TelegramError as PtbError

from bot.adapters.ptb_request import READ_TIMEOUT, AiohttpRequest
from bot.adapters.telegram.api import PARSE_MODE, BotInfo, Command, Keyboard
from bot.adapters.telegram.errors import Blocked, Rejected, RetryAfter, Transient, Unreadable
from bot.adapters.telegram.inbound import Incoming, attachment_of
from bot.adapters.telegram.polling import Updates

T = TypeVar("T")
Receive = Callable[[Incoming], Awaitable[None]]


def _seconds(flood: PtbRetryAfter) -> float:
    wait = flood.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


async def _mapped(call: Coroutine[Any, Any, T]) -> T:
    """PTB's exceptions as Standby's (BadRequest is a NetworkError in PTB: check it first)."""
    try:
        return await call
    except PtbRetryAfter as flood:
        raise RetryAfter(_seconds(flood)) from flood
    except Forbidden as blocked:
        raise Blocked(blocked.message) from blocked
    except BadRequest as refused:
        raise Rejected(refused.message) from refused
    except NetworkError as failure:
        raise Transient(failure.message) from failure
    except PtbError as refused:
        raise Rejected(refused.message) from refused
    except (LookupError, TypeError, ValueError, AttributeError) as unreadable:
        # PTB reads replies with plain constructors: a field missing or of another type
        # surfaces as one of these (KeyError: 'date', missing argument 'id'...).
        raise Unreadable(f"{type(unreadable).__name__}: {unreadable}") from unreadable


def _markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    if keyboard is None:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in keyboard]
    )


class PtbApi:
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
                text,
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
        listed = [BotCommand(c.command, c.description) for c in commands]
        await _mapped(self.bot.set_my_commands(listed, language_code=language))

    async def set_webhook(self, url: str, secret: str | None) -> None:
        await _mapped(self.bot.set_webhook(url, secret_token=secret))

    async def delete_webhook(self) -> None:
        await _mapped(self.bot.delete_webhook())

    async def download(self, file_id: str) -> bytes:
        file = await _mapped(self.bot.get_file(file_id))
        return bytes(await _mapped(file.download_as_bytearray()))


def incoming(update: Update) -> Incoming | None:
    """The parts of a PTB update Standby uses (None for kinds it ignores)."""
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        if message is None:
            return None
        private = message.chat.type == "private"
        return Incoming(
            update_id=update.update_id,
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
    message = update.message
    if message is None:
        return None
    attachment = attachment_of(message.photo, message.document)
    user = message.from_user
    return Incoming(
        update_id=update.update_id,
        chat_id=message.chat.id,
        private=message.chat.type == "private",
        message_id=message.message_id,
        text=message.text,
        attachment=attachment,
        language_code=user.language_code if user else None,
    )


class RawBot(Bot):
    """A PTB Bot that can also fetch getUpdates as plain JSON, to be read one by one."""

    async def get_raw_updates(self, offset: int | None, long_poll: int) -> Any:
        # As Bot.get_updates does, less reading the whole batch: read longer than the long
        # poll, which the server may use up.
        data: dict[str, Any] = {"offset": offset, "timeout": long_poll}
        return await self._post("getUpdates", data, read_timeout=READ_TIMEOUT + long_poll)


def read_update(bot: Bot, data: dict[str, Any]) -> Incoming | None:
    """One update as Standby's `Incoming` (None for kinds Standby ignores); PTB raises
    KeyError, TypeError and the like on one it cannot read."""
    return incoming(Update.de_json(data, bot))


class PtbRuntime:
    """A PTB Bot, with Standby's polling and webhook passing updates to `receive`."""

    def __init__(self, token: str, api_url: str, receive: Receive) -> None:
        self.bot = RawBot(
            token,
            base_url=f"{api_url}/bot",
            base_file_url=f"{api_url}/file/bot",
            # aiohttp instead of httpx (see ptb_request.py); as many connections as PTB's
            # default, and one for the long poll.
            request=AiohttpRequest(connections=256),
            get_updates_request=AiohttpRequest(connections=1),
        )
        self.api = PtbApi(self.bot)
        self.updates = Updates(self._fetch, partial(read_update, self.bot), receive)

    async def _fetch(self, offset: int | None, long_poll: int) -> Sequence[object]:
        updates = await _mapped(self.bot.get_raw_updates(offset, long_poll))
        if not isinstance(updates, list):
            raise Unreadable("getUpdates answered with something other than a list")
        return updates

    async def start(self) -> None:
        await _mapped(self.bot.initialize())  # calls getMe; may be retried after a failure

    async def poll(self) -> None:
        """Long-poll until `stop_polling`."""
        await self.updates.run()

    async def stop_polling(self) -> None:
        await self.updates.stop()

    async def feed(self, data: dict[str, Any]) -> None:
        await self.updates.feed(data)

    async def close(self) -> None:
        await self.bot.shutdown()
