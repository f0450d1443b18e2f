"""Broadcasts and their deliveries: one row per recipient, claimed by senders in batches.

A broadcast starts by materialising one `delivery` row per recipient in the same
transaction that marks it `sending`, so it is sent to exactly the subscribers of that
moment, whoever sends it and however often the senders restart. A sender claims pending
rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several processes never take the same
row; SQLite has one writer at a time anyway), marks them `sending` with its name and the
time, sends, and records each outcome. Its rows stay claimed while it lives (it renews the
claim); rows of a sender that stopped without recording (killed, crashed) are given back
after a lease and sent again, flagged `resent`: the only messages that may arrive twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Row,
    and_,
    bindparam,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.columns import require_aware
from bot.storage.database import delete_in_batches, statement_connection, transaction
from bot.storage.statements import insert_ignoring_conflicts
from bot.storage.subscriptions import recipients_of
from bot.storage.tables import (
    BROADCAST_KINDS,
    BROADCAST_STATUSES,
    DELIVERY_STATUSES,
    approval_table,
    broadcast_table,
    contact_table,
    delivery_table,
    subscription_table,
)

_b = broadcast_table.c
_d = delivery_table.c
_a = approval_table.c
# Rows in these states are not finished: a broadcast is done when none is left.
OPEN_DELIVERIES = ("pending", "sending")
# A claimed delivery whose outcome its sender may still record: closed meanwhile or not.
IN_FLIGHT = ("sending", "expired", "cancelled")
STARTABLE = ("draft", "awaiting_approval")


@dataclass(frozen=True, slots=True)
class BroadcastRecord:
    id: int
    kind: str
    status: str
    content: dict[str, Any]
    areas: list[str]
    languages: list[str] | None
    correction_of: int | None
    created_by: str
    creator_chat_id: int | None
    progress_message_id: int | None
    progress_at: datetime | None
    draft_step: str | None
    expires_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    total: int


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """A recipient a sender has claimed: where to send, in which language, and, for a
    correction, the message it answers (the alert it corrects)."""

    broadcast_id: int
    contact_id: int
    chat_id: int
    language: str | None
    reply_to: int | None
    attempts: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one claimed delivery; `status` is one of DELIVERY_STATUSES.
    `maybe_twice`: it was sent again after an attempt whose fate is unknown (a timeout),
    so the person may have it twice: it is flagged `resent`."""

    contact_id: int
    status: str
    message_id: int | None = None
    maybe_twice: bool = False


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    """How many deliveries of a broadcast are in each state, and how many were resent."""

    by_status: Mapping[str, int]
    resent: int

    def __getitem__(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def open(self) -> int:
        return sum(self[status] for status in OPEN_DELIVERIES)


class BroadcastRepository:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    # -- broadcasts -------------------------------------------------------------------

    async def create(
        self,
        *,
        kind: str,
        content: dict[str, Any],
        areas: Sequence[str],
        created_by: str,
        now: datetime,
        status: str = "draft",
        languages: Sequence[str] | None = None,
        creator_chat_id: int | None = None,
        expires_at: datetime | None = None,
        correction_of: int | None = None,
        draft_step: str | None = None,
    ) -> BroadcastRecord:
        require_aware("now", now)
        require_aware("expires_at", expires_at)
        _check(kind=kind, status=status)
        values = {
            "kind": kind,
            "status": status,
            "content": content,
            "areas": list(areas),
            "languages": None if languages is None else list(languages),
            "correction_of": correction_of,
            "created_by": created_by,
            "creator_chat_id": creator_chat_id,
            "draft_step": draft_step,
            "expires_at": expires_at,
            "created_at": now,
            "total": 0,
        }
        statement = insert(broadcast_table).values(values).returning(*broadcast_table.c)
        async with statement_connection(self._sessionmaker) as connection:
            return _record((await connection.execute(statement)).one())

    async def get(self, broadcast_id: int) -> BroadcastRecord | None:
        statement = select(broadcast_table).where(_b.id == broadcast_id)
        async with statement_connection(self._sessionmaker) as connection:
            row = (await connection.execute(statement)).first()
        return None if row is None else _record(row)

    async def update(
        self, broadcast_id: int, *, only_if: Iterable[str] | None = None, **values: Any
    ) -> BroadcastRecord | None:
        """Change a broadcast (when its status is one of `only_if`); None if it did not."""
        if "status" in values:
            _check(status=values["status"])
        conditions = [_b.id == broadcast_id]
        if only_if is not None:
            conditions.append(_b.status.in_(list(only_if)))
        statement = (
            update(broadcast_table)
            .where(*conditions)
            .values(**values)
            .returning(*broadcast_table.c)
        )
        async with statement_connection(self._sessionmaker) as connection:
            row = (await connection.execute(statement)).first()
        return None if row is None else _record(row)

    async def draft_of(self, creator_chat_id: int) -> BroadcastRecord | None:
        """The broadcast an admin is composing in their chat, if any (the newest)."""
        statement = (
            select(broadcast_table)
            .where(_b.creator_chat_id == creator_chat_id, _b.status == "draft")
            .order_by(_b.id.desc())
            .limit(1)
        )
        async with statement_connection(self._sessionmaker) as connection:
            row = (await connection.execute(statement)).first()
        return None if row is None else _record(row)

    async def with_status(self, *statuses: str, limit: int = 100) -> list[BroadcastRecord]:
        """Broadcasts in `statuses` (all when none given), newest first."""
        statement = select(broadcast_table).order_by(_b.id.desc()).limit(limit)
        if statuses:
            statement = statement.where(_b.status.in_(statuses))
        async with statement_connection(self._sessionmaker) as connection:
            return [_record(row) for row in await connection.execute(statement)]

    async def forget_deliveries(self, finished_before: datetime) -> int:
        """Delete the delivery rows of broadcasts finished before `finished_before`; their
        counts stay in the audit log."""
        old = select(_b.id).where(_b.finished_at < finished_before).scalar_subquery()
        return await delete_in_batches(self._sessionmaker, delivery_table, _d.broadcast_id.in_(old))

    async def delete_drafts(self, older_than: datetime) -> int:
        """Drafts abandoned before `older_than` (an admin who never finished)."""
        statement = delete(broadcast_table).where(_b.status == "draft", _b.created_at < older_than)
        async with statement_connection(self._sessionmaker) as connection:
            return (await connection.execute(statement)).rowcount

    # -- approvals --------------------------------------------------------------------

    async def approve(self, broadcast_id: int, actor: str, *, now: datetime) -> list[str]:
        """Record `actor`'s approval (once); return everyone who has approved, in order."""
        require_aware("now", now)
        async with statement_connection(self._sessionmaker) as connection:
            insert_once = insert_ignoring_conflicts(
                connection.dialect.name, approval_table, ("broadcast_id", "actor")
            )
            values = {"broadcast_id": broadcast_id, "actor": actor, "approved_at": now}
            await connection.execute(insert_once, values)
        return await self.approvals(broadcast_id)

    async def approvals(self, broadcast_id: int) -> list[str]:
        statement = (
            select(_a.actor)
            .where(_a.broadcast_id == broadcast_id)
            .order_by(_a.approved_at, _a.actor)
        )
        async with statement_connection(self._sessionmaker) as connection:
            return [row.actor for row in await connection.execute(statement)]

    # -- starting: one delivery row per recipient ------------------------------------

    async def start(self, broadcast_id: int, areas: Sequence[str], *, now: datetime) -> int | None:
        """Mark the broadcast `sending` and give every recipient a pending delivery, in
        one transaction; return how many. None if it was not startable (sent already, by
        this or another process, or cancelled).

        Recipients: for an alert, the reachable subscribers of `areas` (the areas its
        alert reaches, see `AreaDirectory.reach`) in its languages; for a correction or
        retraction, whoever received the alert it corrects.
        """
        require_aware("now", now)
        async with transaction(self._sessionmaker) as connection:
            claim = (
                update(broadcast_table)
                .where(_b.id == broadcast_id, _b.status.in_(STARTABLE))
                .values(status="sending", started_at=now, draft_step=None)
                .returning(*broadcast_table.c)
            )
            row = (await connection.execute(claim)).first()
            if row is None:
                return None
            record = _record(row)
            chosen = (
                _received(broadcast_id, record.correction_of)
                if record.correction_of is not None
                else _subscribed(broadcast_id, list(areas), record.languages)
            )
            columns = ["broadcast_id", "contact_id", "chat_id", "language", "status"]
            columns += ["attempts", "resent", "message_id"]
            await connection.execute(insert(delivery_table).from_select(columns, chosen))
            count = (
                await connection.execute(
                    select(func.count()).where(_d.broadcast_id == broadcast_id)
                )
            ).scalar_one()
            await connection.execute(
                update(broadcast_table).where(_b.id == broadcast_id).values(total=count)
            )
        return int(count)

    # -- sending ----------------------------------------------------------------------

    async def claim(
        self, broadcast_id: int, sender: str, *, now: datetime, limit: int
    ) -> list[ClaimedDelivery]:
        """Take up to `limit` pending deliveries of the broadcast for `sender`."""
        require_aware("now", now)
        # A CTE, not `IN (SELECT … LIMIT …)`: PostgreSQL may run such a subquery more than
        # once per statement, and with SKIP LOCKED each run can pick other rows.
        chosen = (
            select(_d.contact_id)
            .where(_d.broadcast_id == broadcast_id, _d.status == "pending")
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("chosen")
        )
        statement = (
            update(delivery_table)
            .where(_d.broadcast_id == broadcast_id, _d.contact_id.in_(select(chosen.c.contact_id)))
            .values(status="sending", claimed_by=sender, claimed_at=now, attempts=_d.attempts + 1)
            .returning(_d.contact_id, _d.chat_id, _d.language, _d.message_id, _d.attempts)
        )
        async with statement_connection(self._sessionmaker) as connection:
            rows = (await connection.execute(statement)).all()
        return [
            ClaimedDelivery(
                broadcast_id,
                row.contact_id,
                row.chat_id,
                row.language,
                row.message_id,
                row.attempts,
            )
            for row in rows
        ]

    async def renew(self, sender: str, broadcast_ids: Sequence[int], *, now: datetime) -> int:
        """Keep `sender`'s claims on `broadcast_ids` fresh, so no other sender takes them."""
        statement = (
            update(delivery_table)
            .where(
                _d.broadcast_id.in_(list(broadcast_ids)),
                _d.status == "sending",
                _d.claimed_by == sender,
            )
            .values(claimed_at=now)
        )
        async with statement_connection(self._sessionmaker) as connection:
            return (await connection.execute(statement)).rowcount

    async def reclaim_stale(self, broadcast_id: int, *, claimed_before: datetime) -> int:
        """Give back deliveries whose sender stopped before recording them: they may or
        may not have been sent, so they are sent again and flagged `resent`."""
        statement = (
            update(delivery_table)
            .where(
                _d.broadcast_id == broadcast_id,
                _d.status == "sending",
                _d.claimed_at < claimed_before,
            )
            .values(status="pending", claimed_by=None, claimed_at=None, resent=True)
        )
        async with statement_connection(self._sessionmaker) as connection:
            return (await connection.execute(statement)).rowcount

    async def release(
        self,
        broadcast_id: int,
        sender: str,
        contact_ids: Sequence[int],
        *,
        maybe_sent: bool = False,
    ) -> int:
        """Put back claimed deliveries this sender will not finish (stopping, a failure):
        to be sent again. `maybe_sent`: they were on their way and may have arrived, so
        they are flagged `resent`; otherwise they never left and count as not tried."""
        if not contact_ids:
            return 0
        changes: dict[str, Any] = {"status": "pending", "claimed_by": None, "claimed_at": None}
        if maybe_sent:
            changes["resent"] = True
        else:
            changes["attempts"] = _d.attempts - 1
        statement = (
            update(delivery_table)
            .where(
                _d.broadcast_id == broadcast_id,
                _d.claimed_by == sender,
                _d.status == "sending",
                _d.contact_id.in_(list(contact_ids)),
            )
            .values(**changes)
        )
        async with statement_connection(self._sessionmaker) as connection:
            return (await connection.execute(statement)).rowcount

    async def record(
        self, broadcast_id: int, sender: str, outcomes: Sequence[Outcome], *, now: datetime
    ) -> None:
        """Record what happened to claimed deliveries, in one round trip. A delivery that is
        no longer this sender's (its claim lapsed) is left as it is; one closed while it was
        on its way (expired, cancelled) gets what really happened to it."""
        if not outcomes:
            return
        statement = (
            update(delivery_table)
            .where(
                _d.broadcast_id == bindparam("b_broadcast"),
                _d.contact_id == bindparam("b_contact"),
                _d.claimed_by == bindparam("b_sender"),
                # Not IN (…): an expanding list can't be used with executemany.
                or_(*(_d.status == status for status in IN_FLIGHT)),
            )
            .values(
                status=bindparam("b_status"),
                message_id=func.coalesce(bindparam("b_message"), _d.message_id),
                sent_at=bindparam("b_sent_at"),
                # Only a sent one keeps its sender: a claim left on a closed delivery means
                # "it was on its way" (a correction reaches it), a recorded outcome does not.
                claimed_by=bindparam("b_keeps_sender"),
                resent=or_(_d.resent, bindparam("b_maybe_twice")),
            )
        )
        rows = []
        for outcome in outcomes:
            _check(delivery=outcome.status)
            rows.append(
                {
                    "b_broadcast": broadcast_id,
                    "b_contact": outcome.contact_id,
                    "b_sender": sender,
                    "b_status": outcome.status,
                    "b_message": outcome.message_id,
                    "b_sent_at": now if outcome.status == "sent" else None,
                    "b_keeps_sender": sender if outcome.status == "sent" else None,
                    "b_maybe_twice": outcome.maybe_twice,
                }
            )
        async with statement_connection(self._sessionmaker) as connection:
            await connection.execute(statement, rows)

    async def close_open(self, broadcast_id: int, status: str) -> int:
        """Mark every delivery not yet sent `status` (`expired`, `cancelled`). One a sender
        holds right now keeps its claim: if it was on its way, the sender's record of it
        still says what happened."""
        _check(delivery=status)
        statement = (
            update(delivery_table)
            .where(_d.broadcast_id == broadcast_id, _d.status.in_(OPEN_DELIVERIES))
            .values(status=status)
        )
        async with statement_connection(self._sessionmaker) as connection:
            return (await connection.execute(statement)).rowcount

    async def finish_if_done(self, broadcast_id: int, *, now: datetime) -> bool:
        """Mark a `sending` broadcast `done` when no delivery is open; True if this call did."""
        still_open = exists().where(_d.broadcast_id == broadcast_id, _d.status.in_(OPEN_DELIVERIES))
        statement = (
            update(broadcast_table)
            .where(_b.id == broadcast_id, _b.status == "sending", ~still_open)
            .values(status="done", finished_at=now)
        )
        async with statement_connection(self._sessionmaker) as connection:
            return (await connection.execute(statement)).rowcount > 0

    async def take_progress_turn(
        self, broadcast_id: int, *, now: datetime, not_since: datetime
    ) -> bool:
        """True for one caller at a time, at most once per interval: whoever gets it edits
        the admin's progress message (several processes share one broadcast)."""
        statement = (
            update(broadcast_table)
            .where(
                _b.id == broadcast_id,
                or_(_b.progress_at.is_(None), _b.progress_at <= not_since),
            )
            .values(progress_at=now)
        )
        async with statement_connection(self._sessionmaker) as connection:
            return (await connection.execute(statement)).rowcount > 0

    async def followers_by_language(self, original_id: int) -> dict[str | None, int]:
        """Who a correction or retraction of `original_id` would reach, by language."""
        followers = _received(0, original_id).subquery()
        language = followers.c.language
        statement = select(language, func.count().label("n")).group_by(language)
        async with statement_connection(self._sessionmaker) as connection:
            return {row.language: int(row.n) for row in await connection.execute(statement)}

    async def counts(self, broadcast_id: int) -> DeliveryCounts:
        by_status = (
            select(_d.status, func.count().label("n"))
            .where(_d.broadcast_id == broadcast_id)
            .group_by(_d.status)
        )
        resent = select(func.count()).where(_d.broadcast_id == broadcast_id, _d.resent)
        async with statement_connection(self._sessionmaker) as connection:
            found = {row.status: int(row.n) for row in await connection.execute(by_status)}
            again = int((await connection.execute(resent)).scalar_one())
        return DeliveryCounts(found, again)


def _subscribed(broadcast_id: int, areas: list[str], languages: list[str] | None) -> Any:
    """Each reachable subscriber of `areas` once, as delivery rows."""
    contact = contact_table.c
    subscribers = (
        select(subscription_table.c.contact_id)
        .select_from(
            subscription_table.join(contact_table, contact.id == subscription_table.c.contact_id)
        )
        .where(*recipients_of(areas, languages))
    )
    return select(
        literal(broadcast_id),
        contact.id,
        contact.chat_id,
        contact.language,
        literal("pending"),
        literal(0),
        false(),
        literal(None),
    ).where(contact.id.in_(subscribers))


def _received(broadcast_id: int, original_id: int) -> Any:
    """Everyone reachable whom the alert `original_id` reached (or may have: it was on its
    way when the alert was stopped), answering the message they got."""
    contact = contact_table.c
    return (
        select(
            literal(broadcast_id),
            _d.contact_id,
            contact.chat_id,
            contact.language,
            literal("pending"),
            literal(0),
            false(),
            _d.message_id,
        )
        .select_from(delivery_table.join(contact_table, contact.id == _d.contact_id))
        .where(
            _d.broadcast_id == original_id,
            or_(_d.status == "sent", and_(_d.status.in_(IN_FLIGHT), _d.claimed_by.is_not(None))),
            contact.unreachable_since.is_(None),
            # /stop_alerts means no more alerts: corrections and retractions included.
            exists().where(subscription_table.c.contact_id == _d.contact_id),
        )
    )


def _record(row: Row[Any]) -> BroadcastRecord:
    return BroadcastRecord(**dict(row._mapping))


def _check(
    *, kind: str | None = None, status: str | None = None, delivery: str | None = None
) -> None:
    for value, allowed in (
        (kind, BROADCAST_KINDS),
        (status, BROADCAST_STATUSES),
        (delivery, DELIVERY_STATUSES),
    ):
        if value is not None and value not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")


__all__ = [
    "BroadcastRecord",
    "BroadcastRepository",
    "ClaimedDelivery",
    "DeliveryCounts",
    "Outcome",
]
