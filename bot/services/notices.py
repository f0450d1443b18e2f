"""Telling each person once that their language's translation was made with a machine's help.

`ConversationService` asks `MachineTranslationNotice` at the end of every turn: the first
time Standby writes to someone in a language no fluent speaker has reviewed (chosen in the
language menu or taken from their Telegram app), the notice goes before the turn's other
messages, in that language, with an English button. The contact row remembers the language
(`notice_language`), so it is given once, and again only for another unreviewed language.

The button is an ordinary engine button on the step the person is now waiting at, so each
adapter shows and signs it like any other (Telegram's callback codec, the terminal's
numbers). Pressed, it switches the person to English and shows where they are again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from bot.engine import (
    ActionRequested,
    Button,
    Event,
    FlowEnded,
    Flows,
    Input,
    MessageCreated,
    WaitStarted,
)
from bot.i18n.languages import SOURCE_LANGUAGE
from bot.i18n.negotiation import negotiate
from bot.i18n.notice import ENGLISH, MACHINE_TRANSLATION, READ_IN_ENGLISH, notice_due
from bot.storage import ContactNotFoundError, ContactRecord, ContactRepository

log = logging.getLogger(__name__)


class MachineTranslationNotice:
    """Adds the notice to a turn when it is due, and switches to English when asked.

    `reviewed(language)` says whether a fluent speaker reviewed that language's catalog:
    read from the catalogs once, when they are loaded (`Translations.reviewed`).
    """

    def __init__(self, contacts: ContactRepository, reviewed: Callable[[str], bool]) -> None:
        self._contacts = contacts
        self._reviewed = reviewed

    @staticmethod
    def asks_for_english(given: Input) -> bool:
        """Whether `given` is a press of the notice's English button."""
        return given.is_press and given.value == READ_IN_ENGLISH

    async def switch_to_english(self, contact: ContactRecord) -> ContactRecord:
        """Save English as the contact's language; the contact as it now is."""
        try:
            await self._contacts.set_language(contact.id, SOURCE_LANGUAGE)
        except ContactNotFoundError:
            return contact  # forgotten meanwhile: the turn starts them afresh anyway
        log.info("contact %d: switched to English from the translation notice", contact.id)
        return replace(contact, language=SOURCE_LANGUAGE)

    async def added(
        self, contact: ContactRecord, events: Sequence[Event], flows: Flows
    ) -> tuple[ContactRecord, list[Event]]:
        """`events` with the notice first when it is due, and the contact as it now is."""
        shown = list(events)
        if not any(isinstance(event, MessageCreated) for event in shown):
            return contact, shown
        if _leaves(shown, flows):
            # After a quick exit the screen should hold as little as can be: next time.
            return contact, shown
        if any(isinstance(event, ActionRequested) for event in shown):
            # An action may have changed their language (the language menu): read it again.
            contact = await self._contacts.get(contact.id) or contact
        language = negotiate(contact.language, None)
        if not notice_due(
            language, reviewed=self._reviewed(language), noticed=contact.notice_language
        ):
            return contact, shown
        if not await self._contacts.mark_noticed(contact.id, language):
            return contact, shown  # another process gave it, or the contact is gone
        notice = MessageCreated(MACHINE_TRANSLATION, buttons=(_english_button(shown, flows),))
        return replace(contact, notice_language=language), [notice, *shown]


def _english_button(events: Sequence[Event], flows: Flows) -> Button:
    """The notice's button, on the step the person now waits at (else the home flow's
    first): a real step, so Telegram's callback codec signs and reads it like any other."""
    waits = [event for event in events if isinstance(event, WaitStarted)]
    if waits:
        flow, step = waits[-1].flow, waits[-1].step
    else:
        home = flows.get(flows.home)
        flow, step = flows.home, home.start if home is not None else flows.home
    return Button(ENGLISH, step, READ_IN_ENGLISH, flow=flow)


def _leaves(events: Sequence[Event], flows: Flows) -> bool:
    """Whether the turn ran the quick exit."""
    exit_flow = flows.quick_exit
    return exit_flow is not None and any(
        isinstance(event, ActionRequested | FlowEnded | WaitStarted) and event.flow == exit_flow
        for event in events
    )
