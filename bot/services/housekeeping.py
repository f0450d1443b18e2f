"""Forgetting on time: expired sessions, old update ids, message ids past Telegram's
48-hour delete window."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.services.clock import Clock
from bot.storage import MessageLog, SqlSessionStore, UpdateLedger

log = logging.getLogger(__name__)

EVERY = timedelta(minutes=10)
# Telegram redelivers an unacknowledged update for at most a day; a week is ample.
UPDATE_IDS_KEPT = timedelta(days=7)
MESSAGE_IDS_KEPT = timedelta(hours=48)


async def tidy_once(
    clock: Clock, sessions: SqlSessionStore, ledger: UpdateLedger, messages: MessageLog
) -> tuple[int, int, int]:
    now = clock.now()
    counts = (
        await sessions.purge_expired(now),
        await ledger.purge(now - UPDATE_IDS_KEPT),
        await messages.purge(now - MESSAGE_IDS_KEPT),
    )
    log.info("housekeeping: deleted %d sessions, %d update ids, %d message ids", *counts)
    return counts


async def keep_tidy(
    clock: Clock, sessions: SqlSessionStore, ledger: UpdateLedger, messages: MessageLog
) -> None:
    while True:
        try:
            await tidy_once(clock, sessions, ledger, messages)
        except Exception:
            log.exception("housekeeping failed; trying again later")
        await asyncio.sleep(EVERY.total_seconds())
