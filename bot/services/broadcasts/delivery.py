"""The delivery engine: every bot process runs one, and together they send each broadcast.

Each pass takes the broadcasts being sent, claims a small batch of pending deliveries
(about a tenth of a second of sending), sends them concurrently at the shared rate, and records
the outcomes as they come. Claims are renewed while the sender lives; those of a sender
that stopped are given back after `lease` (at once on SQLite, which has one sender) and
sent again, flagged `resent`. So a kill can double at most what was in flight: a batch.

What Telegram answers decides each delivery: sent; 403 blocked (the contact is marked
unreachable and their subscriptions end); 429 pauses every sender for `retry_after` and
the message is tried again; 5xx and timeouts are retried with backoff, then failed;
other refusals fail at once. Nothing is sent after a broadcast's expiry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.services.broadcasts.channel import (
    AlertChannel,
    FloodWait,
    Retryable,
    Sent,
    Unreachable,
)
from bot.services.broadcasts.compose import AlertComposer, AlertContent, ContentError
from bot.services.broadcasts.progress import final_report, progress_line
from bot.services.broadcasts.ratelimit import ChatSpacing, RateLimiter
from bot.services.clock import Clock
from bot.storage import ContactNotFoundError, ContactRepository
from bot.storage.audit import AuditLog
from bot.storage.broadcasts import (
    BroadcastRecord,
    BroadcastRepository,
    ClaimedDelivery,
    DeliveryCounts,
    Outcome,
)
from bot.storage.subscriptions import SubscriptionRepository

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
RENEW_EVERY = 10.0  # seconds; well inside the lease
IDLE_POLL = 2.0  # seconds between looks for broadcasts started elsewhere (CLI, other bots)
PROGRESS_EVERY = timedelta(seconds=3)
# Drafts an admin left unfinished this long ago are deleted, and the deliveries of
# broadcasts finished this long ago (who got what: a correction a month later is unlikely,
# and the rows tie people to the areas they follow). Looked for every ten minutes.
DRAFTS_KEPT = timedelta(days=1)
DELIVERIES_KEPT = timedelta(days=30)
TIDY_EVERY = 600.0
BACKOFF = (0.5, 1.0, 2.0, 4.0)
# Outcomes are written as they happen, in groups of up to a hundredth of a second of
# sending (one at a time at Telegram's free 30/s), and never later than this: what a kill
# can double is what was sent but not yet written.
RECORD_EVERY = 0.05  # seconds
RECORD_SECONDS = 0.01
# A claim is about a tenth of a second of sending: what a kill leaves `sending` is sent
# again, flagged as possibly doubled, so the less is claimed at once the fewer flagged.
CLAIM_SECONDS = 0.1
MAX_IN_FLIGHT = 200

Sleep = Callable[[float], Awaitable[None]]


def sender_name() -> str:
    """Who claims deliveries: host, process and a random part (pids are reused)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True, slots=True)
class DeliveryServices:
    """The repositories the engine updates besides deliveries."""

    broadcasts: BroadcastRepository
    contacts: ContactRepository
    subscriptions: SubscriptionRepository
    audit: AuditLog


