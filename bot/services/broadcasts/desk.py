"""What admins do with broadcasts, from Telegram or the terminal: compose, preview, send
(with approvals), cancel, correct or retract, and follow progress. Everything is audited.

Who may do what: ADMIN_IDS and the `admin` role may do everything; `sender` writes and
sends; `approver` approves. With BROADCAST_APPROVALS=N, N different people must agree
before anything is sent: sending it counts as its writer's approval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.flowdef.areas import AreaDirectory
from bot.services.broadcasts.channel import AlertChannel
from bot.services.broadcasts.compose import AlertComposer, AlertContent
from bot.services.broadcasts.delivery import report_to_creator
from bot.services.broadcasts.progress import progress_line
from bot.services.clock import Clock
from bot.storage.audit import AuditLog
from bot.storage.broadcasts import BroadcastRecord, BroadcastRepository, DeliveryCounts
from bot.storage.roles import RoleRepository
from bot.storage.subscriptions import SubscriptionRepository

log = logging.getLogger(__name__)

SENDING_ROLES = frozenset({"admin", "sender"})
APPROVING_ROLES = frozenset({"admin", "approver"})


@dataclass(frozen=True, slots=True)
class Actor:
    """Someone acting on broadcasts: `tg:<user id>` or `cli:<login>`, and their roles."""

    key: str
    roles: frozenset[str]
    chat_id: int | None = None  # their private chat with the bot, for Telegram actors

    @property
    def can_send(self) -> bool:
        return bool(self.roles & SENDING_ROLES)

    @property
    def can_approve(self) -> bool:
        return bool(self.roles & APPROVING_ROLES)


class NotAllowedError(Exception):
    """The actor lacks the role for this."""


class Approval(Enum):
    STARTED = "started"  # the last approval needed: sending has begun
    RECORDED = "recorded"  # counted; more are needed
    ALREADY = "already"  # this person approved (or wrote) it already
    NOT_WAITING = "not_waiting"  # sent, cancelled or still a draft


@dataclass(frozen=True, slots=True)
class Submitted:
    record: BroadcastRecord
    recipients: int | None  # None while it waits for approvals
    approvals: int
    needed: int


@dataclass(frozen=True, slots=True)
class Recipients:
    total: int
    by_language: dict[str, int]


class BroadcastDesk:
    def __init__(
        self,
        *,
        repository: BroadcastRepository,
        subscriptions: SubscriptionRepository,
        roles: RoleRepository,
        audit: AuditLog,
        composer: AlertComposer,
        areas: Callable[[], AreaDirectory],
        clock: Clock,
        admin_ids: Collection[int],
        approvals_needed: int,
        rate: float,
        channel: AlertChannel | None = None,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.repository = repository
        self._subscriptions = subscriptions
        self.roles = roles
        self.audit = audit
        self.composer = composer
        self._areas = areas
        self._clock = clock
        self._admin_ids = frozenset(admin_ids)
        self.approvals_needed = max(1, approvals_needed)
        self._rate = rate
        self._channel = channel
        self._wake = wake

    @property
    def areas(self) -> AreaDirectory:
        """The areas alerts can be sent to, as the flows folder has them now."""
        return self._areas()

    # -- who ------------------------------------------------------------------------

    async def telegram_actor(self, user_id: int) -> Actor | None:
        """The staff member with Telegram id `user_id`, or None for everyone else."""
        roles = set(await self.roles.roles_of(user_id))
        if user_id in self._admin_ids:
            roles.add("admin")
        return Actor(f"tg:{user_id}", frozenset(roles), user_id) if roles else None

    @staticmethod
    def terminal_actor(login: str) -> Actor:
        """Whoever runs `standby broadcast` on the server holds its keys: an admin."""
        return Actor(f"cli:{login}", frozenset({"admin"}))

    async def approvers(self, *, besides: str) -> list[int]:
        """Telegram ids of everyone who may approve, except the actor `besides`."""
        ids = set(self._admin_ids) | set(await self.roles.holders(*APPROVING_ROLES))
        return sorted(user for user in ids if f"tg:{user}" != besides)

    # -- composing ------------------------------------------------------------------

    async def recipients(self, areas: Sequence[str], languages: Sequence[str] | None) -> Recipients:
        """Who an alert to `areas` in `languages` (None: all) would reach now."""
        reach = sorted(self._areas().reach(areas))
        counted = await self._subscriptions.count_by_language(reach)
        by_language: dict[str, int] = {}
        for language, count in counted.items():
            code = language or "en"
            if languages is None or code in languages:
                by_language[code] = by_language.get(code, 0) + count
        return Recipients(sum(by_language.values()), by_language)

    async def correction_recipients(self, original_id: int) -> Recipients:
        """Who received alert `original_id`: a correction or retraction goes to them."""
        by_language: dict[str, int] = {}
        for language, count in (await self.repository.followers_by_language(original_id)).items():
            code = language or "en"
            by_language[code] = by_language.get(code, 0) + count
        return Recipients(sum(by_language.values()), by_language)

    def preview(self, record: BroadcastRecord, language: str | None) -> str:
        """The alert exactly as a subscriber writing in `language` would get it."""
        content = AlertContent.from_json(record.content)
        return self.composer.compose(record.kind, content, record.areas, language)

    # -- sending --------------------------------------------------------------------

    async def submit(self, broadcast_id: int, actor: Actor) -> Submitted | None:
        """The writer confirms: sent now, or once enough others approve. None if the
        broadcast is no longer a draft."""
        _require(actor.can_send, "send broadcasts")
        record = await self.repository.get(broadcast_id)
        if record is None or record.status != "draft":
            return None
        await self.repository.approve(broadcast_id, actor.key, now=self._clock.now())
        await self.audit.add(
            actor.key,
            f"{record.kind}_submitted",
            now=self._clock.now(),
            broadcast_id=broadcast_id,
            detail=describe(record),
        )
        if self.approvals_needed <= 1:
            started = await self._start(record, actor)
            return Submitted(started or record, (started or record).total, 1, 1)
        waiting = await self.repository.update(
            broadcast_id, only_if=["draft"], status="awaiting_approval", draft_step=None
        )
        return Submitted(waiting or record, None, 1, self.approvals_needed)

    async def approve(
        self, broadcast_id: int, actor: Actor
    ) -> tuple[Approval, BroadcastRecord | None]:
        _require(actor.can_approve, "approve broadcasts")
        record = await self.repository.get(broadcast_id)
        if record is None or record.status != "awaiting_approval":
            return Approval.NOT_WAITING, record
        before = await self.repository.approvals(broadcast_id)
        if actor.key in before:
            return Approval.ALREADY, record
        after = await self.repository.approve(broadcast_id, actor.key, now=self._clock.now())
        await self.audit.add(
            actor.key, "broadcast_approved", now=self._clock.now(), broadcast_id=broadcast_id
        )
        if len(after) < self.approvals_needed:
            return Approval.RECORDED, record
        started = await self._start(record, actor)
        if started is None:  # another approver's press started it a moment ago
            return Approval.NOT_WAITING, await self.repository.get(broadcast_id)
        return Approval.STARTED, started

    async def _start(self, record: BroadcastRecord, actor: Actor) -> BroadcastRecord | None:
        if record.kind == "retraction" and record.correction_of is not None:
            # Withdrawn: the alert itself stops (what is on its way still counts as sent).
            await self._stop(record.correction_of, actor, "broadcast_retracted")
        reach = sorted(self._areas().reach(record.areas))
        count = await self.repository.start(record.id, reach, now=self._clock.now())
        if count is None:
            return None
        await self.audit.add(
            actor.key,
            f"{record.kind}_started",
            now=self._clock.now(),
            broadcast_id=record.id,
            count=count,
            detail=describe(record),
        )
        started = await self.repository.get(record.id)
        if started is None:
            return None
        if self._channel is not None and started.creator_chat_id is not None:
            counts = await self.repository.counts(record.id)
            line = progress_line(started, counts, self._rate)
            message = await self._channel.notify(started.creator_chat_id, line)
            if message is not None:
                started = (
                    await self.repository.update(record.id, progress_message_id=message) or started
                )
        if self._wake is not None:
            self._wake()
        log.info("broadcast %d started: %d recipients", record.id, count)
        return started

    async def cancel(self, broadcast_id: int, actor: Actor) -> BroadcastRecord | None:
        """Stop a broadcast not finished yet: a draft, one awaiting approval, or one being
        sent (what is not sent yet stays unsent). None if there was nothing to stop."""
        _require(actor.can_send, "cancel broadcasts")
        return await self._stop(broadcast_id, actor, "broadcast_cancelled")

    async def _stop(self, broadcast_id: int, actor: Actor, action: str) -> BroadcastRecord | None:
        stopped = await self.repository.update(
            broadcast_id,
            only_if=["draft", "awaiting_approval", "sending"],
            status="cancelled",
            draft_step=None,
            finished_at=self._clock.now(),
        )
        if stopped is None:
            return None
        unsent = await self.repository.close_open(broadcast_id, "cancelled")
        await self.audit.add(
            actor.key, action, now=self._clock.now(), broadcast_id=broadcast_id, count=unsent
        )
        if self._channel is not None and stopped.started_at is not None:
            counts = await self.repository.counts(broadcast_id)
            await report_to_creator(self._channel, stopped, counts, self._rate)
        return stopped

    async def follow_up(
        self,
        original_id: int,
        actor: Actor,
        *,
        kind: str,
        content: AlertContent,
        chat_id: int | None = None,
        draft_step: str | None = None,
    ) -> BroadcastRecord:
        """A correction or retraction of `original_id`, as a draft to submit like any
        other; a retraction stops the alert when it starts. Raises LookupError when the
        original is not an alert that was sent, or (for a correction) is still being sent:
        its later recipients would miss the correction."""
        _require(actor.can_send, "send broadcasts")
        original = await self.repository.get(original_id)
        if original is None or original.kind != "alert" or original.started_at is None:
            raise LookupError(f"broadcast #{original_id} is not an alert that was sent")
        if kind == "correction" and original.status == "sending":
            raise LookupError(
                f"alert #{original_id} is still being sent: correct it once it has finished "
                f"(/broadcast_status {original_id}), or retract it now"
            )
        record = await self.repository.create(
            kind=kind,
            content=content.as_json(),
            areas=original.areas,
            created_by=actor.key,
            now=self._clock.now(),
            creator_chat_id=chat_id,
            correction_of=original_id,
            draft_step=draft_step,
        )
        await self.audit.add(
            actor.key,
            f"{kind}_written",
            now=self._clock.now(),
            broadcast_id=record.id,
            detail=f"of #{original_id}",
        )
        return record

    async def status(self, broadcast_id: int) -> tuple[BroadcastRecord, DeliveryCounts] | None:
        record = await self.repository.get(broadcast_id)
        if record is None:
            return None
        return record, await self.repository.counts(broadcast_id)

    def progress(self, record: BroadcastRecord, counts: DeliveryCounts) -> str:
        return progress_line(record, counts, self._rate)

    def now(self) -> datetime:
        return self._clock.now()


def describe(record: BroadcastRecord) -> str:
    """A short, text-free description for the audit log."""
    content = record.content
    what = f"template {content['template']}" if content.get("template") else "free text"
    if record.kind != "alert":
        what = f"{record.kind} of #{record.correction_of}"
    languages = ",".join(record.languages) if record.languages else "all languages"
    return f"{what}; areas {','.join(record.areas)}; {languages}"


def _require(allowed: bool, what: str) -> None:
    if not allowed:
        raise NotAllowedError(f"you are not allowed to {what}")
