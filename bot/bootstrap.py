"""The one place that wires Standby together from its settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings, SettingsError
from bot.i18n import LANGUAGES, Translations, translator_for
from bot.i18n.catalogs import reviewed_languages
from bot.services.actions import ActionRegistry, builtin_actions
from bot.services.broadcasts.subscribing import register_alert_actions
from bot.services.clock import Clock, SystemClock
from bot.services.conversation import ConversationService
from bot.services.evidence import MEGABYTE
from bot.services.evidence_vault import EvidenceVault
from bot.services.helplines import HelplineDirectory, HelplineFinder
from bot.services.housekeeping import ReportRetention, forget_quiet_sessions, purge_old_reports
from bot.services.library import FlowLibrary
from bot.services.locks import KeyedLock
from bot.services.notices import MachineTranslationNotice
from bot.services.ports import FileSource, Sender
from bot.services.reports import ReportCipher, ReportKeyError, ReportService
from bot.storage import (
    ContactRepository,
    ReportRepository,
    SqlSessionStore,
    make_engine,
    make_sessionmaker,
)
from bot.storage.audit import AuditLog
from bot.storage.broadcasts import BroadcastRepository
from bot.storage.evidence import EvidenceRepository
from bot.storage.migrate import upgrade
from bot.storage.roles import RoleRepository
from bot.storage.subscriptions import SubscriptionRepository

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
    reports: ReportService
    retention: ReportRetention
    subscriptions: SubscriptionRepository
    broadcasts: BroadcastRepository
    roles: RoleRepository
    audit: AuditLog
    notice: MachineTranslationNotice | None = None
    locks: KeyedLock = field(default_factory=KeyedLock)

    def translators(self, language: str | None) -> Translations:
        return translator_for(language, self.settings.LOCALES_DIR)

    def conversation(self, sender: Sender, files: FileSource | None = None) -> ConversationService:
        """A conversation service showing events with `sender`; `files` fetches evidence."""
        return ConversationService(
            flows=lambda: self.library.current,
            sessions=self.sessions,
            actions=self.actions,
            sender=sender,
            clock=self.clock,
            locks=self.locks,
            files=files,
            notice=self.notice,
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
    reports = report_service(settings, sessionmaker, clock)
    actions = builtin_actions(
        contacts,
        helplines=finder,
        reports=reports,
        evidence_max_bytes=settings.EVIDENCE_MAX_MB * MEGABYTE,
        report_retention_days=settings.REPORT_RETENTION_DAYS,
    )
    subscriptions = SubscriptionRepository(sessionmaker)

    def translators(language: str | None) -> Translations:
        return translator_for(language, settings.LOCALES_DIR)

    register_alert_actions(actions, subscriptions, lambda: library.areas, translators, clock)
    try:
        await check_report_keys(reports)
        library = FlowLibrary(settings.FLOWS_DIR, actions.names)
    except Exception:
        await database.dispose()
        raise
    retention = ReportRetention(reports, timedelta(days=settings.REPORT_RETENTION_DAYS))
    # Which catalogs a fluent speaker reviewed is read once, here: not on every message.
    reviewed = reviewed_languages(LANGUAGES, settings.LOCALES_DIR)
    core = Core(
        settings=settings,
        database=database,
        sessionmaker=sessionmaker,
        contacts=contacts,
        sessions=SqlSessionStore(sessionmaker),
        library=library,
        actions=actions,
        clock=clock,
        reports=reports,
        retention=retention,
        subscriptions=subscriptions,
        broadcasts=BroadcastRepository(sessionmaker),
        roles=RoleRepository(sessionmaker),
        audit=AuditLog(sessionmaker),
        notice=MachineTranslationNotice(contacts, reviewed.__contains__),
    )
    purged = await forget_quiet_sessions(core.sessions, core.clock.now())
    old_reports = await purge_old_reports(retention, core.clock.now())
    log.info(
        "started: %d flows, %d helplines, %d alert areas; "
        "%d expired sessions and %d old reports deleted",
        len(library.current.by_id),
        len(library.helplines),
        len(library.areas),
        purged,
        old_reports,
    )
    return core


def report_service(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
) -> ReportService:
    """Reports with the keys of REPORT_KEYS; without keys, one that stores nothing."""
    cipher = ReportCipher(settings.REPORT_KEYS) if settings.REPORT_KEYS else None
    evidence = EvidenceVault(EvidenceRepository(sessionmaker), cipher, clock)
    return ReportService(ReportRepository(sessionmaker), cipher, clock, evidence=evidence)


async def check_report_keys(reports: ReportService) -> None:
    """Refuse keys that cannot read the stored reports, or no keys when reports exist.

    Without keys and without reports Standby runs, and a report cannot be finished.
    """
    if reports.available:
        try:
            await reports.check_keys()
        except ReportKeyError as error:
            raise SettingsError(
                f"setting REPORT_KEYS is wrong: {error}; put back the key they were encrypted with"
            ) from None
        return
    if await reports.any_stored():
        raise SettingsError(
            "setting REPORT_KEYS is missing: the database holds reports, and they cannot "
            "be read without the key they were encrypted with"
        )
    log.warning("REPORT_KEYS is not set: reports cannot be saved until it is (docs/privacy.md)")
