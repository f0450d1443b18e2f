"""Forgetting on time: expired sessions, old update ids, message ids past Telegram's
48-hour delete window."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.services.clock import Clock
from bot.storage import MessageLog, SqlSessionStore, UpdateLedger

log = logging.getLogger(__name__)

EVERY = timedelta(minutes=10)
# An expired session keeps (without answers) where the person was for this long, so coming
# back is met with "we stopped our last conversation…" rather than a start from nowhere.
QUIET_MARKERS_KEPT = timedelta(days=30)
# Telegram redelivers an unacknowledged update for at most a day; a week is ample.
UPDATE_IDS_KEPT = timedelta(days=7)
MESSAGE_IDS_KEPT = timedelta(hours=48)


async def tidy_once(
    clock: Clock, sessions: SqlSessionStore, ledger: UpdateLedger, messages: MessageLog
) -> tuple[int, int, int]:
    now = clock.now()
    counts = (
        await forget_quiet_sessions(sessions, now),
        await ledger.purge(now - UPDATE_IDS_KEPT),
        await messages.purge(now - MESSAGE_IDS_KEPT),
    )
    log.info("housekeeping: forgot %d sessions, %d update ids, %d message ids", *counts)
    return counts


async def forget_quiet_sessions(sessions: SqlSessionStore, now: datetime) -> int:
    """Drop the answers of sessions gone quiet; delete the long-expired ones."""
    stripped = await sessions.forget_expired_answers(now)
    return stripped + await sessions.purge_expired(now - QUIET_MARKERS_KEPT)


async def keep_tidy(
    clock: Clock, sessions: SqlSessionStore, ledger: UpdateLedger, messages: MessageLog
) -> None:
    while True:
        try:
            await tidy_once(clock, sessions, ledger, messages)
        except Exception:
            log.exception("housekeeping failed; trying again later")
        await asyncio.sleep(EVERY.total_seconds())
