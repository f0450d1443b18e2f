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


async def test_withdrawing_a_claimed_report_ends_the_claim_so_sharing_again_can_be_claimed(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)
    added = await add(reports, 1)
    assert await reports.claim(added.id, STAFF, now=NOW)

    await reports.update(added.id, now=NOW, consent="keep", status="withdrawn")
    withdrawn = await reports.get(added.id)
    await reports.update(added.id, now=NOW, consent="police", status="new")

    assert withdrawn is not None
    assert (withdrawn.claimed_by, withdrawn.claimed_at) == (None, None)
    assert await reports.claim(added.id, STAFF + 1, now=NOW + timedelta(hours=1))
    stored = await reports.get(added.id)
    assert stored is not None
    assert (stored.status, stored.claimed_by) == ("claimed", STAFF + 1)


async def test_a_claim_stays_when_only_the_payload_or_consent_changes(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)
    added = await add(reports, 1)
    assert await reports.claim(added.id, STAFF, now=NOW)

    await reports.update(added.id, now=NOW, consent="partner", payload="t2")

    stored = await reports.get(added.id)
    assert stored is not None
    assert (stored.status, stored.claimed_by) == ("claimed", STAFF)


async def test_posts_of_reports_no_longer_shared_are_listed_until_forgotten(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)
    shared, withdrawn, kept, deleted, purged = [await add(reports, n) for n in range(5)]
    for n, report in enumerate((shared, withdrawn, kept, deleted, purged)):
        ids = [10 * n + 1, 10 * n + 2, 9_000_000_000 + n]  # message ids beyond 32 bits
        assert await reports.mark_posted(report.id, now=NOW, message_ids=ids)
    assert await reports.posts_to_retract(SHAREABLE, 10) == []

    await reports.update(withdrawn.id, now=NOW, consent="keep", status="withdrawn")
    await reports.update(kept.id, now=NOW, consent="keep")
    await reports.delete(deleted.id)
    await reports.update(purged.id, now=NOW, status="claimed")
    await reports.delete_for_contact(-1)  # nobody's: deletes nothing
    assert await reports.purge(NOW) == 0
    await reports.delete(purged.id)

    found = await reports.posts_to_retract(SHAREABLE, 10)

    assert [(p.report_id, p.message_ids, p.deleted) for p in found] == [
        (withdrawn.id, (11, 12, 9_000_000_001), False),
        (kept.id, (21, 22, 9_000_000_002), False),
        (deleted.id, (31, 32, 9_000_000_003), True),
        (purged.id, (41, 42, 9_000_000_004), True),
    ]
    assert [p.report_id for p in await reports.posts_to_retract(SHAREABLE, 1)] == [withdrawn.id]
    skipped = await reports.posts_to_retract(SHAREABLE, 10, skip={withdrawn.id, kept.id})
    assert [p.report_id for p in skipped] == [deleted.id, purged.id]

    for post in found:
        await reports.forget_post(post.report_id, post.message_ids)
    assert await reports.posts_to_retract(SHAREABLE, 10) == []
    again = await reports.get(withdrawn.id)
    assert again is not None
    assert again.posted_at is None  # shared again, it would be posted afresh
    still = await reports.get(shared.id)
    assert still is not None
    assert still.posted_at == NOW


async def test_retention_leaves_the_post_ids_of_purged_reports_behind(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)
    old = await add(reports, 1, at=NOW - timedelta(days=400))
    await reports.mark_posted(old.id, now=NOW, message_ids=[7])

    assert await reports.purge(NOW - timedelta(days=365)) == 1

    (post,) = await reports.posts_to_retract(SHAREABLE, 10)
    assert (post.report_id, post.message_ids, post.deleted) == (old.id, (7,), True)
