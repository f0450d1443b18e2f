"""Incident reports as stored: encrypted payloads with their consent, status and dates.

The repository never sees a key: it stores and returns the Fernet tokens it is given.
Encrypting, reference codes and what counts as an answer belong to
`bot.services.reports`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Row, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.columns import require_aware
from bot.storage.database import statement_connection
from bot.storage.statements import insert_ignoring_conflicts
from bot.storage.tables import REPORT_CONSENTS, REPORT_STATUSES, report_table, staff_post_table

_c = report_table.c
_p = staff_post_table.c
# A claim belongs to one sharing of a report: withdrawing it, or sharing it again (status
# back to `new`), ends the claim, so the next post can be claimed afresh.
_UNCLAIMED_STATUSES = ("new", "withdrawn")


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """A report as stored: plain data; `payload` is still encrypted."""

    id: int
    reference_hash: str
    contact_id: int | None
    consent: str
    status: str
    created_at: datetime
    updated_at: datetime
    payload: str
    submission_key: str | None = None
    submission_reference: str | None = None
    posted_at: datetime | None = None
    claimed_by: int | None = None
    claimed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StaffPostRecord:
    """A report's post in the staff chat that must be retracted: the report was deleted
    (`deleted`), or withdrawn or kept with Standby only."""

    report_id: int
    message_ids: tuple[int, ...]
    deleted: bool


@dataclass(frozen=True, slots=True)
class NewReport:
    """What `ReportRepository.add` stores. `contact_id` None: an anonymous report."""

    reference_hash: str
    contact_id: int | None
    consent: str
    payload: str
    status: str = "new"
    submission_key: str | None = None
    submission_reference: str | None = None


class ReportRepository:
    """Adds, finds, changes and deletes reports; every method is a single statement."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def add(self, report: NewReport, *, now: datetime) -> ReportRecord | None:
        """Store `report` created at `now`; None if one with its submission key exists.

        The submission key makes a turn that is run again store one report, not two; a
        clash of reference hashes (a code given twice) is an error, never ignored.
        """
        require_aware("now", now)
        _check(consent=report.consent, status=report.status)
        values = {
            "reference_hash": report.reference_hash,
            "contact_id": report.contact_id,
            "consent": report.consent,
            "status": report.status,
            "created_at": now,
            "updated_at": now,
            "payload": report.payload,
            "submission_key": report.submission_key,
            "submission_reference": report.submission_reference,
        }
        async with statement_connection(self._sessionmaker) as connection:
            insert = insert_ignoring_conflicts(
                connection.dialect.name, report_table, "submission_key"
            )
            row = (await connection.execute(insert.returning(*report_table.c), values)).first()
        return None if row is None else _record(row)

    async def get(self, report_id: int) -> ReportRecord | None:
        """The report with id `report_id`, or None."""
        return await self._one(_c.id == report_id)

    async def find_by_reference(self, reference_hash: str) -> ReportRecord | None:
        """The report whose reference code hashes to `reference_hash`, or None."""
        return await self._one(_c.reference_hash == reference_hash)

    async def find_by_submission(self, submission_key: str) -> ReportRecord | None:
        """The report stored with `submission_key`, while housekeeping has not cleared it."""
        return await self._one(_c.submission_key == submission_key)

    async def update(
        self,
        report_id: int,
        *,
        now: datetime,
        consent: str | None = None,
        status: str | None = None,
        payload: str | None = None,
    ) -> bool:
        """Change what is given (others stay), stamping `updated_at`; False if no such report."""
        require_aware("now", now)
        _check(consent=consent, status=status)
        changes = {"consent": consent, "status": status, "payload": payload}
        values: dict[str, object] = {
            name: value for name, value in changes.items() if value is not None
        }
        if status in _UNCLAIMED_STATUSES:
            values.update(claimed_by=None, claimed_at=None)
        statement = update(report_table).where(_c.id == report_id)
        async with statement_connection(self._sessionmaker) as connection:
            result = await connection.execute(statement.values(updated_at=now, **values))
        return result.rowcount > 0

    async def replace_payload(self, report_id: int, old: str, new: str) -> bool:
        """Swap the payload only if it is still `old` (re-encryption racing an edit loses).

        `updated_at` is left alone: the report did not change, only its encryption.
        """
        statement = (
            update(report_table).where(_c.id == report_id, _c.payload == old).values(payload=new)
        )
        async with statement_connection(self._sessionmaker) as connection:
            result = await connection.execute(statement)
        return result.rowcount > 0

    async def list_since(self, since: datetime | None = None) -> list[ReportRecord]:
        """Reports created at or after `since` (all when None), oldest first."""
        require_aware("since", since)
        query = select(report_table).order_by(_c.created_at, _c.id)
        if since is not None:
            query = query.where(_c.created_at >= since)
        async with statement_connection(self._sessionmaker) as connection:
            return [_record(row) for row in await connection.execute(query)]

    async def newest(self) -> ReportRecord | None:
        """The most recently created report, or None."""
        query = select(report_table).order_by(_c.created_at.desc(), _c.id.desc()).limit(1)
        async with statement_connection(self._sessionmaker) as connection:
            row = (await connection.execute(query)).first()
        return None if row is None else _record(row)

    async def any(self) -> bool:
        """Whether any report is stored (starting without keys must then be refused)."""
        async with statement_connection(self._sessionmaker) as connection:
            return bool((await connection.execute(select(exists(report_table)))).scalar())

    async def delete(self, report_id: int) -> bool:
        """Delete the report; False if there was none."""
        async with statement_connection(self._sessionmaker) as connection:
            result = await connection.execute(delete(report_table).where(_c.id == report_id))
        return result.rowcount > 0

    async def unlink_contact(self, contact_id: int) -> int:
        """Make the contact's reports anonymous (kept, tied to nobody); return how many."""
        statement = update(report_table).where(_c.contact_id == contact_id)
        async with statement_connection(self._sessionmaker) as connection:
            result = await connection.execute(statement.values(contact_id=None))
        return result.rowcount

    async def delete_for_contact(self, contact_id: int) -> int:
        """Delete every report linked to the contact; return how many."""
        statement = delete(report_table).where(_c.contact_id == contact_id)
        async with statement_connection(self._sessionmaker) as connection:
            result = await connection.execute(statement)
        return result.rowcount

    async def purge(self, older_than: datetime) -> int:
        """Delete every report created before `older_than`; return how many there were."""
        require_aware("older_than", older_than)
        async with statement_connection(self._sessionmaker) as connection:
            result = await connection.execute(
                delete(report_table).where(_c.created_at < older_than)
            )
        return result.rowcount

    async def forget_submissions(self, older_than: datetime) -> int:
        """Clear the submission key and code of reports created before `older_than`.

        They only serve a turn run again within seconds; kept longer, the key would tie an
        anonymous report to its chat for anyone holding the report keys.
        """
        require_aware("older_than", older_than)
        statement = (
            update(report_table)
            .where(_c.created_at < older_than, _c.submission_key.is_not(None))
            .values(submission_key=None, submission_reference=None)
        )
        async with statement_connection(self._sessionmaker) as connection:
            result = await connection.execute(statement)
        return result.rowcount

    async def unposted(
        self,
        consents: Sequence[str],
        since: datetime,
        limit: int,
        *,
        skip: Collection[int] = (),
    ) -> list[ReportRecord]:
        """Up to `limit` reports not yet posted to the staff chat, oldest first: status
        `new`, consent among `consents`, created at or after `since`, id not in `skip`
        (those that failed this round, so they do not block the rest)."""
        require_aware("since", since)
        query = (
            select(report_table)
            .where(
                _c.posted_at.is_(None),
                _c.status == "new",
                _c.consent.in_(list(consents)),
                _c.created_at >= since,
            )
            .order_by(_c.created_at, _c.id)
            .limit(limit)
        )
        if skip:
            query = query.where(_c.id.not_in(list(skip)))
        async with statement_connection(self._sessionmaker) as connection:
            return [_record(row) for row in await connection.execute(query)]

    async def mark_posted(
        self, report_id: int, *, now: datetime, message_ids: Sequence[int] = ()
    ) -> bool:
        """Record that the report is in the staff chat as the messages `message_ids`;
        False if there is no such report (then the post is left to be retracted).

        The ids go in first: a crash before `posted_at` is set posts the report again
        (at least once), while the other order could leave a post nobody can retract.
        """
        require_aware("now", now)
        rows = [{"report_id": report_id, "message_id": number} for number in message_ids]
        statement = update(report_table).where(_c.id == report_id).values(posted_at=now)
        async with statement_connection(self._sessionmaker) as connection:
            if rows:
                insert = insert_ignoring_conflicts(
                    connection.dialect.name, staff_post_table, ("report_id", "message_id")
                )
                await connection.execute(insert, rows)
            result = await connection.execute(statement)
        return result.rowcount > 0

    async def posts_to_retract(
        self, consents: Sequence[str], limit: int, *, skip: Collection[int] = ()
    ) -> list[StaffPostRecord]:
        """Up to `limit` staff chat posts of reports that may no longer be shared there:
        deleted, withdrawn, or with a consent not among `consents`. Ids in `skip` (failed
        this round) are left out."""
        joined = staff_post_table.outerjoin(report_table, _c.id == _p.report_id)
        unshareable = or_(
            _c.id.is_(None), _c.status == "withdrawn", _c.consent.not_in(list(consents))
        )
        reports = select(_p.report_id).select_from(joined).where(unshareable).distinct()
        if skip:
            reports = reports.where(_p.report_id.not_in(list(skip)))
        chosen = reports.order_by(_p.report_id).limit(limit).subquery()
        query = (
            select(_p.report_id, _p.message_id, _c.id.is_(None).label("deleted"))
            .select_from(joined)
            .where(_p.report_id.in_(select(chosen.c.report_id)))
            .order_by(_p.report_id, _p.message_id)
        )
        async with statement_connection(self._sessionmaker) as connection:
            rows = (await connection.execute(query)).all()
        found: dict[int, StaffPostRecord] = {}
        for row in rows:
            report_id, message_id = int(row.report_id), int(row.message_id)
            earlier = found.get(report_id)
            ids = (*earlier.message_ids, message_id) if earlier else (message_id,)
            found[report_id] = StaffPostRecord(report_id, ids, bool(row.deleted))
        return list(found.values())

    async def forget_post(self, report_id: int, message_ids: Sequence[int]) -> None:
        """The post (`message_ids`) was retracted: forget its ids, and mark the report (if
        it is still there) unposted, so sharing it again posts it afresh."""
        forget = delete(staff_post_table).where(
            _p.report_id == report_id, _p.message_id.in_(list(message_ids))
        )
        unposted = update(report_table).where(_c.id == report_id).values(posted_at=None)
        async with statement_connection(self._sessionmaker) as connection:
            await connection.execute(forget)
            await connection.execute(unposted)

    async def claim(self, report_id: int, staff_user_id: int, *, now: datetime) -> bool:
        """Give a `new` report to the staff member `staff_user_id` (status `claimed`).

        One statement, so of two presses at once exactly one wins; False when the report
        is gone, already claimed or no longer new.
        """
        require_aware("now", now)
        statement = (
            update(report_table)
            .where(_c.id == report_id, _c.status == "new", _c.claimed_at.is_(None))
            .values(claimed_by=staff_user_id, claimed_at=now, status="claimed", updated_at=now)
        )
        async with statement_connection(self._sessionmaker) as connection:
            result = await connection.execute(statement)
        return result.rowcount > 0

    async def _one(self, condition: ColumnElement[bool]) -> ReportRecord | None:
        async with statement_connection(self._sessionmaker) as connection:
            row = (await connection.execute(select(report_table).where(condition))).first()
        return None if row is None else _record(row)


def _record(row: Row[object]) -> ReportRecord:
    mapping = row._mapping
    return ReportRecord(**{name: mapping[name] for name in ReportRecord.__slots__})


def _check(*, consent: str | None, status: str | None) -> None:
    # Both databases would keep any word; refusing here keeps exports meaningful.
    if consent is not None and consent not in REPORT_CONSENTS:
        raise ValueError(f"consent must be one of {REPORT_CONSENTS}, got {consent!r}")
    if status is not None and status not in REPORT_STATUSES:
        raise ValueError(f"status must be one of {REPORT_STATUSES}, got {status!r}")
