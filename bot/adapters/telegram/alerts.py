"""The `AlertChannel` port over the Bot API: alerts to subscribers, notes to admins."""

from __future__ import annotations

import logging
from functools import partial

from bot.adapters.telegram.api import BotApi
from bot.adapters.telegram.errors import Blocked, Rejected, RetryAfter, TelegramError, Transient
from bot.adapters.telegram.retry import patiently
from bot.adapters.telegram.text import escape
from bot.services.broadcasts.channel import (
    FloodWait,
    Refused,
    Retryable,
    SendResult,
    Sent,
    Unreachable,
)

log = logging.getLogger(__name__)


class TelegramAlertChannel:
    def __init__(self, api: BotApi) -> None:
        self._api = api

    async def send_alert(
        self, chat_id: int, text: str, *, reply_to: int | None, paid: bool
    ) -> SendResult:
        # One attempt: the delivery engine decides about waits and retries, for every
        # sender at once (a 429 pauses them all).
        try:
            message_id = await self._api.send_message(
                chat_id, escape(text), None, reply_to=reply_to, paid=paid
            )
        except RetryAfter as flood:
            return FloodWait(flood.seconds)
        except Blocked:
            return Unreachable()
        except Transient:
            return Retryable()
        except Rejected as refused:
            log.warning("an alert was refused by Telegram: %s", type(refused).__name__)
            return Refused()
        except Exception as unexpected:
            # A library's surprise must not stop the broadcast: tried again, then failed.
            log.error("an alert could not be sent: %s", type(unexpected).__name__)
            return Retryable()
        return Sent(message_id)

    async def notify(self, chat_id: int, text: str) -> int | None:
        try:
            return await patiently(partial(self._api.send_message, chat_id, escape(text), None))
        except TelegramError as error:
            log.warning("an admin could not be told about a broadcast: %s", type(error).__name__)
            return None

    async def update_note(self, chat_id: int, message_id: int, text: str) -> bool:
        edit = partial(self._api.edit_message, chat_id, message_id, escape(text), None)
        try:
            await patiently(edit)
        except TelegramError as error:
            # "message is not modified" when nothing changed since the last edit: fine.
            log.debug("a broadcast's progress message not edited: %s", type(error).__name__)
            return False
        return True
