"""The staff chat on Telegram: posting reports with a Claim button, and handling presses.

Claim buttons carry `claim:<report id>:<HMAC over the staff chat and the id>`, signed like
the conversation's buttons (`callbacks.py`) but with their own prefix in the HMAC, so
neither kind of data passes for the other. Only the staff chat's presses count; a Claim
button pressed anywhere else (a forwarded message) gets a gentle answer and does nothing.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from bot.adapters.telegram.api import BotApi, Keyboard
from bot.adapters.telegram.callbacks import signature
from bot.adapters.telegram.errors import Rejected, TelegramError
from bot.adapters.telegram.inbound import Incoming
from bot.adapters.telegram.retry import patiently
from bot.adapters.telegram.text import LIMIT, escape, split_text
from bot.services.clock import Clock
from bot.services.reports import ReportService
from bot.services.staff import ClaimOutcome, StaffDesk
from bot.services.staff_text import claimed_line
from bot.storage import ReportRepository

log = logging.getLogger(__name__)

PREFIX = "claim"
CLAIM = "Claim"
# Room kept in the last part of a report for "Claimed by <first name>" (names: 64 max).
CLAIM_ROOM = 100
ANSWERS = {
    ClaimOutcome.CLAIMED: "You claimed this report.",
    ClaimOutcome.ALREADY_CLAIMED: "This report was already claimed.",
    ClaimOutcome.CLOSED: "This report was withdrawn, so it cannot be claimed.",
    ClaimOutcome.GONE: "This report has been deleted.",
}
YOURS_ALREADY = "You have already claimed this report."
NOT_VALID = "This button is not valid."
ONLY_IN_STAFF_CHAT = "This button works only in the staff chat."
NOBODY = "a caseworker"


class ClaimCodec:
    """Signs and checks the data of Claim buttons for one staff chat."""

    def __init__(self, secret: bytes, chat_id: int) -> None:
        self._secret = secret
        self._chat_id = chat_id

    def encode(self, report_id: int) -> str:
        return f"{PREFIX}:{report_id}:{self._sign(report_id)}"

    def decode(self, data: str) -> int | None:
        """The report id `data` was made for, or None if it is not a valid Claim button."""
        prefix, _, rest = data.partition(":")
        number, _, signature = rest.partition(":")
        if prefix != PREFIX or not number.isdecimal():
            return None
        expected = self._sign(int(number))
        return int(number) if hmac.compare_digest(signature, expected) else None

    def _sign(self, report_id: int) -> str:
        return signature(self._secret, f"staff-claim:{self._chat_id}:{report_id}")


def split_report(text: str) -> list[str]:
    """The parts a report is posted in, leaving room in the last for the claim line."""
    return split_text(text, LIMIT - CLAIM_ROOM)


class TelegramStaffBoard:
    """The `StaffBoard` port: posts to the staff group, Claim button under the last part."""

    def __init__(self, api: BotApi, chat_id: int, codec: ClaimCodec) -> None:
        self._api = api
        self._chat_id = chat_id
        self._codec = codec

    async def post(self, report_id: int, text: str) -> list[int]:
        parts = split_report(text)
        keyboard: Keyboard = (((CLAIM, self._codec.encode(report_id)),),)
        sent: list[int] = []
        for index, part in enumerate(parts):
            markup = keyboard if index == len(parts) - 1 else None
            send = partial(self._api.send_message, self._chat_id, escape(part), markup)
            sent.append(await patiently(send))
        return sent

    async def retract(self, message_ids: Sequence[int], text: str) -> None:
        # Edited, not deleted: Telegram lets a bot edit its own messages at any age but
        # delete them only within 48 hours. No keyboard: the Claim button goes too.
        for message_id in message_ids:
            edit = partial(self._api.edit_message, self._chat_id, message_id, escape(text), None)
            try:
                await patiently(edit)
            except Rejected as error:
                # Already edited (a retry after a partial failure), deleted by staff, or
                # otherwise refused for good: trying again would not help.
                log.info("staff chat: a post not edited: %s", type(error).__name__)


class StaffHandler:
    """Presses in the staff chat, and Claim buttons pressed elsewhere."""

    def __init__(self, api: BotApi, chat_id: int, codec: ClaimCodec, desk: StaffDesk) -> None:
        self.chat_id = chat_id
        self._api = api
        self._codec = codec
        self._desk = desk

    async def handle(self, update: Incoming) -> None:
        """An update from the staff chat: only button presses mean anything there."""
        if update.callback_id is None:
            return  # caseworkers talking among themselves
        report_id = self._codec.decode(update.callback_data or "")
        if report_id is None or update.presser_id is None:
            await self._answer(update.callback_id, NOT_VALID)
            return
        claim = await self._desk.claim(report_id, update.presser_id)
        answer = ANSWERS[claim.outcome]
        if claim.outcome is ClaimOutcome.ALREADY_CLAIMED and claim.by_presser:
            answer = YOURS_ALREADY
        await self._answer(update.callback_id, answer)
        if claim.text is not None and update.pressed_message_id is not None:
            await self._mark_claimed(update.pressed_message_id, claim.text, update.presser_name)
        log.info("staff chat: a claim was answered: %s", claim.outcome.value)

    async def elsewhere(self, update: Incoming) -> None:
        """A button pressed in a group that is not the staff chat: answer, do nothing."""
        if update.callback_id is not None:
            await self._answer(update.callback_id, ONLY_IN_STAFF_CHAT)

    async def _mark_claimed(self, message_id: int, text: str, name: str | None) -> None:
        # The pressed message is the report's last part: draw it again with the claim
        # line and without the button.
        last = split_report(text)[-1]
        shown = f"{last}\n\n{claimed_line(name or NOBODY)}"
        try:
            await patiently(
                partial(self._api.edit_message, self.chat_id, message_id, escape(shown), None)
            )
        except TelegramError as error:
            # The type only: Telegram's error text may quote the message.
            log.warning(
                "staff chat: the claimed report's message not updated: %s", type(error).__name__
            )

    async def _answer(self, callback_id: str, text: str) -> None:
        try:
            await self._api.answer_callback(callback_id, text)
        except TelegramError as error:
            log.info("staff chat: callback not answered: %s", type(error).__name__)


@dataclass(frozen=True, slots=True)
class StaffChat:
    """The staff chat, wired: `desk` posts (run `desk.keep_posting()`), `handler` reads."""

    desk: StaffDesk
    handler: StaffHandler


def open_staff_chat(
    api: BotApi,
    chat_id: int,
    secret: bytes,
    *,
    reports: ReportService,
    repository: ReportRepository,
    clock: Clock,
) -> StaffChat:
    """Wire the staff chat `chat_id`; each report stored from now on wakes the poster."""
    codec = ClaimCodec(secret, chat_id)
    desk = StaffDesk(repository, reports, TelegramStaffBoard(api, chat_id, codec), clock)
    reports.on_stored(desk.wake)
    return StaffChat(desk, StaffHandler(api, chat_id, codec, desk))
