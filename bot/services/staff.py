"""The staff chat (STAFF_CHAT_ID): reports that may be shared are posted there for
caseworkers to claim.

Posting happens after a report is saved, outside the person's turn: a report is stored
whatever Telegram does, and one that could not be posted stays marked unposted
(`posted_at` NULL) and is tried again by `keep_posting`. A report is posted at least once:
a failure between sending and marking it, or two processes posting at the same moment,
can post it twice, which beats a report nobody sees. Reports with consent `keep` are
never posted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Protocol

from bot.services.clock import Clock
from bot.services.reports import ReportService
from bot.services.staff_text import summary
from bot.storage import ReportRepository

log = logging.getLogger(__name__)

SHAREABLE = ("partner", "police")
# Only recent reports are posted: turning STAFF_CHAT_ID on must not flood the group with
# a year of old reports, and Telegram is never down for this long.
POST_WINDOW = timedelta(days=7)
POST_BATCH = 10
# How often unposted reports are looked for, besides right after a report is saved.
RETRY_EVERY = timedelta(seconds=30)


class StaffBoard(Protocol):
    """Where reports are posted (the Telegram staff group, or a test recorder)."""

    async def post(self, report_id: int, text: str) -> None:
        """Post `text` with a Claim button for `report_id`; raise if it was not posted."""
        ...


class ClaimOutcome(Enum):
    CLAIMED = "claimed"
    ALREADY_CLAIMED = "already_claimed"
    CLOSED = "closed"  # withdrawn, or no longer new for another reason
    GONE = "gone"  # deleted (retention, or at the person's request)


@dataclass(frozen=True, slots=True)
class Claim:
    """What pressing Claim did; `text` is the report's summary when it was claimed now."""

    outcome: ClaimOutcome
    text: str | None = None
    by_presser: bool = False


class StaffDesk:
    """Posts shareable reports to the staff board and records who claims them."""

    def __init__(
        self,
        repository: ReportRepository,
        reports: ReportService,
        board: StaffBoard,
        clock: Clock,
    ) -> None:
        self._repository = repository
        self._reports = reports
        self._board = board
        self._clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for reports to post now (called when one is saved)."""
        self._wake.set()

    async def post_pending(self) -> int:
        """Post every unposted shareable report; return how many were posted.

        Stops at the first failure to post (Telegram is down or refusing): the rest wait
        for the next round, in order.
        """
        posted = 0
        while True:
            since = self._clock.now() - POST_WINDOW
            batch = await self._repository.unposted(SHAREABLE, since, POST_BATCH)
            for record in batch:
                try:
                    text = summary(self._reports.open(record))
                    await self._board.post(record.id, text)
                except Exception as error:
                    # No report id: next to a contact's log lines it could tie them.
                    log.warning(
                        "a report could not be posted to the staff chat (%s); trying again later",
                        type(error).__name__,
                    )
                    return posted
                await self._repository.mark_posted(record.id, now=self._clock.now())
                posted += 1
            if len(batch) < POST_BATCH:
                return posted

    async def claim(self, report_id: int, staff_user_id: int) -> Claim:
        """Record that staff member `staff_user_id` took the report on, if nobody has."""
        if await self._repository.claim(report_id, staff_user_id, now=self._clock.now()):
            record = await self._repository.get(report_id)
            text = None if record is None else summary(self._reports.open(record))
            return Claim(ClaimOutcome.CLAIMED, text)
        record = await self._repository.get(report_id)
        if record is None:
            return Claim(ClaimOutcome.GONE)
        if record.claimed_by is not None:
            mine = record.claimed_by == staff_user_id
            return Claim(ClaimOutcome.ALREADY_CLAIMED, by_presser=mine)
        return Claim(ClaimOutcome.CLOSED)

    async def keep_posting(self) -> None:
        """Post pending reports when woken and every RETRY_EVERY, for as long as the bot runs."""
        while True:
            self._wake.clear()
            try:
                posted = await self.post_pending()
                if posted:
                    log.info("posted %d reports to the staff chat", posted)
            except Exception:
                log.exception("posting to the staff chat failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), RETRY_EVERY.total_seconds())
