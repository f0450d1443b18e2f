"""Subscriptions, broadcasts and deliveries on both databases: who receives an alert,
claims that never overlap, outcomes, leases, corrections, and forgetting a person."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage import ContactRepository
from bot.storage.audit import AuditLog
from bot.storage.broadcasts import BroadcastRepository, Outcome
from bot.storage.database import make_engine, make_sessionmaker
from bot.storage.roles import RoleRepository
from bot.storage.subscriptions import SubscriptionRepository
from tests.conftest import SharedDatabase

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
Maker = async_sessionmaker[AsyncSession]


async def people(sessionmaker: Maker, areas: dict[int, tuple[str, str | None]]) -> dict[int, int]:
    """Contacts by chat id, subscribed to one area each, in a language; chat -> contact id."""
    contacts = ContactRepository(sessionmaker)
    subscriptions = SubscriptionRepository(sessionmaker)
    ids = {}
    for chat, (area, language) in areas.items():
        contact = await contacts.get_or_create(chat, now=NOW, language=language)
        await subscriptions.add(contact.id, area, now=NOW)
        ids[chat] = contact.id
    return ids


async def alert(repository: BroadcastRepository, **options: object) -> int:
    created = await repository.create(
        kind="alert",
        content={"template": None, "fields": {}, "texts": {"en": "Avoid the town centre."}},
        areas=["rotherham"],
        created_by="tg:1",
        now=NOW,
        **options,  # type: ignore[arg-type]
    )
    return created.id


async def test_subscriptions_are_added_once_listed_and_ended(sessionmaker: Maker) -> None:
    ids = await people(sessionmaker, {100: ("rotherham", "ar")})
    subscriptions = SubscriptionRepository(sessionmaker)

    assert await subscriptions.add(ids[100], "rotherham", now=NOW) is False
    assert await subscriptions.add(ids[100], "england", now=NOW + timedelta(seconds=1))
    assert await subscriptions.areas(ids[100]) == ["rotherham", "england"]
    assert await subscriptions.remove(ids[100], "england")
    assert await subscriptions.remove(ids[100], "england") is False
    assert await subscriptions.remove_all(ids[100]) == 1
    assert await subscriptions.areas(ids[100]) == []


async def test_start_gives_each_reachable_subscriber_of_the_areas_one_pending_delivery(
    sessionmaker: Maker,
) -> None:
    ids = await people(
        sessionmaker,
        {
            1: ("rotherham", "ar"),
            2: ("yorkshire", None),
            3: ("leeds", "pl"),
            4: ("rotherham", "ur"),
        },
    )
    await SubscriptionRepository(sessionmaker).add(ids[1], "yorkshire", now=NOW)
    await ContactRepository(sessionmaker).mark_unreachable(ids[4], NOW)
    repository = BroadcastRepository(sessionmaker)
    broadcast = await alert(repository)

    assert await SubscriptionRepository(sessionmaker).count(["rotherham", "yorkshire"]) == 2
    assert await repository.start(broadcast, ["rotherham", "yorkshire"], now=NOW) == 2
    assert await repository.start(broadcast, ["rotherham"], now=NOW) is None  # once only
    counts = await repository.counts(broadcast)
    assert counts["pending"] == 2
    assert counts.total == 2
    record = await repository.get(broadcast)
    assert record is not None
    assert record.status == "sending"
    assert record.total == 2


async def test_languages_choose_recipients_and_no_language_counts_as_english(
    sessionmaker: Maker,
) -> None:
    await people(sessionmaker, {1: ("leeds", "ar"), 2: ("leeds", None), 3: ("leeds", "pl")})
    repository = BroadcastRepository(sessionmaker)
    broadcast = await alert(repository, languages=["en", "ar"])

    assert await SubscriptionRepository(sessionmaker).count_by_language(["leeds"]) == {
        "ar": 1,
        None: 1,
        "pl": 1,
    }
    assert await repository.start(broadcast, ["leeds"], now=NOW) == 2


async def test_claims_never_overlap_and_outcomes_finish_the_broadcast(sessionmaker: Maker) -> None:
    await people(sessionmaker, dict.fromkeys(range(1, 11), ("leeds", "en")))
    repository = BroadcastRepository(sessionmaker)
    broadcast = await alert(repository)
    await repository.start(broadcast, ["leeds"], now=NOW)

    first = await repository.claim(broadcast, "a", now=NOW, limit=6)
    second = await repository.claim(broadcast, "b", now=NOW, limit=6)
    assert len(first) == 6
    assert len(second) == 4
    assert not {d.contact_id for d in first} & {d.contact_id for d in second}
    assert await repository.claim(broadcast, "c", now=NOW, limit=6) == []

    await repository.record(
        broadcast,
        "a",
        [Outcome(d.contact_id, "sent", 500 + i) for i, d in enumerate(first)],
        now=NOW,
    )
    # b's outcomes recorded under another sender's name are ignored: not its claims.
    await repository.record(broadcast, "a", [Outcome(second[0].contact_id, "sent", 1)], now=NOW)
    assert not await repository.finish_if_done(broadcast, now=NOW)
    await repository.record(
        broadcast,
        "b",
        [Outcome(second[0].contact_id, "blocked")]
        + [Outcome(d.contact_id, "sent", 9) for d in second[1:]],
        now=NOW,
    )
    counts = await repository.counts(broadcast)
    assert (counts["sent"], counts["blocked"], counts.open) == (9, 1, 0)
    assert await repository.finish_if_done(broadcast, now=NOW)
    assert not await repository.finish_if_done(broadcast, now=NOW)


async def test_a_stopped_senders_claims_are_given_back_and_flagged_resent(
    sessionmaker: Maker,
) -> None:
    await people(sessionmaker, dict.fromkeys(range(1, 4), ("leeds", "en")))
    repository = BroadcastRepository(sessionmaker)
    broadcast = await alert(repository)
    await repository.start(broadcast, ["leeds"], now=NOW)
    lost = await repository.claim(broadcast, "killed", now=NOW, limit=2)
    kept = await repository.claim(broadcast, "alive", now=NOW, limit=2)
    later = NOW + timedelta(seconds=60)
    assert await repository.renew("alive", [broadcast], now=later) == 1

    assert await repository.reclaim_stale(broadcast, claimed_before=later) == 2
    again = await repository.claim(broadcast, "new", now=later, limit=10)
    assert {d.contact_id for d in again} == {d.contact_id for d in lost}
    assert all(d.attempts == 2 for d in again)
    assert (await repository.counts(broadcast)).resent == 2
    # Released rows were never sent: not flagged.
    assert await repository.release(broadcast, "alive", [d.contact_id for d in kept]) == 1
    assert (await repository.counts(broadcast)).resent == 2


async def test_expiry_closes_what_is_open_and_a_late_outcome_still_counts(
    sessionmaker: Maker,
) -> None:
    await people(sessionmaker, dict.fromkeys(range(1, 4), ("leeds", "en")))
    repository = BroadcastRepository(sessionmaker)
    broadcast = await alert(repository)
    await repository.start(broadcast, ["leeds"], now=NOW)
    claimed = await repository.claim(broadcast, "a", now=NOW, limit=1)

    assert await repository.close_open(broadcast, "expired") == 3
    # The one on its way when the alert expired did arrive: that is what is recorded.
    await repository.record(broadcast, "a", [Outcome(claimed[0].contact_id, "sent", 5)], now=NOW)
    counts = await repository.counts(broadcast)
    assert (counts["expired"], counts["sent"]) == (2, 1)
    # Another sender's word about it changes nothing.
    await repository.record(broadcast, "b", [Outcome(claimed[0].contact_id, "failed")], now=NOW)
    assert (await repository.counts(broadcast))["sent"] == 1
    assert await repository.finish_if_done(broadcast, now=NOW)


async def test_a_correction_goes_to_exactly_who_received_the_original_as_a_reply(
    sessionmaker: Maker,
) -> None:
    ids = await people(sessionmaker, dict.fromkeys(range(1, 5), ("leeds", "en")))
    repository = BroadcastRepository(sessionmaker)
    original = await alert(repository)
    await repository.start(original, ["leeds"], now=NOW)
    claimed = await repository.claim(original, "a", now=NOW, limit=10)
    outcomes = [Outcome(d.contact_id, "sent", 700 + d.contact_id) for d in claimed[:2]]
    outcomes.append(Outcome(claimed[2].contact_id, "failed"))
    await repository.record(original, "a", outcomes, now=NOW)
    # The fourth is still on its way (it may arrive): it gets the correction too.
    in_flight = claimed[3].contact_id
    # Someone subscribing after the alert does not get its correction.
    newcomer = await people(sessionmaker, {99: ("leeds", "en")})

    correction = await repository.create(
        kind="correction",
        content={"texts": {"en": "The gathering moved."}},
        areas=["leeds"],
        created_by="tg:1",
        now=NOW,
        correction_of=original,
    )
    assert await repository.followers_by_language(original) == {"en": 3}
    assert await repository.start(correction.id, [], now=NOW) == 3
    sent_to = await repository.claim(correction.id, "a", now=NOW, limit=10)
    assert {(d.contact_id, d.reply_to) for d in sent_to} == {
        *((o.contact_id, 700 + o.contact_id) for o in outcomes[:2]),
        (in_flight, None),
    }
    assert newcomer[99] not in {d.contact_id for d in sent_to}
    assert len(ids) == 4


async def test_forgetting_a_person_removes_their_subscriptions_and_deliveries(
    sessionmaker: Maker,
) -> None:
    ids = await people(sessionmaker, {1: ("leeds", "en"), 2: ("leeds", "en")})
    repository = BroadcastRepository(sessionmaker)
    broadcast = await alert(repository)
    await repository.start(broadcast, ["leeds"], now=NOW)

    await ContactRepository(sessionmaker).delete(ids[1])

    assert (await repository.counts(broadcast)).total == 1
    assert await SubscriptionRepository(sessionmaker).areas(ids[1]) == []


async def test_approvals_count_each_admin_once(sessionmaker: Maker) -> None:
    repository = BroadcastRepository(sessionmaker)
    broadcast = await alert(repository)
    assert await repository.approve(broadcast, "tg:1", now=NOW) == ["tg:1"]
    assert await repository.approve(broadcast, "tg:1", now=NOW) == ["tg:1"]
    later = NOW + timedelta(seconds=1)
    assert await repository.approve(broadcast, "cli:ana", now=later) == ["tg:1", "cli:ana"]


async def test_one_progress_turn_per_interval(sessionmaker: Maker) -> None:
    repository = BroadcastRepository(sessionmaker)
    broadcast = await alert(repository)
    every = timedelta(seconds=3)
    assert await repository.take_progress_turn(broadcast, now=NOW, not_since=NOW - every)
    soon = NOW + timedelta(seconds=1)
    assert not await repository.take_progress_turn(broadcast, now=soon, not_since=soon - every)
    late = NOW + timedelta(seconds=3)
    assert await repository.take_progress_turn(broadcast, now=late, not_since=late - every)


async def test_roles_and_audit(sessionmaker: Maker) -> None:
    roles = RoleRepository(sessionmaker)
    assert await roles.grant(5, "approver", by="cli:ana", now=NOW)
    assert not await roles.grant(5, "approver", by="cli:ana", now=NOW)
    await roles.grant(6, "sender", by="cli:ana", now=NOW)
    assert await roles.roles_of(5) == {"approver"}
    assert await roles.holders("approver", "admin") == [5]
    with pytest.raises(ValueError, match="not one of"):
        await roles.grant(5, "owner", by="cli:ana", now=NOW)
    assert await roles.revoke(5) == 1

    audit = AuditLog(sessionmaker)
    await audit.add("tg:1", "broadcast_sent", now=NOW, broadcast_id=3, count=10, detail="x" * 999)
    await audit.add("cli:ana", "role_granted", now=NOW + timedelta(seconds=1))
    entries = await audit.entries()
    assert [e.action for e in entries] == ["broadcast_sent", "role_granted"]
    assert entries[0].detail is not None
    assert len(entries[0].detail) == 300
    assert [e.actor for e in await audit.entries(broadcast_id=3)] == ["tg:1"]


@pytest.mark.postgres
async def test_concurrent_claims_from_two_engines_never_take_the_same_row(
    postgres_database: SharedDatabase,
) -> None:
    postgres_database.empty()
    database_url = postgres_database.url
    engines = [make_engine(database_url), make_engine(database_url)]
    try:
        makers = [make_sessionmaker(engine) for engine in engines]
        await people(makers[0], dict.fromkeys(range(1, 401), ("leeds", "en")))
        repositories = [BroadcastRepository(maker) for maker in makers]
        broadcast = await alert(repositories[0])
        await repositories[0].start(broadcast, ["leeds"], now=NOW)

        async def drain(repository: BroadcastRepository, name: str) -> list[int]:
            taken: list[int] = []
            while batch := await repository.claim(broadcast, name, now=NOW, limit=7):
                taken += [d.contact_id for d in batch]
                await asyncio.sleep(0)
            return taken

        first, second = await asyncio.gather(
            drain(repositories[0], "a"), drain(repositories[1], "b")
        )
        assert len(first) + len(second) == 400
        assert not set(first) & set(second)
        assert first
        assert second
    finally:
        for engine in engines:
            await engine.dispose()
