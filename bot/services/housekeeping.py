"""Forgetting on time: expired sessions, old update ids, message ids past Telegram's
48-hour delete window, and reports past their retention."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.clock import Clock
from bot.services.reports import ReportService
from bot.storage import MessageLog, SqlSessionStore, UpdateLedger

log = logging.getLogger(__name__)

EVERY = timedelta(minutes=10)
# An expired session keeps (without answers) where the person was for this long, so coming
# back is met with "we stopped our last conversation…" rather than a start from nowhere.
QUIET_MARKERS_KEPT = timedelta(days=30)
# Telegram redelivers an unacknowledged update for at most a day; a week is ample.
UPDATE_IDS_KEPT = timedelta(days=7)
MESSAGE_IDS_KEPT = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class ReportRetention:
    """The reports to tidy and how long they are kept (REPORT_RETENTION_DAYS)."""

    reports: ReportService
    kept: timedelta


@dataclass(frozen=True, slots=True)
class Tidied:
    """How many of each thing one round of housekeeping forgot."""

    sessions: int
    update_ids: int
    message_ids: int
    reports: int = 0


async def tidy_once(
    clock: Clock,
    sessions: SqlSessionStore,
    ledger: UpdateLedger,
    messages: MessageLog,
    retention: ReportRetention | None = None,
) -> Tidied:
    """Forget everything past its time, once; `retention` None leaves reports alone."""
    now = clock.now()
    tidied = Tidied(
        sessions=await forget_quiet_sessions(sessions, now),
        update_ids=await ledger.purge(now - UPDATE_IDS_KEPT),
        message_ids=await messages.purge(now - MESSAGE_IDS_KEPT),
        reports=0 if retention is None else await purge_old_reports(retention, now),
    )
    log.info(
        "housekeeping: forgot %d sessions, %d update ids, %d message ids, %d reports",
        tidied.sessions,
        tidied.update_ids,
        tidied.message_ids,
        tidied.reports,
    )
    return tidied


async def forget_quiet_sessions(sessions: SqlSessionStore, now: datetime) -> int:
    """Drop the answers of sessions gone quiet; delete the long-expired ones."""
    stripped = await sessions.forget_expired_answers(now)
    return stripped + await sessions.purge_expired(now - QUIET_MARKERS_KEPT)


async def purge_old_reports(retention: ReportRetention, now: datetime) -> int:
    """Delete reports older than the retention; clear spent submission keys. Needs no keys."""
    await retention.reports.forget_submissions(now)
    return await retention.reports.purge(now - retention.kept)


async def keep_tidy(
    clock: Clock,
    sessions: SqlSessionStore,
    ledger: UpdateLedger,
    messages: MessageLog,
    retention: ReportRetention | None = None,
) -> None:
    """Run `tidy_once` every ten minutes, for as long as the bot runs."""
    while True:
        try:
            await tidy_once(clock, sessions, ledger, messages, retention)
        except Exception:
            log.exception("housekeeping failed; trying again later")
        await asyncio.sleep(EVERY.total_seconds())
