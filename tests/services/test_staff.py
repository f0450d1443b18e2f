"""The staff chat service: what caseworkers see, posting with retries, claiming."""

from __future__ import annotations

import random
from collections.abc import Sequence
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
    """A StaffBoard that records posts and retractions, and fails while `failures` is
    above zero (or always, for the reports in `refused`)."""

    def __init__(self, failures: int = 0, refused: frozenset[int] = frozenset()) -> None:
        self.failures = failures
        self.refused = refused
        self.posts: list[tuple[int, str]] = []
        self.retracted: list[tuple[tuple[int, ...], str]] = []
        self._next_message = 100

    async def post(self, report_id: int, text: str) -> list[int]:
        if self.failures or report_id in self.refused:
            self.failures = max(0, self.failures - 1)
            raise ConnectionError(f"Telegram is down; secret {report_id}")
        self.posts.append((report_id, text))
        self._next_message += 2
        return [self._next_message - 1, self._next_message]  # a report in two parts

    async def retract(self, message_ids: Sequence[int], text: str) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("Telegram is down")
        self.retracted.append((tuple(message_ids), text))


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
        "Linked to their chat: yes (Standby cannot pass messages to them yet)",
        "standby reports show 17",
    ):
        assert line in text
    assert "The people who did it" not in text  # not answered
    assert "AgAD" not in text  # never a Telegram file reference


def test_the_summary_of_an_anonymous_report_says_so() -> None:
    text = summary(OpenedReport(record(contact_id=None, consent="partner"), {}))

    assert "shared with a partner organisation" in text
    assert "Linked to their chat: no, the person stayed anonymous" in text
    assert "through Standby" not in text


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

    # By consent, not by position: an anonymous report's time may be kept less precisely.
    stored = {record.consent: record for record in await reports.list()}
    police, partner = stored["police"], stored["partner"]
    assert sorted(report_id for report_id, _ in board.posts) == sorted([police.id, partner.id])
    board.posts.sort(key=lambda post: post[0] != police.id)
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
    first, second = await reports.list()

    assert await desk.post_pending() == 1  # the first failed; the second went on
    assert "could not be posted" in caplog.text
    assert await desk.post_pending() == 1
    assert [report_id for report_id, _ in board.posts] == [second.id, first.id]


async def test_a_report_that_always_fails_does_not_hold_back_later_ones(
    sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    who = await person(sessionmaker)
    _probe, reports, _ = desk_for(sessionmaker, Board())
    for _ in range(POST_BATCH + 2):  # more than a batch: the skipped one must not loop
        await submit(reports, who, "police")
    stuck = (await reports.list())[0].id
    board = Board(refused=frozenset({stuck}))
    desk, _, _ = desk_for(sessionmaker, board)

    assert await desk.post_pending() == POST_BATCH + 1
    assert await desk.post_pending() == 0  # still skipped, never blocking

    assert stuck not in [report_id for report_id, _ in board.posts]
    assert "(ConnectionError)" in caplog.text
    assert "secret" not in caplog.text  # the error's type is logged, never its text
    assert "1 report(s) not posted" in caplog.text


async def test_the_posts_of_withdrawn_kept_and_deleted_reports_are_retracted(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    board = Board()
    desk, reports, clock = desk_for(sessionmaker, board)
    repository = ReportRepository(sessionmaker)
    who = await person(sessionmaker)
    for _ in range(4):
        await submit(reports, who, "police")
    withdrawn, kept, deleted, shared = await reports.list()
    assert await desk.post_pending() == 4
    posted = dict(
        zip(
            [r for r, _ in board.posts], [(101 + 2 * n, 102 + 2 * n) for n in range(4)], strict=True
        )
    )
    assert await desk.retract_pending() == 0  # nothing to retract yet

    await repository.update(withdrawn.id, now=clock.now(), consent="keep", status="withdrawn")
    await repository.update(kept.id, now=clock.now(), consent="keep")
    await repository.delete(deleted.id)
    board.failures = 1  # the first edit fails: retried next round, never lost

    assert await desk.retract_pending() == 2
    assert await desk.retract_pending() == 1
    assert await desk.retract_pending() == 0
    assert sorted(board.retracted) == sorted(
        [
            (
                posted[withdrawn.id],
                f"Report #{withdrawn.id} was withdrawn by the person who sent it.",
            ),
            (posted[kept.id], f"Report #{kept.id} was withdrawn by the person who sent it."),
            (posted[deleted.id], f"Report #{deleted.id} was deleted."),
        ]
    )
    assert shared.id not in [r.id for r in await reports.list() if r.posted_at is None]

    # Shared again: the withdrawn report is posted afresh, and can be claimed.
    await repository.update(withdrawn.id, now=clock.now(), consent="partner", status="new")
    assert await desk.post_pending() == 1
    assert board.posts[-1][0] == withdrawn.id


async def test_a_report_deleted_while_it_was_posted_has_its_post_retracted(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    repository = ReportRepository(sessionmaker)

    class DeletingBoard(Board):
        async def post(self, report_id: int, text: str) -> list[int]:
            ids = await super().post(report_id, text)
            await repository.delete(report_id)  # the person deletes it meanwhile
            return ids

    board = DeletingBoard()
    desk, reports, _ = desk_for(sessionmaker, board)
    await submit(reports, await person(sessionmaker), "partner")
    (report,) = await reports.list()

    assert await desk.post_pending() == 1
    assert await desk.retract_pending() == 1
    assert board.retracted == [((101, 102), f"Report #{report.id} was deleted.")]


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
