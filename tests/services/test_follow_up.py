"""Following a report up by its code, the wrong-code limit, and forgetting a contact."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import ActionRequested, Session
from bot.services.actions import ActionContext, ActionRegistry
from bot.services.clock import FixedClock
from bot.services.code_attempts import WrongCodeLimit
from bot.services.reports import ReportNotFoundError, ReportService, TooManyWrongCodesError
from bot.storage import ContactRecord, ContactRepository, MessageLog, SqlSessionStore
from bot.storage.tables import chat_message_table, contact_table, report_table, session_table
from tests.fakes import RecordingSender
from tests.services.test_reports import ANSWERS, NEW_KEY, NOW, contact, registry, service

UNKNOWN = "K7QD-94XF-TMRA"
ADDED = "They came back on Tuesday with a Quillhaven flag."
NOTHING = {"contact": 0, "session": 0, "chat_message": 0, "report": 0}


async def submitted(
    reports: ReportService, person: ContactRecord, *, anonymous: bool = False
) -> str:
    return await reports.submit(ANSWERS, consent="partner", anonymous=anonymous, contact=person)


# --- by code -----------------------------------------------------------------------------


async def test_information_added_is_dated_and_encrypted_after_the_answers(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = FixedClock(NOW)
    reports = service(sessionmaker, NEW_KEY, clock=clock)
    person = await contact(sessionmaker)
    code = await submitted(reports, person)
    clock.advance(timedelta(days=1))

    changed = await reports.add_information(code.lower(), ADDED, asker=person.id)

    assert ADDED not in changed.payload
    opened = reports.open(changed)
    assert opened.answers == ANSWERS
    assert opened.additions == [{"at": (NOW + timedelta(days=1)).isoformat(), "text": ADDED}]
    assert changed.updated_at == NOW + timedelta(days=1)
    assert await reports.find(code) == changed


async def test_consent_changes_and_withdrawing_shares_with_nobody(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = service(sessionmaker, NEW_KEY)
    person = await contact(sessionmaker)
    code = await submitted(reports, person)

    police = await reports.set_consent(code, "police", asker=person.id)
    withdrawn = await reports.withdraw(code, asker=person.id)
    shared_again = await reports.set_consent(code, "partner", asker=person.id)

    assert (police.consent, police.status) == ("police", "new")
    assert (withdrawn.consent, withdrawn.status) == ("keep", "withdrawn")
    assert (shared_again.consent, shared_again.status) == ("partner", "new")
    assert await reports.find(code) == shared_again


async def test_a_deleted_report_is_gone_for_good(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = service(sessionmaker, NEW_KEY)
    person = await contact(sessionmaker)
    code = await submitted(reports, person)
    kept = await submitted(reports, person)

    await reports.delete(code, asker=person.id)

    assert await reports.find(code) is None
    assert await reports.find(kept) is not None
    with pytest.raises(ReportNotFoundError):
        await reports.withdraw(code, asker=person.id)


async def test_after_five_wrong_codes_even_the_right_one_waits_an_hour(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = FixedClock(NOW)
    reports = service(sessionmaker, NEW_KEY, clock=clock)
    person = await contact(sessionmaker)
    other = await contact(sessionmaker, chat_id=6)
    code = await submitted(reports, person)

    for wrong in [UNKNOWN, "not a code", UNKNOWN, UNKNOWN, UNKNOWN]:
        with pytest.raises(ReportNotFoundError):
            await reports.look_up(wrong, asker=person.id)
    with pytest.raises(TooManyWrongCodesError):
        await reports.look_up(code, asker=person.id)
    assert (await reports.look_up(code, asker=other.id)).consent == "partner"  # per contact

    clock.advance(timedelta(hours=1))
    assert (await reports.look_up(code, asker=person.id)).status == "new"


def test_the_wrong_code_limit_slides_and_forgets() -> None:
    limit = WrongCodeLimit(allowed=2, window=timedelta(minutes=10))
    limit.record_wrong(1, NOW)
    limit.record_wrong(1, NOW + timedelta(minutes=5))
    assert limit.blocked(1, NOW + timedelta(minutes=9))
    assert not limit.blocked(1, NOW + timedelta(minutes=10))  # the first try aged out
    assert not limit.blocked(2, NOW)
    limit.record_wrong(1, NOW + timedelta(minutes=10))
    limit.forget(1)
    assert not limit.blocked(1, NOW + timedelta(minutes=10))


# --- forgetting a contact ----------------------------------------------------------------


async def rows_of(
    sessionmaker: async_sessionmaker[AsyncSession], person: ContactRecord
) -> dict[str, int]:
    """How many rows of each table still belong to `person`."""
    counted = {
        "contact": select(func.count()).where(contact_table.c.id == person.id),
        "session": select(func.count()).where(session_table.c.contact_id == person.id),
        "chat_message": select(func.count()).where(chat_message_table.c.contact_id == person.id),
        "report": select(func.count()).where(report_table.c.contact_id == person.id),
    }
    async with sessionmaker() as session:
        return {name: int((await session.execute(q)).scalar_one()) for name, q in counted.items()}


async def someone_with_everything(
    sessionmaker: async_sessionmaker[AsyncSession], reports: ReportService
) -> tuple[ContactRecord, str, str]:
    person = await contact(sessionmaker)
    await SqlSessionStore(sessionmaker).save(person.id, Session(), expected_version=None, now=NOW)
    await MessageLog(sessionmaker).record(person.id, [10, 11], now=NOW, from_bot=True)
    linked = await submitted(reports, person)
    anonymous = await submitted(reports, person, anonymous=True)
    return person, linked, anonymous


def forget_me(person: ContactRecord, choice: str) -> ActionContext:
    request = ActionRequested("forget_me", {"reports": choice}, "forget_me", "forget", "3:f:f")
    return ActionContext(person, request, RecordingSender())


async def test_forgetting_and_unlinking_keeps_the_reports_tied_to_nobody(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = service(sessionmaker, NEW_KEY)
    person, linked, anonymous = await someone_with_everything(sessionmaker, reports)
    context = forget_me(person, "unlink")

    result = await registry(sessionmaker, reports).run(context)

    assert result.ok
    assert context.sender.erased == [person.id]  # type: ignore[attr-defined]
    assert await rows_of(sessionmaker, person) == NOTHING
    for code in (linked, anonymous):
        found = await reports.find(code)
        assert found is not None
        assert found.contact_id is None
    assert await ContactRepository(sessionmaker).get_by_chat(person.chat_id) is None


async def test_forgetting_and_deleting_leaves_nothing_of_the_person(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = service(sessionmaker, NEW_KEY)
    person, linked, anonymous = await someone_with_everything(sessionmaker, reports)

    result = await registry(sessionmaker, reports).run(forget_me(person, "delete"))

    assert result.ok
    assert await rows_of(sessionmaker, person) == NOTHING
    assert await reports.find(linked) is None
    # Tied to nobody from the start, so not theirs to find: only its code reaches it.
    assert await reports.find(anonymous) is not None
    again = await ContactRepository(sessionmaker).get_or_create(person.chat_id, now=NOW)
    assert again.id != person.id


async def test_forget_me_refuses_an_unknown_choice_and_keeps_everything(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = service(sessionmaker, NEW_KEY)
    person, _, _ = await someone_with_everything(sessionmaker, reports)

    result = await registry(sessionmaker, reports).run(forget_me(person, "everything"))

    assert not result.ok
    assert (await rows_of(sessionmaker, person))["contact"] == 1


# --- the actions -------------------------------------------------------------------------


def asked(name: str, **params: Any) -> ActionRequested:
    return ActionRequested(name, params, "myreport", name, f"1:myreport:{name}")


async def run(
    actions: ActionRegistry, person: ContactRecord, name: str, **params: Any
) -> dict[str, Any]:
    result = await actions.run(ActionContext(person, asked(name, **params), RecordingSender()))
    assert result.ok, name
    return dict(result.values)


async def test_the_follow_up_actions_through_the_registry(
    sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    reports = service(sessionmaker, NEW_KEY)
    actions = registry(sessionmaker, reports)
    person = await contact(sessionmaker)
    code = await submitted(reports, person)

    assert await run(actions, person, "find_my_report", code=UNKNOWN) == {
        "report_lookup": "not_found"
    }
    assert await run(actions, person, "find_my_report", code=code) == {
        "report_lookup": "found",
        "report_status": "new",
        "report_consent": "partner",
    }
    added = await run(actions, person, "add_to_report", code=code, text=ADDED)
    police = await run(actions, person, "change_report_consent", code=code, consent="police")
    withdrawn = await run(actions, person, "withdraw_report", code=code)
    assert added == {"report_status": "new", "report_consent": "partner"}
    assert police == {"report_status": "new", "report_consent": "police"}
    assert withdrawn == {"report_status": "withdrawn", "report_consent": "keep"}
    assert await run(actions, person, "forget") == {}
    assert await run(actions, person, "delete_report", code=code) == {}
    assert await reports.find(code) is None

    for secret in (code, code.replace("-", ""), ADDED, UNKNOWN):
        assert secret not in caplog.text
    # A contact next to the moment a report changed would tie the report to the chat.
    follow_ups = [r for r in caplog.records if r.name == "bot.services.follow_up"]
    assert [r.getMessage() for r in follow_ups if r.levelno >= logging.INFO] == [
        "add_to_report done",
        "change_report_consent done",
        "withdraw_report done",
        "delete_report done",
    ]
    assert not any("contact" in r.getMessage() for r in follow_ups)


async def test_an_anonymous_reports_additions_are_dated_to_the_day(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = FixedClock(NOW)
    reports = service(sessionmaker, NEW_KEY, clock=clock)
    person = await contact(sessionmaker)
    code = await submitted(reports, person, anonymous=True)
    clock.advance(timedelta(days=1, hours=3))
    day = datetime(2026, 11, 22, tzinfo=UTC)

    changed = await reports.add_information(code, ADDED, asker=person.id)

    assert reports.open(changed).additions == [{"at": day.isoformat(), "text": ADDED}]
    assert changed.updated_at == day
    token = changed.payload.encode()
    assert Fernet(NEW_KEY).extract_timestamp(token) == int(day.timestamp())


async def test_wrong_codes_make_the_lookup_say_wait_and_changes_fail(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = service(sessionmaker, NEW_KEY)
    actions = registry(sessionmaker, reports)
    person = await contact(sessionmaker)
    code = await submitted(reports, person)
    for _ in range(5):
        await run(actions, person, "find_my_report", code=UNKNOWN)

    assert await run(actions, person, "find_my_report", code=code) == {"report_lookup": "wait"}
    withdrawing = ActionContext(person, asked("withdraw_report", code=code), RecordingSender())
    assert not (await actions.run(withdrawing)).ok
    assert (await reports.find(code) or pytest.fail("gone")).status == "new"


@pytest.mark.parametrize("consent", ["everyone", None])
async def test_changing_consent_to_something_unknown_fails(
    sessionmaker: async_sessionmaker[AsyncSession], consent: str | None
) -> None:
    reports = service(sessionmaker, NEW_KEY)
    person = await contact(sessionmaker)
    code = await submitted(reports, person)
    request = asked("change_report_consent", code=code, consent=consent)

    result = await registry(sessionmaker, reports).run(
        ActionContext(person, request, RecordingSender())
    )

    assert not result.ok
    assert (await reports.find(code) or pytest.fail("gone")).consent == "partner"
