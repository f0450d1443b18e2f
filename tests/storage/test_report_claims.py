"""ReportRepository and the staff chat: posting bookkeeping and claims, on both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage import NewReport, ReportRecord, ReportRepository

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SHAREABLE = ("partner", "police")
STAFF = 9_000_000_001  # a Telegram user id beyond 32 bits


async def add(
    reports: ReportRepository, n: int, consent: str = "police", at: datetime = NOW
) -> ReportRecord:
    added = await reports.add(
        NewReport(reference_hash=f"{n:064x}", contact_id=None, consent=consent, payload="t"),
        now=at,
    )
    assert added is not None
    return added


async def test_unposted_lists_shareable_new_recent_reports_oldest_first(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)
    second = await add(reports, 1, "partner", NOW + timedelta(minutes=1))
    first = await add(reports, 2, "police")
    await add(reports, 3, "keep")
    await add(reports, 4, "police", NOW - timedelta(days=30))
    withdrawn = await add(reports, 5, "police")
    await reports.update(withdrawn.id, now=NOW, status="withdrawn")

    found = await reports.unposted(SHAREABLE, NOW - timedelta(days=7), limit=10)

    assert [r.id for r in found] == [first.id, second.id]
    assert [r.id for r in await reports.unposted(SHAREABLE, NOW, limit=1)] == [first.id]


async def test_a_posted_report_is_not_listed_again(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)
    added = await add(reports, 1)

    assert await reports.mark_posted(added.id, now=NOW + timedelta(seconds=5))
    assert not await reports.mark_posted(added.id + 100, now=NOW)

    assert await reports.unposted(SHAREABLE, NOW, limit=10) == []
    stored = await reports.get(added.id)
    assert stored is not None
    assert stored.posted_at == NOW + timedelta(seconds=5)


async def test_a_claim_records_who_and_when_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)
    added = await add(reports, 1)
    later = NOW + timedelta(hours=1)

    assert await reports.claim(added.id, STAFF, now=later)
    assert not await reports.claim(added.id, STAFF + 1, now=later)
    assert not await reports.claim(added.id + 100, STAFF, now=later)

    stored = await reports.get(added.id)
    assert stored is not None
    assert (stored.status, stored.claimed_by, stored.claimed_at) == ("claimed", STAFF, later)
    assert stored.updated_at == later


async def test_a_withdrawn_report_cannot_be_claimed(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)
    added = await add(reports, 1)
    await reports.update(added.id, now=NOW, status="withdrawn")

    assert not await reports.claim(added.id, STAFF, now=NOW)


async def test_of_two_claims_at_once_exactly_one_wins(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)
    added = await add(reports, 1)

    won = await asyncio.gather(*(reports.claim(added.id, STAFF + n, now=NOW) for n in range(5)))

    assert sorted(won) == [False] * 4 + [True]