class DeliveryEngine:
    def __init__(
        self,
        services: DeliveryServices,
        channel: AlertChannel,
        composer: AlertComposer,
        limiter: RateLimiter,
        clock: Clock,
        *,
        rate: float,
        paid: bool = False,
        single_sender: bool = False,
        lease: timedelta = LEASE,
        name: str | None = None,
        spacing: ChatSpacing | None = None,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repository = services.broadcasts
        self._services = services
        self._channel = channel
        self._composer = composer
        self._limiter = limiter
        self._clock = clock
        self._rate = rate
        self._paid = paid
        self._lease = lease
        self._single = single_sender
        self._spacing = spacing if spacing is not None else ChatSpacing()
        self._sleep = sleep
        self._monotonic = monotonic
        self.name = name or sender_name()
        self._wake = asyncio.Event()
        # Broadcasts whose claims left by an earlier run (SQLite: one sender) were taken back.
        self._recovered: set[int] = set()
        # Broadcasts this process is sending a batch of: only their claims are renewed, so
        # rows stranded by a failure lapse and are sent again.
        self._working: set[int] = set()
        self._paused_until = 0.0
        self._batch = max(5, math.ceil(rate * CLAIM_SECONDS))
        self._record_batch = max(1, math.floor(rate * RECORD_SECONDS))
        self._texts: dict[tuple[int, str | None], str] = {}

    def wake(self) -> None:
        """Look for work now (a broadcast was started in this process)."""
        self._wake.set()

    async def run(self) -> None:
        """Deliver for as long as the bot runs; claims are renewed alongside."""
        renewing = asyncio.create_task(self._keep_claims())
        tidied = float("-inf")
        try:
            while True:
                if time.monotonic() - tidied > TIDY_EVERY:
                    tidied = time.monotonic()
                    await self._forget_drafts()
                self._wake.clear()
                try:
                    busy = await self.run_once()
                except Exception:
                    log.exception("broadcast delivery failed; trying again shortly")
                    busy = 0
                if not busy:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), IDLE_POLL)
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def run_once(self) -> int:
        """One batch of each broadcast being sent; how many deliveries were handled."""
        handled = 0
        for record in reversed(await self._repository.with_status("sending")):
            handled += await self._work_on(record)
        return handled

    async def _forget_drafts(self) -> None:
        now = self._clock.now()
        try:
            drafts = await self._repository.delete_drafts(now - DRAFTS_KEPT)
            deliveries = await self._repository.forget_deliveries(now - DELIVERIES_KEPT)
        except Exception:
            log.exception("old broadcast drafts and deliveries could not be deleted")
            return
        if drafts or deliveries:
            log.info("deleted %d abandoned drafts and %d old deliveries", drafts, deliveries)

    async def _keep_claims(self) -> None:
        while True:
            await asyncio.sleep(RENEW_EVERY)
            if self._working:
                with contextlib.suppress(Exception):
                    await self._repository.renew(
                        self.name, sorted(self._working), now=self._clock.now()
                    )

    async def _work_on(self, record: BroadcastRecord) -> int:
        now = self._clock.now()
        if record.expires_at is not None and now >= record.expires_at:
            expired = await self._repository.close_open(record.id, "expired")
            log.info("broadcast %d expired; %d deliveries not sent", record.id, expired)
            await self._finish(record)
            return expired
        # The lease is counted from the last renewal; SQLite has only this sender, so
        # whatever is claimed at start was left by an earlier run.
        first_look = self._single and record.id not in self._recovered
        stale_before = now if first_look else now - self._lease
        self._recovered.add(record.id)
        reclaimed = await self._repository.reclaim_stale(record.id, claimed_before=stale_before)
        if reclaimed:
            log.warning(
                "broadcast %d: %d deliveries in flight were given back", record.id, reclaimed
            )
        batch = await self._repository.claim(record.id, self.name, now=now, limit=self._batch)
        if not batch:
            await self._finish(record)
            return 0
        try:
            texts = {d.language: self._text(record, d.language) for d in batch}
        except ContentError as error:
            log.error("broadcast %d cannot be written out: %s", record.id, error)
            failed = [Outcome(d.contact_id, "failed") for d in batch]
            await self._repository.record(record.id, self.name, failed, now=now)
            await self._repository.close_open(record.id, "failed")
            return len(batch)
        recorder = _Recorder(
            self._repository, record.id, self.name, self._clock, self._record_batch, self._monotonic
        )
        semaphore = asyncio.Semaphore(MAX_IN_FLIGHT)
        started: set[int] = set()

        async def one(delivery: ClaimedDelivery) -> None:
            async with semaphore:
                text = texts[delivery.language]
                outcome = await self._deliver(record, delivery, text, started)
            await recorder.add(outcome)

        self._working.add(record.id)
        try:
            # A TaskGroup: if one delivery fails, the others stop before anything is given
            # back, so nothing given back is still on its way.
            async with asyncio.TaskGroup() as group:
                for delivery in batch:
                    group.create_task(one(delivery))
            await recorder.flush()
        except BaseException as error:
            # Stopping, or a failure: what is known is written; what never went to
            # Telegram goes back as it was; what was on its way may have arrived, so it
            # goes back flagged. If even that fails, the claims lapse (they are no longer
            # renewed) and the rows are sent again after the lease, flagged.
            with contextlib.suppress(Exception):
                await recorder.flush()
                unsent = [d.contact_id for d in batch if d.contact_id not in started]
                await self._repository.release(record.id, self.name, unsent)
                unknown = started - recorder.recorded
                await self._repository.release(
                    record.id, self.name, sorted(unknown), maybe_sent=True
                )
            if isinstance(error, ExceptionGroup):
                raise error.exceptions[0] from None  # the first failure, for the log
            raise
        finally:
            self._working.discard(record.id)
        await self._progress(record)
        return len(batch)

    def _text(self, record: BroadcastRecord, language: str | None) -> str:
        key = (record.id, language)
        if key not in self._texts:
            content = AlertContent.from_json(record.content)
            self._texts[key] = self._composer.compose(record.kind, content, record.areas, language)
        return self._texts[key]

    async def _deliver(
        self, record: BroadcastRecord, delivery: ClaimedDelivery, text: str, started: set[int]
    ) -> Outcome:
        failures = 0
        while True:
            if record.expires_at is not None and self._clock.now() >= record.expires_at:
                return Outcome(delivery.contact_id, "expired")
            await self._spacing.wait(delivery.chat_id)
            await self._acquire()
            # Waiting (a flood wait, the queue) may have taken it past its expiry.
            if record.expires_at is not None and self._clock.now() >= record.expires_at:
                return Outcome(delivery.contact_id, "expired")
            started.add(delivery.contact_id)
            result = await self._channel.send_alert(
                delivery.chat_id, text, reply_to=delivery.reply_to, paid=self._paid
            )
            if isinstance(result, Sent):
                # After a failed attempt Telegram may still have delivered (a timeout):
                # this one may be a second copy, and the report must say so.
                return Outcome(
                    delivery.contact_id, "sent", result.message_id, maybe_twice=failures > 0
                )
            if isinstance(result, FloodWait):
                await self._pause(result.seconds)
                continue
            if isinstance(result, Unreachable):
                await self._unsubscribe(delivery.contact_id)
                return Outcome(delivery.contact_id, "blocked")
            if isinstance(result, Retryable) and failures < len(BACKOFF):
                await self._sleep(BACKOFF[failures])
                failures += 1
                continue
            return Outcome(delivery.contact_id, "failed")

    async def _acquire(self) -> None:
        # A pause that began after this send reserved its slot still holds it back.
        while True:
            await self._limiter.acquire()
            wait = self._paused_until - self._monotonic()
            if wait <= 0:
                return
            await self._sleep(wait)

    async def _pause(self, seconds: float) -> None:
        log.warning("Telegram asked broadcasts to wait %s s (flood control)", seconds)
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)
        await self._limiter.pause(seconds)

    async def _unsubscribe(self, contact_id: int) -> None:
        # The delivery counts as blocked whatever happens here: if ending the subscription
        # fails, the next alert meets the same 403 and tries again.
        now = self._clock.now()
        try:
            with contextlib.suppress(ContactNotFoundError):
                await self._services.contacts.mark_unreachable(contact_id, now)
            await self._services.subscriptions.remove_all(contact_id)
        except Exception:
            log.exception("contact %d blocked the bot; their alerts could not be ended", contact_id)

    async def _progress(self, record: BroadcastRecord) -> None:
        chat, message = record.creator_chat_id, record.progress_message_id
        if chat is None or message is None:
            return
        now = self._clock.now()
        if not await self._repository.take_progress_turn(
            record.id, now=now, not_since=now - PROGRESS_EVERY
        ):
            return
        counts = await self._repository.counts(record.id)
        await self._channel.update_note(chat, message, progress_line(record, counts, self._rate))

    async def _finish(self, record: BroadcastRecord) -> None:
        """Close the broadcast if nothing is left; only the process that closes it reports."""
        if not await self._repository.finish_if_done(record.id, now=self._clock.now()):
            return
        self._texts = {key: text for key, text in self._texts.items() if key[0] != record.id}
        finished = await self._repository.get(record.id) or record
        counts = await self._repository.counts(record.id)
        await self._services.audit.add(
            "standby",
            "broadcast_finished",
            now=self._clock.now(),
            broadcast_id=record.id,
            count=counts["sent"],
            detail=f"{counts['blocked']} blocked, {counts['failed']} failed, "
            f"{counts['expired']} expired, {counts.resent} resent",
        )
        log.info("broadcast %d finished: %d sent of %d", record.id, counts["sent"], counts.total)
        await report_to_creator(self._channel, finished, counts, self._rate)


