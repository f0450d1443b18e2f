"""The delivery engine over a real database, with a scripted channel: what each of
Telegram's answers does to a delivery, expiry, lost senders, stopping mid-batch, two
senders sharing a broadcast, and what the admin is told."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flowdef.alerts import AlertTemplates
from bot.services.broadcasts.channel import FloodWait, Refused, Retryable, Unreachable
from bot.services.broadcasts.delivery import LEASE, PROGRESS_EVERY
from bot.services.broadcasts.desk import BroadcastDesk
from bot.services.broadcasts.ratelimit import ChatSpacing, LocalRateLimiter
from bot.services.clock import FixedClock
from bot.storage import ContactRepository, make_engine, make_sessionmaker
from bot.storage.audit import AuditLog
from bot.storage.broadcasts import BroadcastRecord, BroadcastRepository, Outcome
from bot.storage.subscriptions import SubscriptionRepository
from tests.services.broadcast_fakes import (
    CREATOR_CHAT,
    GATHERING,
    NOW,
    BlockingSleep,
    DeliveryRow,
    FakeChannel,
    Holder,
    RecordingLimiter,
    RecordingSleep,
    VirtualTime,
    composer,
    deliveries,
    desk_for,
    drain,
    engine_for,
    eventually,
    real_templates,
    sent_alert,
    subscribe,
)

Maker = async_sessionmaker[AsyncSession]
# Rotherham's readers in several languages, one in the region around it (reached too),
# one in Leeds (not reached).
READERS = {
    101: ("en", "rotherham"),
    102: ("ar", "rotherham"),
    103: ("pl", "rotherham"),
    104: (None, "rotherham"),
    105: ("ur", "yorkshire_and_the_humber"),
}
ELSEWHERE = {200: ("en", "leeds")}
EIGHT = {100 + i: ("en", "rotherham") for i in range(1, 9)}


class Setup:
    """A desk that starts alerts and an engine that delivers them, on one clock."""

    def __init__(self, maker: Maker, **engine: object) -> None:
        self.maker = maker
        self.clock = FixedClock(NOW)
        self.channel = FakeChannel(self.clock)
        self.desk: BroadcastDesk = desk_for(maker, self.clock, channel=self.channel)
        self.admin = BroadcastDesk.terminal_actor("ana")
        self.engine = engine_for(maker, self.channel, self.clock, **engine)  # type: ignore[arg-type]

    async def alert(self, **options: object) -> BroadcastRecord:
        return await sent_alert(self.desk, self.admin, **options)  # type: ignore[arg-type]

    async def record(self, broadcast_id: int) -> BroadcastRecord:
        found = await self.desk.repository.get(broadcast_id)
        assert found is not None
        return found

    def reports(self) -> list[str]:
        """Final reports sent to the admin (not the progress line the desk sent first)."""
        return [text for chat, text in self.channel.notes if "Delivered:" in text]


def statuses(rows: Mapping[int, DeliveryRow]) -> dict[int, str]:
    return {chat: row.status for chat, row in sorted(rows.items())}


# --- everything goes ---------------------------------------------------------------------


async def test_all_sent_finishes_the_broadcast_and_reports_once_to_its_writer(
    sessionmaker: Maker,
) -> None:
    await subscribe(sessionmaker, READERS | ELSEWHERE)
    setup = Setup(sessionmaker)
    record = await setup.alert(content=GATHERING)
    assert record.total == 5

    await drain(setup.engine)

    assert sorted(setup.channel.sent_chats()) == sorted(READERS)
    finished = await setup.record(record.id)
    assert finished.status == "done"
    assert finished.finished_at == NOW
    counts = await setup.desk.repository.counts(record.id)
    assert (counts["sent"], counts.total, counts.resent) == (5, 5, 0)
    (report,) = setup.reports()
    assert report.startswith(f"Broadcast #{record.id} finished.")
    assert "Delivered: 5 of 5." in report
    assert "Nobody received it twice." in report
    assert [chat for chat, _ in setup.channel.notes] == [CREATOR_CHAT, CREATOR_CHAT]
    # The progress message the desk sent is left showing the final state.
    assert setup.channel.edits[-1][:2] == (CREATOR_CHAT, 900)
    assert "5 / 5 sent" in setup.channel.edits[-1][2]
    finish = [e for e in await AuditLog(sessionmaker).entries() if e.action == "broadcast_finished"]
    assert [(e.actor, e.broadcast_id, e.count) for e in finish] == [("standby", record.id, 5)]


async def test_each_reader_gets_the_alert_in_their_language_and_the_message_ids_are_kept(
    sessionmaker: Maker,
) -> None:
    await subscribe(sessionmaker, READERS)
    setup = Setup(sessionmaker)
    record = await setup.alert(content=GATHERING)

    await drain(setup.engine)

    texts = {a.chat_id: a.text for a in setup.channel.sent}
    assert "grudnia" in texts[103]
    assert "\u2068Clifton Park\u2069" in texts[102]
    assert "\u2068Clifton Park\u2069" in texts[105]
    assert texts[101] == texts[104]  # no language chosen: English
    rows = await deliveries(sessionmaker, record.id)
    assert {row.message_id for row in rows.values()} == {1001, 1002, 1003, 1004, 1005}
    assert not any(a.paid or a.reply_to for a in setup.channel.sent)


async def test_paid_broadcasts_are_sent_as_paid(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, {101: ("en", "leeds")})
    setup = Setup(sessionmaker, paid=True)
    await setup.alert(areas=["leeds"])

    await drain(setup.engine)

    assert [a.paid for a in setup.channel.attempts] == [True]


async def test_an_alert_reaching_nobody_finishes_at_once(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, ELSEWHERE)
    setup = Setup(sessionmaker)
    record = await setup.alert()

    assert await setup.engine.run_once() == 0

    assert (await setup.record(record.id)).status == "done"
    assert "Delivered: 0 of 0." in setup.reports()[0]
    assert setup.channel.attempts == []


# --- what Telegram answers ---------------------------------------------------------------


async def test_a_flood_wait_pauses_the_limiter_and_the_message_goes_once(
    sessionmaker: Maker,
) -> None:
    await subscribe(sessionmaker, READERS)
    limiter = RecordingLimiter()
    # The engine measures its own pause in real time, so the pause here is tiny.
    setup = Setup(sessionmaker, limiter=limiter, sleep=RecordingSleep(real_up_to=0.05))
    setup.channel.script(101, FloodWait(0.01))
    record = await setup.alert()

    await drain(setup.engine)

    assert [a.chat_id for a in setup.channel.attempts].count(101) == 2
    assert setup.channel.sent_chats().count(101) == 1
    assert limiter.pauses == [0.01]
    assert limiter.acquired >= 6  # five readers, one of them twice
    rows = await deliveries(sessionmaker, record.id)
    assert set(statuses(rows).values()) == {"sent"}
    assert rows[101].attempts == 1  # one claim: the retry is within it
    assert (await setup.record(record.id)).status == "done"


async def test_a_flood_wait_is_waited_out_on_the_injected_sleep(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, {101: ("en", "leeds")})
    time = VirtualTime()  # no real time passes
    setup = Setup(sessionmaker, sleep=time.sleep, monotonic=time.now)
    setup.channel.script(101, FloodWait(0.05))
    await setup.alert(areas=["leeds"])

    await drain(setup.engine)

    assert time.sleeps == [pytest.approx(0.05)]  # the pause, once, on the given clock


async def test_the_chat_spacing_given_is_the_one_used(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, READERS)
    time = VirtualTime()
    spacing = ChatSpacing(now=time.now, sleep=time.sleep)
    setup = Setup(sessionmaker, spacing=spacing)
    await setup.alert()

    await drain(setup.engine)

    assert len(spacing) == len(READERS)  # it spaced the messages to each chat


async def test_a_blocked_bot_marks_the_person_unreachable_and_ends_their_alerts(
    sessionmaker: Maker,
) -> None:
    ids = await subscribe(sessionmaker, READERS)
    subscriptions = SubscriptionRepository(sessionmaker)
    await subscriptions.add(ids[102], "leeds", now=NOW)
    setup = Setup(sessionmaker)
    setup.channel.script(102, Unreachable())
    record = await setup.alert()

    await drain(setup.engine)

    rows = await deliveries(sessionmaker, record.id)
    assert rows[102].status == "blocked"
    assert rows[102].message_id is None
    assert [a.chat_id for a in setup.channel.attempts].count(102) == 1
    contact = await ContactRepository(sessionmaker).get(ids[102])
    assert contact is not None
    assert contact.unreachable_since == NOW
    assert await subscriptions.areas(ids[102]) == []
    assert await subscriptions.areas(ids[101]) == ["rotherham"]
    (report,) = setup.reports()
    assert "Delivered: 4 of 5." in report
    assert "Blocked the bot or left Telegram: 1 (their alerts are stopped)." in report


@pytest.mark.parametrize(("failures", "outcome"), [(4, "sent"), (5, "failed")])
async def test_server_errors_are_retried_four_times_with_backoff(
    sessionmaker: Maker, failures: int, outcome: str
) -> None:
    await subscribe(sessionmaker, READERS)
    sleep = RecordingSleep()
    setup = Setup(sessionmaker, sleep=sleep)
    setup.channel.script(103, *[Retryable()] * failures)
    record = await setup.alert()

    await drain(setup.engine)

    assert sleep.calls == [0.5, 1.0, 2.0, 4.0]
    assert [a.chat_id for a in setup.channel.attempts].count(103) == 5
    rows = await deliveries(sessionmaker, record.id)
    assert rows[103].status == outcome
    assert {rows[chat].status for chat in (101, 102, 104, 105)} == {"sent"}
    if outcome == "failed":
        assert "Failed after retries: 1." in setup.reports()[0]
    else:  # the failed attempts may have arrived after all: flagged, and counted
        assert rows[103].resent
        assert "may have received it twice" in setup.reports()[0]


async def test_a_refusal_fails_at_once(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, READERS)
    sleep = RecordingSleep()
    setup = Setup(sessionmaker, sleep=sleep)
    setup.channel.script(104, Refused())
    record = await setup.alert()

    await drain(setup.engine)

    assert [a.chat_id for a in setup.channel.attempts].count(104) == 1
    assert sleep.calls == []
    assert (await deliveries(sessionmaker, record.id))[104].status == "failed"
    assert (await setup.record(record.id)).status == "done"


# --- expiry ------------------------------------------------------------------------------


async def test_what_is_not_sent_when_the_alert_expires_is_never_sent(
    sessionmaker: Maker,
) -> None:
    await subscribe(sessionmaker, EIGHT)
    setup = Setup(sessionmaker)
    expires = NOW + timedelta(minutes=10)
    record = await setup.alert(expires_at=expires)

    assert await setup.engine.run_once() == 5  # one batch
    setup.clock.advance(timedelta(minutes=10))
    assert await setup.engine.run_once() == 3  # the rest, closed

    counts = await setup.desk.repository.counts(record.id)
    assert (counts["sent"], counts["expired"], counts.open) == (5, 3, 0)
    assert all(a.at < expires for a in setup.channel.attempts)
    assert len(setup.channel.attempts) == 5
    assert (await setup.record(record.id)).status == "done"
    (report,) = setup.reports()
    assert "Not sent because the alert expired: 3." in report
    assert await setup.engine.run_once() == 0


async def test_a_retry_due_after_the_expiry_is_not_sent(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, {101: ("en", "leeds")})
    clock_holder: list[FixedClock] = []
    sleep = RecordingSleep(then=lambda _: clock_holder[0].advance(timedelta(minutes=1)))
    setup = Setup(sessionmaker, sleep=sleep)
    clock_holder.append(setup.clock)
    setup.channel.script(101, Retryable())
    record = await setup.alert(areas=["leeds"], expires_at=NOW + timedelta(seconds=30))

    await drain(setup.engine)

    assert len(setup.channel.attempts) == 1
    assert (await deliveries(sessionmaker, record.id))[101].status == "expired"


async def test_nothing_queued_behind_a_flood_wait_is_sent_after_the_expiry(
    sessionmaker: Maker,
) -> None:
    await subscribe(sessionmaker, EIGHT)
    setup = Setup(sessionmaker, sleep=RecordingSleep(real_up_to=0.05))
    expires = NOW + timedelta(minutes=5)
    # The second message sent meets flood control; the pause outlasts the alert.
    setup.channel.by_attempt[2] = FloodWait(0.01)
    setup.channel.after_send = lambda _: (
        setup.clock.advance(timedelta(minutes=6)) if len(setup.channel.attempts) == 2 else None
    )
    await setup.alert(expires_at=expires)

    await drain(setup.engine)

    assert [a.at for a in setup.channel.attempts if a.at >= expires] == []


# --- problems with the content -----------------------------------------------------------


async def test_an_alert_whose_template_was_removed_fails_for_everyone(
    sessionmaker: Maker,
) -> None:
    await subscribe(sessionmaker, EIGHT)
    templates = Holder(real_templates())
    setup = Setup(sessionmaker, alert_composer=composer(templates=templates))
    record = await setup.alert(content=GATHERING)
    templates.value = AlertTemplates(())  # the flows were reloaded without it

    await drain(setup.engine)

    assert setup.channel.attempts == []
    counts = await setup.desk.repository.counts(record.id)
    assert (counts["failed"], counts.total) == (8, 8)
    assert (await setup.record(record.id)).status == "done"
    assert "Failed after retries: 8." in setup.reports()[0]


# --- lost senders and stopping -----------------------------------------------------------


async def test_a_stopped_senders_claims_are_sent_again_at_once_by_the_only_sender(
    sessionmaker: Maker,
) -> None:
    await subscribe(sessionmaker, READERS)
    setup = Setup(sessionmaker, single_sender=True)
    record = await setup.alert()
    lost = await setup.desk.repository.claim(
        record.id, "killed:1:ab", now=NOW - timedelta(seconds=5), limit=2
    )

    await drain(setup.engine)

    rows = await deliveries(sessionmaker, record.id)
    assert set(statuses(rows).values()) == {"sent"}
    again = {chat for chat, row in rows.items() if row.resent}
    assert again == {d.chat_id for d in lost}
    assert all(rows[chat].attempts == 2 for chat in again)
    assert sorted(setup.channel.sent_chats()) == sorted(READERS)
    (report,) = setup.reports()
    assert "Sent again after a sender stopped mid-send or Telegram did not answer: 2" in report


async def test_with_several_senders_a_claim_is_only_taken_back_after_the_lease(
    sessionmaker: Maker,
) -> None:
    await subscribe(sessionmaker, READERS)
    setup = Setup(sessionmaker)  # several senders may be alive: wait for the lease
    record = await setup.alert()
    lost = await setup.desk.repository.claim(record.id, "other:2:cd", now=NOW, limit=2)

    await drain(setup.engine)
    assert (await setup.record(record.id)).status == "sending"
    assert len(setup.channel.attempts) == 3

    setup.clock.advance(LEASE + timedelta(seconds=1))
    await drain(setup.engine)

    assert (await setup.record(record.id)).status == "done"
    rows = await deliveries(sessionmaker, record.id)
    assert {chat for chat, row in rows.items() if row.resent} == {d.chat_id for d in lost}


async def test_the_only_sender_takes_back_a_dead_runs_claims_of_every_broadcast(
    sessionmaker: Maker,
) -> None:
    await subscribe(sessionmaker, READERS)
    setup = Setup(sessionmaker, single_sender=True)
    first = await setup.alert()
    second = await setup.alert(areas=["yorkshire_and_the_humber"])
    for broadcast in (first, second):
        await setup.desk.repository.claim(
            broadcast.id, "killed:1:ab", now=NOW - timedelta(seconds=5), limit=2
        )

    await drain(setup.engine)

    assert (await setup.record(first.id)).status == "done"
    assert (await setup.record(second.id)).status == "done"


async def test_stopping_mid_batch_gives_back_what_never_reached_telegram(
    sessionmaker: Maker,
) -> None:
    await subscribe(sessionmaker, READERS)
    time = VirtualTime()
    limiter_sleep = BlockingSleep()
    # One message a second: the first goes at once (and hangs in Telegram), the other
    # four wait for their turn in the limiter when the bot stops.
    limiter = LocalRateLimiter(1.0, now=time.now, sleep=limiter_sleep)
    setup = Setup(sessionmaker, limiter=limiter, name="stopping:1:aa")
    setup.channel.by_attempt[1] = asyncio.Event()  # never answered
    record = await setup.alert()

    running = asyncio.create_task(setup.engine.run_once())
    await eventually(lambda: len(setup.channel.attempts) == 1 and limiter_sleep.waiting == 4)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running

    rows = await deliveries(sessionmaker, record.id)
    in_flight = setup.channel.attempts[0].chat_id
    # It may have arrived: given back to be sent again, flagged as possibly doubled.
    assert (rows[in_flight].status, rows[in_flight].claimed_by) == ("pending", None)
    assert rows[in_flight].resent
    given_back = {chat: row for chat, row in rows.items() if chat != in_flight}
    assert {(r.status, r.claimed_by, r.attempts, r.resent) for r in given_back.values()} == {
        ("pending", None, 0, False)
    }

    # The next run (the only sender) sends everything, the one in flight flagged.
    restarted = Setup(sessionmaker, single_sender=True)
    restarted.clock.advance(timedelta(seconds=1))
    await drain(restarted.engine)
    rows = await deliveries(sessionmaker, record.id)
    assert set(statuses(rows).values()) == {"sent"}
    assert {chat for chat, row in rows.items() if row.resent} == {in_flight}
    assert sorted(restarted.channel.sent_chats()) == sorted(READERS)


class FlakyRecords(BroadcastRepository):
    """The real repository, except that recording outcomes fails `failures` times (the
    database connection dropped)."""

    def __init__(self, maker: Maker, failures: int) -> None:
        super().__init__(maker)
        self.failures = failures

    async def record(
        self, broadcast_id: int, sender: str, outcomes: Sequence[Outcome], *, now: datetime
    ) -> None:
        if self.failures and outcomes:
            self.failures -= 1
            raise OSError("connection reset by peer")
        await super().record(broadcast_id, sender, outcomes, now=now)


async def test_a_broadcast_still_finishes_after_a_batch_failed_midway(
    sessionmaker: Maker,
) -> None:
    await subscribe(sessionmaker, READERS)
    repository = FlakyRecords(sessionmaker, failures=1)
    setup = Setup(sessionmaker, repository=repository, name="alive:1:aa")
    record = await setup.alert()
    with pytest.raises(OSError, match="connection reset"):
        await setup.engine.run_once()  # `run` logs this and carries on

    for _ in range(3):  # the process lives on, renewing its claims every 10 s
        setup.clock.advance(LEASE + timedelta(seconds=1))
        await repository.renew(setup.engine.name, [record.id], now=setup.clock.now())
        await setup.engine.run_once()

    assert (await setup.record(record.id)).status == "done"


async def test_two_senders_on_one_database_never_send_to_a_chat_twice(
    database_url: str, sessionmaker: Maker
) -> None:
    people = {1000 + i: ("en", "rotherham") for i in range(30)}
    await subscribe(sessionmaker, people)
    first = Setup(sessionmaker, name="host-a:1:aa")
    record = await first.alert()
    other_engine = make_engine(database_url)
    try:
        other_maker = make_sessionmaker(other_engine)
        second_channel = FakeChannel(first.clock)
        second = engine_for(other_maker, second_channel, first.clock, name="host-b:2:bb")

        await drain(first.engine, second)

        by_first, by_second = first.channel.sent_chats(), second_channel.sent_chats()
        assert sorted(by_first + by_second) == sorted(people)
        assert not set(by_first) & set(by_second)
        assert by_first
        assert by_second
        reports = [t for _, t in first.channel.notes + second_channel.notes if "Delivered" in t]
        assert len(reports) == 1
        assert "Delivered: 30 of 30." in reports[0]
        assert (await first.record(record.id)).status == "done"
    finally:
        await other_engine.dispose()


async def test_a_broadcast_cancelled_while_sending_gets_nothing_more(
    sessionmaker: Maker,
) -> None:
    await subscribe(sessionmaker, EIGHT)
    setup = Setup(sessionmaker)
    record = await setup.alert()
    assert await setup.engine.run_once() == 5

    assert await setup.desk.cancel(record.id, setup.admin) is not None
    await drain(setup.engine)

    assert len(setup.channel.attempts) == 5
    counts = await setup.desk.repository.counts(record.id)
    assert (counts["sent"], counts["cancelled"]) == (5, 3)
    (report,) = setup.reports()  # from the desk; the engine has nothing more to say
    assert report.startswith(f"Broadcast #{record.id} was cancelled.")
    assert "Not sent because it was cancelled: 3." in report


# --- progress ----------------------------------------------------------------------------


async def test_the_progress_message_is_edited_at_most_once_per_interval(
    sessionmaker: Maker,
) -> None:
    await subscribe(sessionmaker, {1000 + i: ("en", "leeds") for i in range(20)})
    setup = Setup(sessionmaker)
    record = await setup.alert(areas=["leeds"])

    handled: list[int] = []
    while handled[-1:] != [0]:
        handled.append(await setup.engine.run_once())
        setup.clock.advance(timedelta(seconds=1))

    assert handled == [5, 5, 5, 5, 0]  # passes at 0, 1, 2, 3 and 4 s
    assert timedelta(seconds=3) == PROGRESS_EVERY
    edits = [(at - NOW, text) for chat, message, text, at in setup.channel.edits]
    assert [when for when, _ in edits] == [
        timedelta(0),
        timedelta(seconds=3),
        timedelta(seconds=4),  # the final state, when it finished
    ]
    assert edits[0][1].startswith(f"Broadcast #{record.id}: 5 / 20 sent")
    assert edits[1][1].startswith(f"Broadcast #{record.id}: 20 / 20 sent")
    assert all(chat == CREATOR_CHAT and message == 900 for chat, message, *_ in setup.channel.edits)


async def test_without_a_progress_message_nothing_is_edited(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, EIGHT)
    setup = Setup(sessionmaker)
    setup.channel.notify_answers = None  # the admin could not be told it started
    record = await setup.alert()
    assert record.progress_message_id is None

    await drain(setup.engine)

    assert setup.channel.edits == []
    assert len(setup.reports()) == 1
