"""One turn of a conversation: load the session, run the engine, act, save, send.

Two guards keep a person's conversation whole. Inside a process, a lock per contact makes
their updates run one after another. Across processes sharing PostgreSQL, the session row's
version is checked on save: if another process moved the conversation on meanwhile, this
turn is run again on top of that (nothing has been sent yet, so nobody sees the retry).

With a `MachineTranslationNotice`, the first turn someone gets in a language no fluent
speaker has reviewed starts with a notice saying so, and its English button switches them
to English here, before the engine, which then shows where they were (`bot.services.notices`).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable

from bot.engine import ActionResult, Event, Failed, Flows, Input, Session, Sprint, resume
from bot.services.actions import ActionContext, ActionRegistry
from bot.services.clock import Clock
from bot.services.locks import KeyedLock
from bot.services.notices import MachineTranslationNotice
from bot.services.ports import FileSource, Sender
from bot.storage import (
    ContactNotFoundError,
    ContactRecord,
    SqlSessionStore,
    StaleSession,
    StoredSession,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Sessions kept in memory (a few kilobytes each): the people active in the last while.
RECENT_SESSIONS = 10_000


class ConversationBusyError(Exception):
    """The session kept changing under us; the turn was not applied."""


class ConversationService:
    def __init__(
        self,
        *,
        flows: Callable[[], Flows],
        sessions: SqlSessionStore,
        actions: ActionRegistry,
        sender: Sender,
        clock: Clock,
        locks: KeyedLock | None = None,
        files: FileSource | None = None,
        notice: MachineTranslationNotice | None = None,
    ) -> None:
        self._flows = flows
        self._sessions = sessions
        self._actions = actions
        self._sender = sender
        self._clock = clock
        self._locks = locks or KeyedLock()
        self._files = files  # for actions that fetch what the person sent (evidence)
        self._notice = notice
        # Sessions as this process last saved them. Safe across processes: a save with a
        # cached version another process moved on from fails with StaleSession, and the
        # turn is run again on the stored session. Saves one load per update.
        self._recent: OrderedDict[int, StoredSession] = OrderedDict()

    async def handle(self, contact: ContactRecord, given: Input) -> list[Event]:
        """Apply one input from `contact`; returns the events that were delivered."""
        async with self._locks.hold(contact.id):
            if self._notice is not None and self._notice.asks_for_english(given):
                contact = await self._notice.switch_to_english(contact)
                given = Input.refresh()  # the question they are on, now in English
            for _ in range(MAX_ATTEMPTS):
                events = await self._attempt(contact, given)
                if events is not None:
                    _log_problems(contact, events)
                    if self._notice is not None:
                        contact, events = await self._notice.added(contact, events, self._flows())
                    await self._sender.deliver(contact, events)
                    return events
        log.error("contact %d: session kept changing; turn dropped", contact.id)
        raise ConversationBusyError(contact.id)

    async def _attempt(self, contact: ContactRecord, given: Input) -> list[Event] | None:
        remembered = self._recent.pop(contact.id, None)
        stored = remembered or await self._sessions.load(contact.id)
        session = stored.session if stored else Session()
        now = self._clock.now()
        flows = self._flows()
        sprint = resume(flows, session, given, now=now)
        if remembered is not None and sprint.action is not None:
            # Actions act in the world: before one runs, make sure no other process moved
            # this conversation on (the save would notice, but only after the action).
            current = await self._sessions.load(contact.id)
            if current is None or current.version != remembered.version:
                return None
        events = list(sprint.events)
        sprint = await self._run_actions(contact, flows, sprint, events)
        try:
            version = await self._sessions.save(
                contact.id,
                sprint.session,
                expected_version=stored.version if stored else None,
                now=now,
            )
        except StaleSession:
            log.info("contact %d: session changed meanwhile; running the turn again", contact.id)
            return None
        except ContactNotFoundError:
            # The turn forgot the person (/forget_me): keep nothing and say nothing more.
            log.info("contact %d: forgotten during the turn; nothing more is sent", contact.id)
            return []
        self._remember(contact.id, StoredSession(sprint.session, version))
        return events

    def _remember(self, contact_id: int, stored: StoredSession) -> None:
        self._recent[contact_id] = stored
        if len(self._recent) > RECENT_SESSIONS:
            self._recent.popitem(last=False)

    async def _run_actions(
        self, contact: ContactRecord, flows: Flows, sprint: Sprint, events: list[Event]
    ) -> Sprint:
        while (request := sprint.action) is not None:
            result: ActionResult = await self._actions.run(
                ActionContext(contact, request, self._sender, self._files)
            )
            sprint = resume(flows, sprint.session, result, now=self._clock.now())
            events += sprint.events
        return sprint


def _log_problems(contact: ContactRecord, events: list[Event]) -> None:
    for event in events:
        if isinstance(event, Failed):
            log.warning(
                "contact %d: flow problem at %s/%s: %s",
                contact.id,
                event.flow,
                event.step,
                event.reason,
            )