async def report_to_creator(
    channel: AlertChannel, record: BroadcastRecord, counts: DeliveryCounts, rate: float
) -> None:
    """Final state in the progress message, and the report as a new message (it notifies)."""
    if record.creator_chat_id is None:
        return
    if record.progress_message_id is not None:
        line = progress_line(record, counts, rate)
        await channel.update_note(record.creator_chat_id, record.progress_message_id, line)
    await channel.notify(record.creator_chat_id, final_report(record, counts))


class _Recorder:
    """Writes outcomes in small groups: one statement per group, soon after they happen."""

    def __init__(
        self,
        repository: BroadcastRepository,
        broadcast_id: int,
        sender: str,
        clock: Clock,
        size: int,
        monotonic: Callable[[], float],
    ) -> None:
        self._repository = repository
        self._size = size
        self._monotonic = monotonic
        self.recorded: set[int] = set()
        self._broadcast_id = broadcast_id
        self._sender = sender
        self._clock = clock
        self._pending: list[Outcome] = []
        self._last = monotonic()

    async def add(self, outcome: Outcome) -> None:
        self._pending.append(outcome)
        due = self._monotonic() - self._last >= RECORD_EVERY
        if len(self._pending) >= self._size or due:
            await self.flush()

    async def flush(self) -> None:
        outcomes, self._pending = self._pending, []
        self._last = self._monotonic()
        await self._repository.record(
            self._broadcast_id, self._sender, outcomes, now=self._clock.now()
        )
        self.recorded.update(outcome.contact_id for outcome in outcomes)
