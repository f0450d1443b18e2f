"""The session store contract, run against every database Standby supports."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.engine.session import Frame, Session
from bot.storage import (
    ContactNotFoundError,
    ContactRepository,
    SqlSessionStore,
    StaleSession,
    make_engine,
    make_sessionmaker,
)
from bot.storage.tables import session_table

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(sessionmaker: async_sessionmaker[AsyncSession]) -> SqlSessionStore:
    return SqlSessionStore(sessionmaker)


@pytest.fixture
async def contact_id(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    return await new_contact(sessionmaker, chat_id=1001)


async def new_contact(sessionmaker: async_sessionmaker[AsyncSession], chat_id: int) -> int:
    return (await ContactRepository(sessionmaker).get_or_create(chat_id, now=NOW)).id


def full_session() -> Session:
    """A session with every field set to something a naive store would get wrong."""
    return Session(
        flow="report",
        step="when",
        waiting="input",
        stack=[Frame("menu", "start"), Frame("help", "topics", again=True)],
        vars={
            "where": "Manchester Piccadilly",
            "what": "صرخ علي رجل في الحافلة",
            "emoji": "🚌 ✋",
            "count": 3,
            "share": 0.25,
            "anonymous": True,
            "phone": None,
            "kinds": ["verbal", None, 2],
            "nested": {"a": [1, {"b": "ünïcödé"}], "empty": {}},
        },
        labels={"who": ["A witness"], "kinds": ["Verbal abuse", "شتائم"]},
        picked=["verbal", 7],
        history=["start", "where", "what"],
        expires_at=datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        turn=12,
    )


def in_step(step: str, expires_at: datetime | None = None) -> Session:
    return Session(flow="report", step=step, waiting="input", expires_at=expires_at)


async def test_loading_a_contact_without_a_session_gives_none(
    store: SqlSessionStore, contact_id: int
) -> None:
    assert await store.load(contact_id) is None


async def test_a_saved_session_loads_back_with_every_field(
    store: SqlSessionStore, contact_id: int
) -> None:
    session = full_session()

    version = await store.save(contact_id, session, expected_version=None, now=NOW)

    stored = await store.load(contact_id)
    assert stored is not None
    assert stored.version == version == 1
    assert stored.session == session
    assert stored.session.expires_at is not None
    assert stored.session.expires_at.utcoffset() == timedelta(0)


async def test_an_ended_session_round_trips(store: SqlSessionStore, contact_id: int) -> None:
    await store.save(contact_id, Session(), expected_version=None, now=NOW)

    stored = await store.load(contact_id)

    assert stored is not None
    assert stored.session == Session()
    assert not stored.session.active


async def test_each_save_increments_the_version(store: SqlSessionStore, contact_id: int) -> None:
    first = await store.save(contact_id, in_step("where"), expected_version=None, now=NOW)
    second = await store.save(contact_id, in_step("what"), expected_version=first, now=NOW)
    third = await store.save(contact_id, in_step("when"), expected_version=second, now=NOW)

    stored = await store.load(contact_id)

    assert (first, second, third) == (1, 2, 3)
    assert stored is not None
    assert (stored.version, stored.session.step) == (3, "when")


async def test_saving_as_new_when_a_session_exists_is_stale(
    store: SqlSessionStore, contact_id: int
) -> None:
    await store.save(contact_id, in_step("where"), expected_version=None, now=NOW)

    with pytest.raises(StaleSession):
        await store.save(contact_id, in_step("what"), expected_version=None, now=NOW)

    stored = await store.load(contact_id)
    assert stored is not None
    assert (stored.version, stored.session.step) == (1, "where")


async def test_saving_over_another_version_is_stale(
    store: SqlSessionStore, contact_id: int
) -> None:
    await store.save(contact_id, in_step("where"), expected_version=None, now=NOW)
    await store.save(contact_id, in_step("what"), expected_version=1, now=NOW)

    with pytest.raises(StaleSession) as raised:
        await store.save(contact_id, in_step("when"), expected_version=1, now=NOW)

    assert (raised.value.contact_id, raised.value.expected_version) == (contact_id, 1)
    stored = await store.load(contact_id)
    assert stored is not None
    assert (stored.version, stored.session.step) == (2, "what")


async def test_updating_a_session_that_was_deleted_is_stale(
    store: SqlSessionStore, contact_id: int
) -> None:
    await store.save(contact_id, in_step("where"), expected_version=None, now=NOW)
    await store.delete(contact_id)

    with pytest.raises(StaleSession):
        await store.save(contact_id, in_step("what"), expected_version=1, now=NOW)


async def test_of_two_concurrent_updates_exactly_one_wins(
    store: SqlSessionStore, contact_id: int
) -> None:
    await store.save(contact_id, in_step("where"), expected_version=None, now=NOW)

    results = await asyncio.gather(
        store.save(contact_id, in_step("left"), expected_version=1, now=NOW),
        store.save(contact_id, in_step("right"), expected_version=1, now=NOW),
        return_exceptions=True,
    )

    assert sorted(map(type, results), key=str) == sorted([int, StaleSession], key=str)
    winner = "left" if results[0] == 2 else "right"
    stored = await store.load(contact_id)
    assert stored is not None
    assert (stored.version, stored.session.step) == (2, winner)


async def test_of_two_concurrent_first_saves_exactly_one_wins(
    store: SqlSessionStore, contact_id: int
) -> None:
    results = await asyncio.gather(
        *(
            store.save(contact_id, in_step(f"step{n}"), expected_version=None, now=NOW)
            for n in range(5)
        ),
        return_exceptions=True,
    )

    assert results.count(1) == 1
    assert all(isinstance(result, StaleSession) for result in results if result != 1)


async def test_saving_for_a_contact_that_does_not_exist_says_so(store: SqlSessionStore) -> None:
    with pytest.raises(ContactNotFoundError):
        await store.save(999_999, in_step("where"), expected_version=None, now=NOW)


async def test_updating_the_session_of_a_forgotten_contact_says_so(
    sessionmaker: async_sessionmaker[AsyncSession], store: SqlSessionStore, contact_id: int
) -> None:
    # /forget_me deletes the contact (and with it the session) during the turn: the turn
    # must end there, not run again as it would on a stale session.
    await store.save(contact_id, in_step("where"), expected_version=None, now=NOW)
    assert await ContactRepository(sessionmaker).delete(contact_id)

    assert await store.load(contact_id) is None
    with pytest.raises(ContactNotFoundError):
        await store.save(contact_id, in_step("what"), expected_version=1, now=NOW)
    assert not await ContactRepository(sessionmaker).delete(contact_id)


async def test_delete_forgets_the_session_and_tolerates_none(
    store: SqlSessionStore, contact_id: int
) -> None:
    await store.save(contact_id, in_step("where"), expected_version=None, now=NOW)

    await store.delete(contact_id)
    await store.delete(contact_id)

    assert await store.load(contact_id) is None
    assert await store.save(contact_id, in_step("where"), expected_version=None, now=NOW) == 1


async def test_purge_removes_only_sessions_that_expired_before_now(
    store: SqlSessionStore, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    expired, exactly_now, later, never = [
        await new_contact(sessionmaker, chat_id) for chat_id in (1, 2, 3, 4)
    ]
    expiries = {
        expired: NOW - timedelta(seconds=1),
        exactly_now: NOW,
        later: NOW + timedelta(minutes=5),
        never: None,
    }
    for contact, expires_at in expiries.items():
        await store.save(contact, in_step("x", expires_at), expected_version=None, now=NOW)

    assert await store.purge_expired(NOW) == 1
    assert await store.purge_expired(NOW) == 0

    assert await store.load(expired) is None
    for contact in (exactly_now, later, never):
        assert await store.load(contact) is not None


async def test_purge_compares_instants_not_wall_clocks(
    store: SqlSessionStore, contact_id: int
) -> None:
    # 12:30 in UTC+01:00 is 11:30 UTC: expired at 11:45 UTC, although "12:30" > "11:45".
    paris = timezone(timedelta(hours=1))
    expires_at = datetime(2025, 3, 1, 12, 30, tzinfo=paris)
    await store.save(contact_id, in_step("x", expires_at), expected_version=None, now=NOW)

    purged = await store.purge_expired(datetime(2025, 3, 1, 11, 45, tzinfo=UTC))

    assert purged == 1


async def test_flow_step_and_expiry_are_also_columns(
    store: SqlSessionStore, contact_id: int, engine: AsyncEngine
) -> None:
    session = full_session()
    await store.save(contact_id, session, expected_version=None, now=NOW)

    async with engine.connect() as connection:
        row = (await connection.execute(select(session_table))).one()

    assert (row.flow, row.step, row.expires_at) == ("report", "when", session.expires_at)
    assert row.updated_at == NOW


async def test_naive_datetimes_are_refused(store: SqlSessionStore, contact_id: int) -> None:
    naive = datetime(2025, 3, 1, 12, 0)  # noqa: DTZ001 -- the point of the test

    with pytest.raises(ValueError, match="now must be timezone-aware"):
        await store.save(contact_id, in_step("x"), expected_version=None, now=naive)
    with pytest.raises(ValueError, match="expires_at must be timezone-aware"):
        await store.save(contact_id, in_step("x", naive), expected_version=None, now=NOW)


async def test_sessions_survive_a_restart(database_url: str) -> None:
    before = make_engine(database_url)
    try:
        contact = await new_contact(make_sessionmaker(before), chat_id=77)
        store = SqlSessionStore(make_sessionmaker(before))
        await store.save(contact, full_session(), expected_version=None, now=NOW)
    finally:
        await before.dispose()

    after = make_engine(database_url)
    try:
        stored = await SqlSessionStore(make_sessionmaker(after)).load(contact)
    finally:
        await after.dispose()

    assert stored is not None
    assert (stored.version, stored.session) == (1, full_session())


async def test_expired_sessions_keep_where_the_person_was_but_no_answers(
    store: SqlSessionStore, sessionmaker: async_sessionmaker[AsyncSession], contact_id: int
) -> None:
    quiet = full_session()
    quiet.expires_at = NOW - timedelta(minutes=1)
    await store.save(contact_id, quiet, expected_version=None, now=NOW - timedelta(hours=3))
    still = await new_contact(sessionmaker, chat_id=1002)
    await store.save(still, full_session(), expected_version=None, now=NOW)

    assert await store.forget_expired_answers(NOW) == 1
    assert await store.forget_expired_answers(NOW) == 0, "not stripped twice"
    stripped = await store.load(contact_id)
    assert stripped is not None
    kept = stripped.session
    assert (kept.flow, kept.step, kept.expires_at) == ("report", "when", quiet.expires_at)
    assert (kept.vars, kept.labels, kept.picked, kept.history, kept.stack) == ({}, {}, [], [], [])
    other = await store.load(still)
    assert other is not None
    assert other.session == full_session(), "sessions not yet expired keep their answers"
