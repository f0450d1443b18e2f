"""The staff chat service: what caseworkers see, posting with retries, claiming."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.clock import FixedClock
from bot.services.reports import OpenedReport, ReportCipher, ReportService
from bot.services.staff import POST_BATCH, POST_WINDOW, ClaimOutcome, StaffDesk
from bot.services.staff_text import summary
from bot.storage import ContactRecord, ContactRepository, ReportRecord, ReportRepository

NOW = datetime(2026, 11, 21, 14, 30, tzinfo=UTC)
KEY = Fernet.generate_key().decode()
STAFF = 7001
ANSWERS: dict[str, Any] = {
    "reporter": "victim",
    "about": ["antisemitism", "anti_muslim"],
    "what": ["verbal_abuse"],
    "date": "20 November 2026",
    "time_of_day": "evening",
    "place": "transport",
    "nation": "england",
    "area": "LS6",
    "story": "A man on the_bus shouted at me.",
    "people": None,
    "witnesses": "not_known",
    "evidence": [{"kind": "photo", "file_id": "AgAD-secret-file"}],
    "impact": ["scared", "avoiding_places"],
    "support": ["emotional_support"],
    "contact": "contactable",
}


class Board:
    """A StaffBoard that records posts, and fails while `failures` is above zero."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.posts: list[tuple[int, str]] = []

    async def post(self, report_id: int, text: str) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("Telegram is down")
        self.posts.append((report_id, text))


def record(**changes: Any) -> ReportRecord:
    fields: dict[str, Any] = {
        "id": 17,
        "reference_hash": "f" * 64,
        "contact_id": 5,
        "consent": "police",
        "status": "new",
        "created_at": NOW,
        "updated_at": NOW,
        "payload": "token",
    }
    return ReportRecord(**{**fields, **changes})


def test_the_summary_shows_the_answers_in_words() -> None:
    text = summary(OpenedReport(record(), ANSWERS))

    assert text.startswith("New report #17, shared with the police")
    for line in (
        "Received: 2026-11-21 14:30 UTC",
        "The hate was about: antisemitism, anti muslim",
        "What happened: verbal abuse",
        "When: 20 November 2026",
        "Time of day: evening",
        "Where: transport",
        "Area: LS6",
        "Witnesses: not known",
        "Impact: scared, avoiding places",
        "Support wanted: emotional support",
        "A man on the_bus shouted at me.",  # typed text as typed
        "Evidence: 1 file(s)",
        "May be contacted: yes, through Standby",
        "standby reports show 17",
    ):
        assert line in text
    assert "The people who did it" not in text  # not answered
    assert "AgAD" not in text  # never a Telegram file reference


def test_the_summary_of_an_anonymous_report_says_so() -> None:
    text = summary(OpenedReport(record(contact_id=None, consent="partner"), {}))

    assert "shared with a partner organisation" in text
    assert "May be contacted: no" in text


def service(sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock) -> ReportService:
    repository = ReportRepository(sessionmaker)
    choose = random.Random(3).choice
    return ReportService(repository, ReportCipher([KEY]), clock, choose=choose)


async def person(sessionmaker: async_sessionmaker[AsyncSession]) -> ContactRecord:
    return await ContactRepository(sessionmaker).get_or_create(4242, now=NOW)


async def submit(
    reports: ReportService, who: ContactRecord, consent: str, anonymous: bool = False
) -> str:
    return await reports.submit(ANSWERS, consent=consent, anonymous=anonymous, contact=who)


def desk_for(
    sessionmaker: async_sessionmaker[AsyncSession], board: Board
) -> tuple[StaffDesk, ReportService, FixedClock]:
    clock = FixedClock(NOW)
    reports = service(sessionmaker, clock)
    desk = StaffDesk(ReportRepository(sessionmaker), reports, board, clock)
    reports.on_stored(desk.wake)
    return desk, reports, clock


async def test_shareable_reports_are_posted_once_and_kept_ones_never(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    board = Board()
    desk, reports, _ = desk_for(sessionmaker, board)
    who = await person(sessionmaker)
    code = await submit(reports, who, "police")
    await submit(reports, who, "keep")
    await submit(reports, who, "partner", anonymous=True)

    assert await desk.post_pending() == 2
    assert await desk.post_pending() == 0

    police, _, partner = await reports.list()
    assert [report_id for report_id, _ in board.posts] == [police.id, partner.id]
    assert board.posts[0][1].startswith(f"New report #{police.id}, shared with the police")
    for _, text in board.posts:
        assert code not in text
        assert code.replace("-", "") not in text
        assert str(who.chat_id) not in text


async def test_a_report_that_could_not_be_posted_is_posted_on_the_next_round(
    sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    board = Board(failures=1)
    desk, reports, _ = desk_for(sessionmaker, board)
    who = await person(sessionmaker)
    await submit(reports, who, "police")
    await submit(reports, who, "police")

    assert await desk.post_pending() == 0
    assert "could not be posted" in caplog.text
    assert await desk.post_pending() == 2
    assert [report_id for report_id, _ in board.posts] == [r.id for r in await reports.list()]


async def test_more_than_a_batch_is_posted_in_one_round(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    board = Board()
    desk, reports, _ = desk_for(sessionmaker, board)
    who = await person(sessionmaker)
    for _ in range(POST_BATCH + 2):
        await submit(reports, who, "partner")

    assert await desk.post_pending() == POST_BATCH + 2


async def test_reports_older_than_the_window_are_not_posted(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    board = Board()
    desk, reports, clock = desk_for(sessionmaker, board)
    await submit(reports, await person(sessionmaker), "police")
    clock.advance(POST_WINDOW + timedelta(minutes=1))

    assert await desk.post_pending() == 0


async def test_claiming_records_the_staff_member_and_a_second_claim_is_refused(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    desk, reports, _ = desk_for(sessionmaker, Board())
    await submit(reports, await person(sessionmaker), "police")
    (report,) = await reports.list()

    first = await desk.claim(report.id, STAFF)
    mine = await desk.claim(report.id, STAFF)
    theirs = await desk.claim(report.id, STAFF + 1)

    assert first.outcome is ClaimOutcome.CLAIMED
    assert first.text is not None
    assert f"New report #{report.id}" in first.text
    assert (mine.outcome, mine.by_presser) == (ClaimOutcome.ALREADY_CLAIMED, True)
    assert (theirs.outcome, theirs.by_presser, theirs.text) == (
        ClaimOutcome.ALREADY_CLAIMED,
        False,
        None,
    )
    stored = await reports.get(report.id)
    assert stored is not None
    assert (stored.status, stored.claimed_by) == ("claimed", STAFF)
    assert (await desk.claim(report.id + 99, STAFF)).outcome is ClaimOutcome.GONE


async def test_a_withdrawn_report_is_not_posted_or_claimed(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    board = Board()
    desk, reports, clock = desk_for(sessionmaker, board)
    await submit(reports, await person(sessionmaker), "police")
    (report,) = await reports.list()
    await ReportRepository(sessionmaker).update(report.id, now=clock.now(), status="withdrawn")

    assert await desk.post_pending() == 0
    assert (await desk.claim(report.id, STAFF)).outcome is ClaimOutcome.CLOSED
