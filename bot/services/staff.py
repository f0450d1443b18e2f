"""The staff chat (STAFF_CHAT_ID): reports that may be shared are posted there for
caseworkers to claim.

Posting happens after a report is saved, outside the person's turn: a report is stored
whatever Telegram does, and one that could not be posted stays marked unposted
(`posted_at` NULL) and is tried again by `keep_posting`. A report is posted at least once:
a failure between sending and marking it, or two processes posting at the same moment,
can post it twice, which beats a report nobody sees. Reports with consent `keep` are
never posted.

A report that stops being shareable (withdrawn, consent back to `keep`) or is deleted
(by the person, /forget_me or retention) has its post edited down to one line saying so,
by the same loop (`retract_pending`): the post's message ids are stored when it is posted
(`staff_post`) and outlive a deleted report, so a Telegram failure is retried, not lost.
Each round skips a report that fails and carries on with the rest, so one report that
cannot be opened or posted never holds back the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Protocol

from bot.services.clock import Clock
from bot.services.reports import ReportService
from bot.services.staff_text import retracted, summary
from bot.storage import ReportRepository
from bot.storage.tables import SHAREABLE_CONSENTS

log = logging.getLogger(__name__)

# Only recent reports are posted: turning STAFF_CHAT_ID on must not flood the group with
# a year of old reports, and Telegram is never down for this long.
POST_WINDOW = timedelta(days=7)
POST_BATCH = 10
# How often unposted reports are looked for, besides right after a report is saved.
RETRY_EVERY = timedelta(seconds=30)


class StaffBoard(Protocol):
    """Where reports are posted (the Telegram staff group, or a test recorder)."""

    async def post(self, report_id: int, text: str) -> list[int]:
        """Post `text` with a Claim button for `report_id`; return the ids of the messages
        it took; raise if it was not posted."""
        ...

    async def retract(self, message_ids: Sequence[int], text: str) -> None:
        """Replace the messages `message_ids` by `text` (no answers, no button); raise if
        that should be tried again. Messages that cannot be edited at all are skipped."""
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

        A report that cannot be opened or posted is skipped for this round (counted and
        logged) and tried again on the next, after the others: oldest first must not mean
        one bad report holds back every later one.
        """
        posted = 0
        failed: set[int] = set()
        while True:
            since = self._clock.now() - POST_WINDOW
            batch = await self._repository.unposted(
                SHAREABLE_CONSENTS, since, POST_BATCH, skip=failed
            )
            for record in batch:
                try:
                    text = summary(self._reports.open(record))
                    message_ids = await self._board.post(record.id, text)
                except Exception as error:
                    failed.add(record.id)
                    _log_failure("posted", error)
                    continue
                # The report was deleted while it was being posted: its rows in staff_post
                # are left for `retract_pending`, which says so in the chat.
                await self._repository.mark_posted(
                    record.id, now=self._clock.now(), message_ids=message_ids
                )
                posted += 1
            if len(batch) < POST_BATCH:
                if failed:
                    log.warning("%d report(s) not posted to the staff chat", len(failed))
                return posted

    async def retract_pending(self) -> int:
        """Edit the posts of reports that may no longer be shared (withdrawn, kept with
        Standby only, deleted) down to one line; return how many posts were retracted.

        As in `post_pending`, a post that fails is skipped and tried again next round.
        """
        retracted_posts = 0
        failed: set[int] = set()
        while True:
            batch = await self._repository.posts_to_retract(
                SHAREABLE_CONSENTS, POST_BATCH, skip=failed
            )
            for post in batch:
                text = retracted(post.report_id, deleted=post.deleted)
                try:
                    await self._board.retract(post.message_ids, text)
                except Exception as error:
                    failed.add(post.report_id)
                    _log_failure("retracted", error)
                    continue
                await self._repository.forget_post(post.report_id, post.message_ids)
                retracted_posts += 1
            if len(batch) < POST_BATCH:
                if failed:
                    log.warning("%d staff chat post(s) not retracted", len(failed))
                return retracted_posts

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
        """Post pending reports, and retract the posts of reports no longer shared, when
        woken and every RETRY_EVERY, for as long as the bot runs."""
        while True:
            self._wake.clear()
            try:
                posted = await self.post_pending()
                if posted:
                    log.info("posted %d reports to the staff chat", posted)
            except Exception:
                log.exception("posting to the staff chat failed; trying again later")
            try:
                retracted_posts = await self.retract_pending()
                if retracted_posts:
                    log.info("retracted %d posts in the staff chat", retracted_posts)
            except Exception:
                log.exception("retracting staff chat posts failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), RETRY_EVERY.total_seconds())


def _log_failure(what: str, error: Exception) -> None:
    # The error's type only: its text may quote Telegram's answer or a report. No report
    # id either: next to a contact's log lines it could tie them to the report.
    log.warning(
        "a report could not be %s in the staff chat (%s); trying again later",
        what,
        type(error).__name__,
    )
