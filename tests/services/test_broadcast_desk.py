"""The broadcast desk over a real database: who may do what, approvals, cancelling at each
stage, corrections and retractions, and the audit trail each action leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.broadcasts.compose import AlertContent
from bot.services.broadcasts.desk import (
    Actor,
    Approval,
    BroadcastDesk,
    NotAllowedError,
    describe,
)
from bot.services.clock import FixedClock
from bot.storage import ContactRepository
from bot.storage.broadcasts import BroadcastRecord
from bot.storage.roles import RoleRepository
from tests.services.broadcast_fakes import (
    ADMIN_ID,
    CREATOR_CHAT,
    FREE,
    GATHERING,
    NOW,
    FakeChannel,
    composer,
    deliveries,
    desk_for,
    drain,
    engine_for,
    sent_alert,
    subscribe,
)

Maker = async_sessionmaker[AsyncSession]
SENDER, APPROVER, SECOND_APPROVER, STRANGER = 8001, 8002, 8003, 8004
READERS = {
    101: ("en", "rotherham"),
    102: ("ar", "sheffield"),
    103: ("pl", "yorkshire_and_the_humber"),
    104: (None, "rotherham"),
    200: ("en", "cardiff"),
}
CORRECTION = AlertContent(texts={"en": "The gathering moved to Market Square."})


class Desk:
    """A desk with a scripted channel, staff with roles, and a way to deliver."""

    def __init__(self, maker: Maker, approvals: int = 1) -> None:
        self.maker = maker
        self.clock = FixedClock(NOW)
        self.channel = FakeChannel(self.clock)
        self.woken = 0
        self.desk = desk_for(
            maker, self.clock, channel=self.channel, approvals=approvals, wake=self._wake
        )

    def _wake(self) -> None:
        self.woken += 1

    async def staff(self) -> dict[str, Actor]:
        roles = RoleRepository(self.maker)
        await roles.grant(SENDER, "sender", by="cli:root", now=NOW)
        await roles.grant(APPROVER, "approver", by="cli:root", now=NOW)
        await roles.grant(SECOND_APPROVER, "approver", by="cli:root", now=NOW)
        found = {}
        for name, user in (
            ("admin", ADMIN_ID),
            ("sender", SENDER),
            ("approver", APPROVER),
            ("second", SECOND_APPROVER),
        ):
            actor = await self.desk.telegram_actor(user)
            assert actor is not None
            found[name] = actor
        return found

    async def draft(
        self, actor: Actor, content: AlertContent = FREE, areas: tuple[str, ...] = ("rotherham",)
    ) -> BroadcastRecord:
        return await self.desk.repository.create(
            kind="alert",
            content=content.as_json(),
            areas=list(areas),
            created_by=actor.key,
            now=NOW,
            creator_chat_id=actor.chat_id,
        )

    async def status(self, broadcast_id: int) -> str:
        found = await self.desk.repository.get(broadcast_id)
        assert found is not None
        return found.status

    async def audit(self) -> list[tuple[str, str, int | None, int | None]]:
        return [
            (e.actor, e.action, e.broadcast_id, e.count) for e in await self.desk.audit.entries()
        ]

    async def deliver(self) -> None:
        await drain(engine_for(self.maker, self.channel, self.clock))


# --- who ---------------------------------------------------------------------------------


async def test_staff_are_known_by_their_roles_and_admin_ids(sessionmaker: Maker) -> None:
    setup = Desk(sessionmaker)
    staff = await setup.staff()

    assert staff["admin"] == Actor(f"tg:{ADMIN_ID}", frozenset({"admin"}), ADMIN_ID)
    assert (staff["admin"].can_send, staff["admin"].can_approve) == (True, True)
    assert (staff["sender"].can_send, staff["sender"].can_approve) == (True, False)
    assert (staff["approver"].can_send, staff["approver"].can_approve) == (False, True)
    assert await setup.desk.telegram_actor(STRANGER) is None
    terminal = BroadcastDesk.terminal_actor("ana")
    assert (terminal.key, terminal.roles, terminal.chat_id) == (
        "cli:ana",
        frozenset({"admin"}),
        None,
    )


async def test_an_admin_id_with_a_role_too_has_both(sessionmaker: Maker) -> None:
    setup = Desk(sessionmaker)
    await RoleRepository(sessionmaker).grant(ADMIN_ID, "sender", by="cli:root", now=NOW)

    actor = await setup.desk.telegram_actor(ADMIN_ID)

    assert actor is not None
    assert actor.roles == {"admin", "sender"}


async def test_approvers_are_asked_but_never_the_one_asking(sessionmaker: Maker) -> None:
    setup = Desk(sessionmaker)
    staff = await setup.staff()

    assert await setup.desk.approvers(besides=staff["approver"].key) == [
        ADMIN_ID,
        SECOND_APPROVER,
    ]
    assert await setup.desk.approvers(besides="cli:ana") == [ADMIN_ID, APPROVER, SECOND_APPROVER]


async def test_each_role_is_held_to_what_it_may_do(sessionmaker: Maker) -> None:
    setup = Desk(sessionmaker, approvals=2)
    staff = await setup.staff()
    draft = await setup.draft(staff["sender"])

    with pytest.raises(NotAllowedError, match="not allowed to send broadcasts"):
        await setup.desk.submit(draft.id, staff["approver"])
    assert await setup.desk.submit(draft.id, staff["sender"]) is not None
    with pytest.raises(NotAllowedError, match="not allowed to approve broadcasts"):
        await setup.desk.approve(draft.id, staff["sender"])
    with pytest.raises(NotAllowedError, match="not allowed to cancel broadcasts"):
        await setup.desk.cancel(draft.id, staff["approver"])
    with pytest.raises(NotAllowedError):
        await setup.desk.follow_up(draft.id, staff["approver"], kind="correction", content=FREE)

    assert await setup.status(draft.id) == "awaiting_approval"
    assert [action for _, action, _, _ in await setup.audit()] == ["alert_submitted"]


# --- composing ---------------------------------------------------------------------------


async def test_recipients_are_counted_by_language_over_the_areas_reach(
    sessionmaker: Maker,
) -> None:
    ids = await subscribe(sessionmaker, READERS | {105: ("ar", "rotherham")})
    await ContactRepository(sessionmaker).mark_unreachable(ids[105], NOW)
    desk = Desk(sessionmaker).desk

    # Rotherham reaches its own subscribers and those of the region it lies in.
    rotherham = await desk.recipients(["rotherham"], None)
    assert (rotherham.total, rotherham.by_language) == (3, {"en": 2, "pl": 1})
    region = await desk.recipients(["yorkshire_and_the_humber"], None)
    assert (region.total, region.by_language) == (4, {"en": 2, "ar": 1, "pl": 1})
    polish = await desk.recipients(["yorkshire_and_the_humber", "cardiff"], ["pl", "ar"])
    assert (polish.total, polish.by_language) == (2, {"ar": 1, "pl": 1})
    assert (await desk.recipients(["atlantis"], None)).total == 0


async def test_the_preview_is_the_alert_as_the_reader_gets_it(sessionmaker: Maker) -> None:
    setup = Desk(sessionmaker)
    record = await setup.draft(BroadcastDesk.terminal_actor("ana"), GATHERING)

    for language in (None, "en", "pl", "ar"):
        assert setup.desk.preview(record, language) == composer().compose(
            "alert", GATHERING, ["rotherham"], language
        )


# --- sending and approvals ---------------------------------------------------------------


async def test_with_one_approval_submitting_sends_at_once(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, READERS)
    setup = Desk(sessionmaker)
    staff = await setup.staff()
    draft = await setup.draft(staff["sender"], GATHERING)

    submitted = await setup.desk.submit(draft.id, staff["sender"])

    assert submitted is not None
    assert (submitted.recipients, submitted.approvals, submitted.needed) == (3, 1, 1)
    assert submitted.record.status == "sending"
    assert submitted.record.started_at == NOW
    assert submitted.record.progress_message_id == 900
    assert setup.channel.notes == [(SENDER, f"Broadcast #{draft.id}: 0 / 3 sent · ~0 s left")]
    assert setup.woken == 1
    assert await setup.audit() == [
        (f"tg:{SENDER}", "alert_submitted", draft.id, None),
        (f"tg:{SENDER}", "alert_started", draft.id, 3),
    ]
    entries = await setup.desk.audit.entries()
    assert entries[0].detail == ("template gathering_announced; areas rotherham; all languages")
    assert await setup.desk.submit(draft.id, staff["sender"]) is None  # not a draft now


async def test_with_two_approvals_another_admin_must_agree(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, READERS)
    setup = Desk(sessionmaker, approvals=2)
    staff = await setup.staff()
    draft = await setup.draft(staff["admin"])

    submitted = await setup.desk.submit(draft.id, staff["admin"])
    assert submitted is not None
    assert (submitted.recipients, submitted.approvals, submitted.needed) == (None, 1, 2)
    assert submitted.record.status == "awaiting_approval"
    assert setup.channel.notes == []

    # The writer (an admin, who may approve) cannot be the second admin.
    outcome, record = await setup.desk.approve(draft.id, staff["admin"])
    assert outcome is Approval.ALREADY
    assert await setup.status(draft.id) == "awaiting_approval"

    outcome, record = await setup.desk.approve(draft.id, staff["approver"])
    assert outcome is Approval.STARTED
    assert record is not None
    assert (record.status, record.total) == ("sending", 3)
    assert await setup.desk.repository.approvals(draft.id) == [f"tg:{ADMIN_ID}", f"tg:{APPROVER}"]
    assert await setup.audit() == [
        (f"tg:{ADMIN_ID}", "alert_submitted", draft.id, None),
        (f"tg:{APPROVER}", "broadcast_approved", draft.id, None),
        (f"tg:{APPROVER}", "alert_started", draft.id, 3),
    ]
    # The progress goes to the writer's chat, whoever gave the last approval.
    assert [chat for chat, _ in setup.channel.notes] == [ADMIN_ID]

    outcome, _ = await setup.desk.approve(draft.id, staff["second"])
    assert outcome is Approval.NOT_WAITING


async def test_with_three_approvals_two_others_must_agree(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, READERS)
    setup = Desk(sessionmaker, approvals=3)
    staff = await setup.staff()
    draft = await setup.draft(staff["sender"])
    await setup.desk.submit(draft.id, staff["sender"])

    first, _ = await setup.desk.approve(draft.id, staff["approver"])
    again, _ = await setup.desk.approve(draft.id, staff["approver"])
    assert (first, again) == (Approval.RECORDED, Approval.ALREADY)
    assert await setup.status(draft.id) == "awaiting_approval"
    assert (await setup.desk.repository.counts(draft.id)).total == 0  # nothing sent yet

    last, record = await setup.desk.approve(draft.id, staff["admin"])
    assert last is Approval.STARTED
    assert record is not None
    assert record.status == "sending"
    actions = [(actor, action) for actor, action, _, _ in await setup.audit()]
    assert actions == [
        (f"tg:{SENDER}", "alert_submitted"),
        (f"tg:{APPROVER}", "broadcast_approved"),
        (f"tg:{ADMIN_ID}", "broadcast_approved"),
        (f"tg:{ADMIN_ID}", "alert_started"),
    ]


async def test_only_a_broadcast_awaiting_approval_can_be_approved(sessionmaker: Maker) -> None:
    setup = Desk(sessionmaker, approvals=2)
    staff = await setup.staff()
    draft = await setup.draft(staff["sender"])

    assert await setup.desk.approve(draft.id, staff["approver"]) == (Approval.NOT_WAITING, draft)
    assert await setup.desk.approve(999, staff["approver"]) == (Approval.NOT_WAITING, None)
    assert await setup.audit() == []


# --- cancelling --------------------------------------------------------------------------


async def test_a_draft_or_an_alert_awaiting_approval_is_cancelled_quietly(
    sessionmaker: Maker,
) -> None:
    setup = Desk(sessionmaker, approvals=2)
    staff = await setup.staff()
    draft = await setup.draft(staff["sender"])
    waiting = await setup.draft(staff["sender"])
    await setup.desk.submit(waiting.id, staff["sender"])

    for record in (draft, waiting):
        stopped = await setup.desk.cancel(record.id, staff["sender"])
        assert stopped is not None
        assert (stopped.status, stopped.finished_at) == ("cancelled", NOW)

    assert setup.channel.notes == []  # nothing was sent: nothing to report
    assert await setup.desk.approve(waiting.id, staff["approver"]) == (
        Approval.NOT_WAITING,
        await setup.desk.repository.get(waiting.id),
    )
    cancelled = [(b, n) for _, action, b, n in await setup.audit() if action.endswith("cancelled")]
    assert cancelled == [(draft.id, 0), (waiting.id, 0)]


async def test_cancelling_while_sending_stops_what_is_not_sent_and_reports(
    sessionmaker: Maker,
) -> None:
    await subscribe(sessionmaker, {100 + i: ("en", "leeds") for i in range(8)})
    setup = Desk(sessionmaker)
    admin = BroadcastDesk.terminal_actor("ana")
    record = await sent_alert(setup.desk, admin, areas=["leeds"])
    assert await engine_for(sessionmaker, setup.channel, setup.clock).run_once() == 5
    setup.clock.advance(timedelta(minutes=1))

    stopped = await setup.desk.cancel(record.id, admin)

    assert stopped is not None
    assert (stopped.status, stopped.finished_at) == ("cancelled", NOW + timedelta(minutes=1))
    counts = await setup.desk.repository.counts(record.id)
    assert (counts["sent"], counts["cancelled"], counts.open) == (5, 3, 0)
    assert ("cli:ana", "broadcast_cancelled", record.id, 3) in await setup.audit()
    report = setup.channel.notes[-1]
    assert report[0] == CREATOR_CHAT
    assert report[1].startswith(f"Broadcast #{record.id} was cancelled.")
    assert "Took 1 min." in report[1]


async def test_what_is_finished_or_unknown_cannot_be_cancelled(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, READERS)
    setup = Desk(sessionmaker)
    admin = BroadcastDesk.terminal_actor("ana")
    done = await sent_alert(setup.desk, admin)
    await setup.deliver()
    assert await setup.status(done.id) == "done"
    cancelled = await setup.draft(admin)
    await setup.desk.cancel(cancelled.id, admin)
    audited = len(await setup.audit())

    assert await setup.desk.cancel(done.id, admin) is None
    assert await setup.desk.cancel(cancelled.id, admin) is None
    assert await setup.desk.cancel(999, admin) is None
    assert await setup.status(done.id) == "done"
    assert len(await setup.audit()) == audited


# --- corrections and retractions ---------------------------------------------------------


async def test_only_an_alert_that_was_sent_can_be_corrected(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, READERS)
    setup = Desk(sessionmaker, approvals=2)
    admin = BroadcastDesk.terminal_actor("ana")
    draft = await setup.draft(admin)
    waiting = await setup.draft(admin)
    await setup.desk.submit(waiting.id, admin)
    dropped = await setup.draft(admin)
    await setup.desk.cancel(dropped.id, admin)

    for original in (999, draft.id, waiting.id, dropped.id):
        for kind in ("correction", "retraction"):
            with pytest.raises(LookupError, match="is not an alert that was sent"):
                await setup.desk.follow_up(original, admin, kind=kind, content=CORRECTION)
    assert await setup.status(waiting.id) == "awaiting_approval"


async def test_a_correction_cannot_itself_be_corrected(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, READERS)
    setup = Desk(sessionmaker)
    admin = BroadcastDesk.terminal_actor("ana")
    original = await sent_alert(setup.desk, admin)
    await setup.deliver()
    correction = await setup.desk.follow_up(
        original.id, admin, kind="correction", content=CORRECTION
    )
    await setup.desk.submit(correction.id, admin)

    with pytest.raises(LookupError):
        await setup.desk.follow_up(correction.id, admin, kind="correction", content=CORRECTION)


async def test_a_correction_answers_exactly_who_received_the_alert(sessionmaker: Maker) -> None:
    ids = await subscribe(sessionmaker, READERS)
    setup = Desk(sessionmaker)
    admin = BroadcastDesk.terminal_actor("ana")
    original = await sent_alert(setup.desk, admin, areas=["yorkshire_and_the_humber"])
    await setup.deliver()
    first_ids = {
        chat: row.message_id for chat, row in (await deliveries(sessionmaker, original.id)).items()
    }
    # Someone who subscribes afterwards, and someone who blocked the bot since, get nothing.
    await subscribe(sessionmaker, {106: ("en", "rotherham")})
    await ContactRepository(sessionmaker).mark_unreachable(ids[104], NOW)
    setup.clock.advance(timedelta(hours=1))

    correction = await setup.desk.follow_up(
        original.id, admin, kind="correction", content=CORRECTION, chat_id=CREATOR_CHAT
    )
    assert (correction.kind, correction.status, correction.correction_of) == (
        "correction",
        "draft",
        original.id,
    )
    assert correction.areas == ["yorkshire_and_the_humber"]
    submitted = await setup.desk.submit(correction.id, admin)
    assert submitted is not None
    assert submitted.recipients == 3
    setup.channel.attempts.clear()
    setup.channel.sent.clear()
    await setup.deliver()

    replies = {a.chat_id: a.reply_to for a in setup.channel.attempts}
    assert replies == {chat: first_ids[chat] for chat in (101, 102, 103)}
    assert all(a.text.startswith("🔔 Correction to our earlier alert") for a in setup.channel.sent)
    assert (await setup.audit())[-4:] == [
        ("cli:ana", "correction_written", correction.id, None),
        ("cli:ana", "correction_submitted", correction.id, None),
        ("cli:ana", "correction_started", correction.id, 3),
        ("standby", "broadcast_finished", correction.id, 3),
    ]
    assert (await setup.desk.audit.entries())[-4].detail == f"of #{original.id}"
    assert await setup.status(original.id) == "done"


async def test_retracting_an_alert_still_being_sent_stops_it_first(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, {100 + i: ("en", "leeds") for i in range(8)})
    setup = Desk(sessionmaker)
    admin = BroadcastDesk.terminal_actor("ana")
    original = await sent_alert(setup.desk, admin, areas=["leeds"])
    engine = engine_for(sessionmaker, setup.channel, setup.clock)
    assert await engine.run_once() == 5  # five sent, three still to go

    retraction = await setup.desk.follow_up(
        original.id, admin, kind="retraction", content=AlertContent(note="It was a hoax.")
    )
    assert await setup.status(original.id) == "sending"  # nothing stops before it is sent

    submitted = await setup.desk.submit(retraction.id, admin)
    assert submitted is not None
    assert submitted.recipients == 5
    assert await setup.status(original.id) == "cancelled"
    counts = await setup.desk.repository.counts(original.id)
    assert (counts["sent"], counts["cancelled"]) == (5, 3)
    sent_first = {a.chat_id for a in setup.channel.sent}
    setup.channel.attempts.clear()
    setup.channel.sent.clear()
    await drain(engine)
    assert {a.chat_id for a in setup.channel.sent} == sent_first
    assert all("It was a hoax." in a.text for a in setup.channel.sent)
    actions = [action for _, action, _, _ in await setup.audit()]
    assert actions.index("retraction_written") < actions.index("broadcast_retracted")


async def test_the_correction_count_shown_is_who_it_will_reach(sessionmaker: Maker) -> None:
    ids = await subscribe(sessionmaker, READERS)
    setup = Desk(sessionmaker)
    admin = BroadcastDesk.terminal_actor("ana")
    original = await sent_alert(setup.desk, admin, areas=["yorkshire_and_the_humber"])
    await setup.deliver()
    await ContactRepository(sessionmaker).mark_unreachable(ids[104], NOW)
    correction = await setup.desk.follow_up(
        original.id, admin, kind="correction", content=CORRECTION
    )

    shown = await setup.desk.correction_recipients(original.id)
    submitted = await setup.desk.submit(correction.id, admin)

    assert submitted is not None
    assert shown.total == submitted.recipients == 3


async def test_everyone_who_receives_an_alert_gets_its_correction(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, {100 + i: ("en", "leeds") for i in range(8)})
    setup = Desk(sessionmaker)
    admin = BroadcastDesk.terminal_actor("ana")
    original = await sent_alert(setup.desk, admin, areas=["leeds"])
    engine = engine_for(sessionmaker, setup.channel, setup.clock)
    assert await engine.run_once() == 5  # five sent, three still to go

    with pytest.raises(LookupError, match="still being sent"):
        await setup.desk.follow_up(original.id, admin, kind="correction", content=CORRECTION)
    await drain(engine)
    correction = await setup.desk.follow_up(
        original.id, admin, kind="correction", content=CORRECTION
    )
    await setup.desk.submit(correction.id, admin)
    await drain(engine)

    got_alert = {a.chat_id for a in setup.channel.sent if "Avoid the town" in a.text}
    got_correction = {a.chat_id for a in setup.channel.sent if "Market Square" in a.text}
    assert len(got_alert) == 8
    assert got_correction == got_alert


async def test_retracting_a_finished_alert_leaves_it_as_it_was(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, READERS)
    setup = Desk(sessionmaker)
    admin = BroadcastDesk.terminal_actor("ana")
    original = await sent_alert(setup.desk, admin)
    await setup.deliver()

    await setup.desk.follow_up(original.id, admin, kind="retraction", content=AlertContent())

    assert await setup.status(original.id) == "done"


# --- status and audit details ------------------------------------------------------------


async def test_status_gives_the_record_and_its_counts(sessionmaker: Maker) -> None:
    await subscribe(sessionmaker, READERS)
    setup = Desk(sessionmaker)
    admin = BroadcastDesk.terminal_actor("ana")
    record = await sent_alert(setup.desk, admin)

    found = await setup.desk.status(record.id)
    assert found is not None
    assert found[1]["pending"] == 3
    assert setup.desk.progress(*found) == f"Broadcast #{record.id}: 0 / 3 sent · ~0 s left"
    await setup.deliver()
    found = await setup.desk.status(record.id)
    assert found is not None
    assert (found[0].status, found[1]["sent"]) == ("done", 3)
    assert await setup.desk.status(999) is None
    assert setup.desk.now() == NOW


async def test_the_audit_detail_never_holds_the_alerts_words(sessionmaker: Maker) -> None:
    setup = Desk(sessionmaker)
    admin = BroadcastDesk.terminal_actor("ana")
    record = await setup.desk.repository.create(
        kind="alert",
        content=FREE.as_json(),
        areas=["leeds", "hull"],
        created_by=admin.key,
        now=NOW,
        languages=["ar", "en"],
    )

    assert describe(record) == "free text; areas leeds,hull; ar,en"
    assert "town centre" not in describe(record)
