"""The one place that wires Standby together from its settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings, SettingsError
from bot.services.actions import ActionRegistry, builtin_actions
from bot.services.clock import Clock, SystemClock
from bot.services.conversation import ConversationService
from bot.services.helplines import HelplineDirectory, HelplineFinder
from bot.services.housekeeping import forget_quiet_sessions
from bot.services.library import FlowLibrary
from bot.services.locks import KeyedLock
from bot.services.ports import Sender
from bot.storage import ContactRepository, SqlSessionStore, make_engine, make_sessionmaker
from bot.storage.migrate import upgrade

log = logging.getLogger(__name__)


@dataclass
class Core:
    """Everything a runtime (terminal, Telegram) needs, wired once."""

    settings: Settings
    database: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    contacts: ContactRepository
    sessions: SqlSessionStore
    library: FlowLibrary
    actions: ActionRegistry
    clock: Clock
    locks: KeyedLock = field(default_factory=KeyedLock)

    def conversation(self, sender: Sender) -> ConversationService:
        return ConversationService(
            flows=lambda: self.library.current,
            sessions=self.sessions,
            actions=self.actions,
            sender=sender,
            clock=self.clock,
            locks=self.locks,
        )

    async def close(self) -> None:
        await self.database.dispose()


async def bootstrap(settings: Settings, *, clock: Clock | None = None) -> Core:
    """Migrate the database, load the flows (raising `FlowsInvalidError` on errors) and wire."""
    if not settings.FLOWS_DIR.is_dir():
        raise SettingsError(f"setting FLOWS_DIR is wrong: there is no folder {settings.FLOWS_DIR}")
    await upgrade(settings.DATABASE_URL or None)
    database = make_engine(settings.DATABASE_URL or None)
    sessionmaker = make_sessionmaker(database)
    contacts = ContactRepository(sessionmaker)
    clock = clock or SystemClock()

    def helplines() -> HelplineDirectory:
        # The library's directory at the time of asking: a reload swaps it with the flows.
        return library.helplines

    finder = HelplineFinder(helplines, clock, settings.LOCALES_DIR)
    actions = builtin_actions(contacts, helplines=finder)
    try:
        library = FlowLibrary(settings.FLOWS_DIR, actions.names)
    except Exception:
        await database.dispose()
        raise
    core = Core(
        settings=settings,
        database=database,
        sessionmaker=sessionmaker,
        contacts=contacts,
        sessions=SqlSessionStore(sessionmaker),
        library=library,
        actions=actions,
        clock=clock,
    )
    purged = await forget_quiet_sessions(core.sessions, core.clock.now())
    log.info(
        "started: %d flows, %d helplines; %d expired sessions deleted",
        len(library.current.by_id),
        len(library.helplines),
        purged,
    )
    return core
