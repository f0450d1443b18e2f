"""Showing a sprint's events in Telegram, and erasing a conversation (quick exit)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial

from bot.adapters.render import OutMessage, Translator, language_offer, render, render_message
from bot.adapters.telegram.api import BotApi, Keyboard
from bot.adapters.telegram.callbacks import CallbackCodec
from bot.adapters.telegram.errors import Blocked, Rejected, TelegramError
from bot.adapters.telegram.retry import patiently
from bot.adapters.telegram.text import escape, split_text
from bot.engine import ActionRequested, Event, MessageCreated
from bot.engine.texts import N_
from bot.i18n.negotiation import language_to_offer, negotiate
from bot.services.clock import Clock
from bot.storage import ContactNotFoundError, ContactRecord, ContactRepository, MessageLog

log = logging.getLogger(__name__)

# Telegram lets a bot delete messages in a private chat for 48 hours.
DELETABLE_FOR = timedelta(hours=48)
DELETE_BATCH = 100
# Telegram's answer to deleting a message that is already gone: as good as deleted.
ALREADY_GONE = "message to delete not found"
# Said after a quick exit (or /forget_me) that left messages in the chat: a safety feature
# must not fail silently.
# TRANSLATORS: after Leave now or /forget_me, if Telegram kept some messages.
# Neutral words, like the exit's own: someone else may see the phone.
NOT_ERASED = N_(
    "Some of our messages could not be deleted. To remove them, delete this chat in "
    "Telegram: press and hold it, or swipe it, in your list of chats, then choose Delete."
)


class TelegramSender:
    """The `Sender` port for Telegram."""

    def __init__(
        self,
        api: BotApi,
        *,
        contacts: ContactRepository,
        messages: MessageLog,
        codec: CallbackCodec,
        translators: Callable[[str | None], Translator],
        clock: Clock,
    ) -> None:
        self._api = api
        self._contacts = contacts
        self._messages = messages
        self._codec = codec
        self._translators = translators
        self._clock = clock
        # The message whose button was pressed, per contact, for this turn only: a pick in
        # a multi-choice question re-draws that very message.
        self._pressed: dict[int, int] = {}
        # The person's message ids of turns in progress, saved with the replies' ids in one
        # statement (a quick exit deletes both).
        self._incoming: dict[int, list[int]] = {}
        # The language the person's Telegram app is set to, per contact, for this turn; and
        # the contacts who pressed /start this turn (they may be offered that language).
        self._app_language: dict[int, str | None] = {}
        self._starting: set[int] = set()
        # Contacts whose chat an erase left messages in, until they are told (this turn).
        self._unerased: set[int] = set()

    def note_language(
        self, contact: ContactRecord, telegram_code: str | None, *, starting: bool
    ) -> None:
        """Telegram's `language_code` for this turn: used when the person has not chosen a
        language, and offered at /start when Standby speaks it but writes in another."""
        self._app_language[contact.id] = telegram_code
        if starting:
            self._starting.add(contact.id)

    def note_incoming(self, contact: ContactRecord, message_id: int) -> None:
        self._incoming.setdefault(contact.id, []).append(message_id)

    def note_pressed(self, contact: ContactRecord, message_id: int) -> None:
        self._pressed[contact.id] = message_id

    async def flush_incoming(self, contact: ContactRecord) -> None:
        """Save the person's message ids if no delivery did (the turn failed); forget the
        turn's language."""
        self._app_language.pop(contact.id, None)
        self._starting.discard(contact.id)
        await self._record(contact, [])

    async def deliver(self, contact: ContactRecord, events: Sequence[Event]) -> None:
        if any(isinstance(event, ActionRequested) for event in events):
            # An action may have changed the contact (a new language): read it again.
            contact = await self._contacts.get(contact.id) or contact
        sent: list[int] = []
        try:
            if contact.unreachable_since is None:
                for message in self._render(contact, events):
                    await self._show(contact, message, sent)
        except Blocked:
            log.info("contact %d blocked the bot; marked unreachable", contact.id)
            await self._contacts.mark_unreachable(contact.id, self._clock.now())
        except TelegramError as error:
            log.error("contact %d: message not delivered: %s", contact.id, type(error).__name__)
        finally:
            self._pressed.pop(contact.id, None)
            await self._record(contact, sent)

    def _render(self, contact: ContactRecord, events: Sequence[Event]) -> list[OutMessage]:
        app_language = self._app_language.get(contact.id)
        language = negotiate(contact.language, app_language)
        messages = render(events, self._translators(language))
        offered = language_to_offer(contact.language, app_language)
        if offered is not None and contact.id in self._starting and messages:
            # First, so the first thing the person reads at /start is in their language.
            messages.insert(0, language_offer(self._translators(offered)))
        if contact.id in self._unerased:
            # Last: after /forget_me, whose flow says nothing more.
            self._unerased.discard(contact.id)
            notice = MessageCreated(NOT_ERASED)
            messages.append(render_message(notice, self._translators(language)))
        return messages

    async def _record(self, contact: ContactRecord, sent: list[int]) -> None:
        theirs = self._incoming.pop(contact.id, [])
        rows = [(id_, False) for id_ in theirs] + [(id_, True) for id_ in sent]
        # Forgotten this turn (/forget_me, whose erase may have left messages): keep nothing.
        with contextlib.suppress(ContactNotFoundError):
            await self._messages.record_rows(contact.id, rows, now=self._clock.now())

    async def _show(self, contact: ContactRecord, message: OutMessage, sent: list[int]) -> None:
        chat = contact.chat_id
        keyboard = self._keyboard(chat, message)
        pressed = self._pressed.get(contact.id)
        if message.updates_question and pressed is not None:
            try:
                await patiently(
                    partial(self._api.edit_message, chat, pressed, escape(message.text), keyboard)
                )
                return
            except Rejected:
                pass  # too old to edit, or unchanged: send it afresh below
        parts = split_text(message.text)
        for index, part in enumerate(parts):
            markup = keyboard if index == len(parts) - 1 else None
            sent.append(
                await patiently(partial(self._api.send_message, chat, escape(part), markup))
            )

    def _keyboard(self, chat: int, message: OutMessage) -> Keyboard | None:
        if not message.rows:
            return None
        return tuple(
            tuple((b.text, self._codec.encode(chat, b.button)) for b in row) for row in message.rows
        )

    async def erase(self, contact: ContactRecord, *, tell_if_kept: bool = True) -> bool:
        """Delete every message of the conversation Telegram still allows us to; False if
        some stay, and then (with `tell_if_kept`) the next delivery this turn says so."""
        since = self._clock.now() - DELETABLE_FOR
        pending = self._incoming.pop(contact.id, [])  # the /exit itself, not saved yet
        ids = sorted({*await self._messages.recent(contact.id, since), *pending})
        stayed: list[int] = []
        reachable = True
        for start in range(0, len(ids), DELETE_BATCH):
            batch = ids[start : start + DELETE_BATCH]
            if not reachable:
                stayed += batch
            elif not await self._delete_batch(contact, batch):
                left, reachable = await self._delete_each(contact, batch)
                stayed += left
        if not stayed:
            await self._messages.forget(contact.id)
            return True
        log.warning("contact %d: %d messages could not be deleted", contact.id, len(stayed))
        if tell_if_kept:
            self._unerased.add(contact.id)
        # Their ids stay in the log (the pending ones are saved with this turn's), so that
        # another exit can try again.
        await self._messages.forget(contact.id, sorted(set(ids) - set(stayed)))
        self._incoming[contact.id] = sorted(set(pending) & set(stayed))
        return False

    async def _delete_batch(self, contact: ContactRecord, batch: list[int]) -> bool:
        try:
            await patiently(partial(self._api.delete_messages, contact.chat_id, batch))
        except TelegramError as error:
            # The type only, as for sends: a library's message is free text from afar.
            name = type(error).__name__
            log.warning("contact %d: could not delete messages: %s; one by one", contact.id, name)
            return False
        return True

    async def _delete_each(
        self, contact: ContactRecord, batch: list[int]
    ) -> tuple[list[int], bool]:
        """deleteMessage for each (a Bot API without deleteMessages, or one refusing the
        batch): the ids still in the chat, and whether Telegram could still be reached."""
        stayed: list[int] = []
        for index, message_id in enumerate(batch):
            try:
                await patiently(partial(self._api.delete_message, contact.chat_id, message_id))
            except Rejected as refused:
                if ALREADY_GONE not in str(refused).lower():  # gone already counts as deleted
                    stayed.append(message_id)  # too old, or not allowed
            except TelegramError:
                # Unreachable for now, or blocked: asking about the rest would not help.
                return stayed + batch[index:], False
        return stayed, True
