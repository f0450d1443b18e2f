"""ReportRepository: the same contract on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage import ContactRepository, NewReport, ReportRepository
from bot.storage.tables import contact_table

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def new(hash_: str = "a" * 64, **changes: object) -> NewReport:
    fields: dict[str, object] = {
        "reference_hash": hash_,
        "contact_id": None,
        "consent": "keep",
        "payload": "token-1",
    }
    fields.update(changes)
    return NewReport(**fields)  # type: ignore[arg-type]


async def test_added_reports_are_found_by_id_and_reference_hash(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)

    added = await reports.add(new(consent="police"), now=NOW)

    assert added is not None
    assert (added.consent, added.status, added.contact_id, added.payload) == (
        "police",
        "new",
        None,
        "token-1",
    )
    assert added.created_at == added.updated_at == NOW
    assert await reports.get(added.id) == added
    assert await reports.find_by_reference("a" * 64) == added
    assert await reports.find_by_reference("b" * 64) is None


async def test_a_report_keeps_its_contact_and_loses_the_link_when_the_contact_goes(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    contact = await ContactRepository(sessionmaker).get_or_create(77, now=NOW)
    reports = ReportRepository(sessionmaker)
    added = await reports.add(new(contact_id=contact.id), now=NOW)
    assert added is not None
    assert added.contact_id == contact.id

    async with sessionmaker() as session, session.begin():
        await session.execute(delete(contact_table).where(contact_table.c.id == contact.id))

    kept = await reports.get(added.id)
    assert kept is not None
    assert kept.contact_id is None


async def test_one_submission_key_stores_one_report(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)

    first = await reports.add(new("a" * 64, submission_key="k" * 64), now=NOW)
    second = await reports.add(new("b" * 64, submission_key="k" * 64), now=NOW)

    assert first is not None
    assert second is None
    assert await reports.find_by_submission("k" * 64) == first
    assert len(await reports.list_since()) == 1


async def test_reports_without_submission_keys_do_not_clash(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)

    assert await reports.add(new("a" * 64), now=NOW) is not None
    assert await reports.add(new("b" * 64), now=NOW) is not None


async def test_a_reference_hash_given_twice_is_an_error(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)
    await reports.add(new("a" * 64), now=NOW)

    with pytest.raises(IntegrityError):
        await reports.add(new("a" * 64), now=NOW)


async def test_update_changes_what_is_given_and_stamps_the_time(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)
    added = await reports.add(new(), now=NOW)
    assert added is not None
    later = NOW + timedelta(days=2)

    assert await reports.update(added.id, now=later, consent="partner", status="withdrawn")
    assert await reports.update(added.id, now=later, payload="token-2")
    assert not await reports.update(added.id + 100, now=later, status="withdrawn")

    changed = await reports.get(added.id)
    assert changed is not None
    assert (changed.consent, changed.status, changed.payload) == ("partner", "withdrawn", "token-2")
    assert (changed.created_at, changed.updated_at) == (NOW, later)


@pytest.mark.parametrize(("field", "value"), [("consent", "everyone"), ("status", "lost")])
async def test_unknown_consent_or_status_is_refused(
    sessionmaker: async_sessionmaker[AsyncSession], field: str, value: str
) -> None:
    with pytest.raises(ValueError, match=field):
        await ReportRepository(sessionmaker).add(new(**{field: value}), now=NOW)


async def test_replace_payload_only_swaps_an_unchanged_payload(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)
    added = await reports.add(new(), now=NOW)
    assert added is not None

    assert not await reports.replace_payload(added.id, "token-old", "token-3")
    assert await reports.replace_payload(added.id, "token-1", "token-3")

    swapped = await reports.get(added.id)
    assert swapped is not None
    assert (swapped.payload, swapped.updated_at) == ("token-3", NOW)


async def test_list_since_is_oldest_first_and_newest_is_the_last(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)
    assert await reports.newest() is None
    assert not await reports.any()
    for day, hash_ in enumerate(["c", "a", "b"]):
        await reports.add(new(hash_ * 64), now=NOW + timedelta(days=day))

    every = await reports.list_since()
    recent = await reports.list_since(NOW + timedelta(days=1))
    newest = await reports.newest()

    assert [r.reference_hash[0] for r in every] == ["c", "a", "b"]
    assert [r.reference_hash[0] for r in recent] == ["a", "b"]
    assert newest is not None
    assert newest.reference_hash[0] == "b"
    assert await reports.any()


async def test_delete_and_purge(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    reports = ReportRepository(sessionmaker)
    old = await reports.add(new("a" * 64), now=NOW - timedelta(days=400))
    kept = await reports.add(new("b" * 64), now=NOW - timedelta(days=10))
    gone = await reports.add(new("c" * 64), now=NOW)
    assert old is not None
    assert kept is not None
    assert gone is not None

    assert await reports.delete(gone.id)
    assert not await reports.delete(gone.id)
    assert await reports.purge(NOW - timedelta(days=365)) == 1

    assert [r.id for r in await reports.list_since()] == [kept.id]


async def test_forget_submissions_clears_old_keys_only(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = ReportRepository(sessionmaker)
    await reports.add(
        new("a" * 64, submission_key="1" * 64, submission_reference="sealed"),
        now=NOW - timedelta(hours=2),
    )
    await reports.add(new("b" * 64, submission_key="2" * 64), now=NOW)

    assert await reports.forget_submissions(NOW - timedelta(hours=1)) == 1

    old, recent = await reports.list_since()
    assert (old.submission_key, old.submission_reference) == (None, None)
    assert recent.submission_key == "2" * 64


async def test_naive_times_are_refused(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    with pytest.raises(ValueError, match="now"):
        await ReportRepository(sessionmaker).add(new(), now=datetime(2026, 1, 1))  # noqa: DTZ001
