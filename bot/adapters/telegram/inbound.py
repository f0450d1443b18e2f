"""One Telegram update, whichever library received it, into one conversation turn."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.adapters.telegram.api import BotApi
from bot.adapters.telegram.callbacks import CallbackCodec
from bot.adapters.telegram.errors import TelegramError
from bot.adapters.telegram.sender import TelegramSender
from bot.adapters.telegram.sequencer import ChatSequencer
from bot.engine import Attachment, Flows, Input
from bot.i18n.negotiation import telegram_language
from bot.services.clock import Clock
from bot.services.conversation import ConversationService
from bot.storage import ContactRecord, ContactRepository, UpdateLedger

if TYPE_CHECKING:  # staff.py and admin.py use `Incoming` from here
    from bot.adapters.telegram.admin import AdminHandler
    from bot.adapters.telegram.staff import StaffHandler

log = logging.getLogger(__name__)
START_COMMAND = "/start"


@dataclass(frozen=True, slots=True)
class Incoming:
    """The parts of an update Standby uses. Nothing about the person but the chat id and
    the language their Telegram app is set to (and, in groups, who pressed a button)."""

    update_id: int
    chat_id: int
    private: bool
    message_id: int | None = None
    text: str | None = None
    attachment: Attachment | None = None
    callback_id: str | None = None
    callback_data: str | None = None
    pressed_message_id: int | None = None
    language_code: str | None = None
    # Who pressed a button in a group (the staff chat): a caseworker, never a reporter,
    # so their user id and first name may be kept and shown. Always None in private chats.
    presser_id: int | None = None
    presser_name: str | None = None


class _File(Protocol):
    @property
    def file_id(self) -> str: ...

    @property
    def file_size(self) -> int | None: ...


class _Document(_File, Protocol):
    @property
    def mime_type(self) -> str | None: ...


def attachment_of(photo: Sequence[_File] | None, document: _Document | None) -> Attachment | None:
    """The photo (Telegram sends every size, smallest first: keep the largest) or document
    of a message, whichever library parsed it."""
    if photo:
        biggest = photo[-1]
        return Attachment("photo", biggest.file_id, biggest.file_size, "image/jpeg")
    if document is not None:
        return Attachment("document", document.file_id, document.file_size, document.mime_type)
    return None


def is_start(update: Incoming) -> bool:
    """Whether the update is /start: what a Telegram app sends when someone opens the bot
    for the first time (or restarts it), possibly as `/start@bot_name payload`."""
    words = (update.text or "").split(maxsplit=1)
    return bool(words) and words[0].split("@", 1)[0] == START_COMMAND


class InboundHandler:
    def __init__(
        self,
        *,
        bot_id: int,
        api: BotApi,
        conversation: ConversationService,
        sender: TelegramSender,
        contacts: ContactRepository,
        ledger: UpdateLedger,
        codec: CallbackCodec,
        flows: Callable[[], Flows],
        clock: Clock,
        staff: StaffHandler | None = None,
        admin: AdminHandler | None = None,
    ) -> None:
        self._bot_id = bot_id
        self._staff = staff
        self._admin = admin
        self._api = api
        self._conversation = conversation
        self._contacts = contacts
        self._sender = sender
        self._ledger = ledger
        self._codec = codec
        self._flows = flows
        self._clock = clock
        self._sequencer = ChatSequencer()

    async def receive(self, update: Incoming) -> None:
        """Handle `update` in order with its chat; never raises."""
        if not update.private:
            # Standby talks to people one to one; the only group it acts in is the staff
            # chat (STAFF_CHAT_ID). Without one, groups are ignored altogether.
            if self._staff is not None:
                await self._sequencer.submit(update.chat_id, lambda: self._in_group(update))
            return
        await self._sequencer.submit(update.chat_id, lambda: self._guarded(update))

    async def drain(self) -> None:
        """Finish the updates already received (shutting down without dropping them)."""
        await self._sequencer.drain()

    async def _guarded(self, update: Incoming) -> None:
        try:
            await self._handle(update)
        except Exception:
            log.exception("update %d could not be handled", update.update_id)

    async def _in_group(self, update: Incoming) -> None:
        staff = self._staff
        try:
            if staff is None or not await self._ledger.first_time(
                self._bot_id, update.update_id, self._clock.now()
            ):
                return
            if update.chat_id == staff.chat_id:
                await staff.handle(update)
            else:
                await staff.elsewhere(update)
        except Exception:
            log.exception("group update %d could not be handled", update.update_id)

    async def _handle(self, update: Incoming) -> None:
        now = self._clock.now()
        claim = await self._ledger.claim(self._bot_id, update.update_id, update.chat_id, now)
        if not claim.first_time:
            log.info("update %d was already handled", update.update_id)
            return
        try:
            if self._admin is not None and await self._admin.handles(update):
                return
            await self._converse(update, now, claim.contact)
        except Exception:
            # Not handled after all: let Telegram's redelivery (or a retry) count.
            await self._ledger.release(self._bot_id, update.update_id)
            raise

    async def _converse(self, update: Incoming, now: datetime, found: ContactRecord | None) -> None:
        if update.callback_id is not None:
            await self._answer(update.callback_id)
        # Someone new starts in the language their app is set to, when Standby speaks it;
        # kept like a choice, so replies made outside a turn (helplines…) use it too.
        first_language = telegram_language(update.language_code)
        contact = found
        if contact is None or contact.unreachable_since is not None:
            # New (or back after blocking the bot, which clears the mark): rare.
            contact = await self._contacts.get_or_create(
                update.chat_id, now=now, language=first_language
            )
        if contact.language is None and first_language is not None:
            # Known from before languages were kept: the same rule, so that the renderer
            # and the actions (which only see the contact) agree on the language.
            await self._contacts.set_language(contact.id, first_language)
            contact = replace(contact, language=first_language)
        if update.message_id is not None:
            self._sender.note_incoming(contact, update.message_id)
        if update.pressed_message_id is not None:
            self._sender.note_pressed(contact, update.pressed_message_id)
        self._sender.note_language(contact, update.language_code, starting=is_start(update))
        try:
            await self._conversation.handle(contact, self._input(update))
        finally:
            await self._sender.flush_incoming(contact)

    def _input(self, update: Incoming) -> Input:
        if update.callback_data is not None:
            return self._codec.decode(update.chat_id, update.callback_data, self._flows())
        if update.attachment is not None:
            return Input.send(update.attachment)
        if update.text is not None:
            return Input.say(update.text)
        return Input.refresh()  # a sticker, voice note…: show the question again

    async def _answer(self, callback_id: str) -> None:
        try:
            await self._api.answer_callback(callback_id)
        except TelegramError as error:
            # An old query can't be answered any more; the press itself still counts.
            log.info("callback not answered: %s", type(error).__name__)
