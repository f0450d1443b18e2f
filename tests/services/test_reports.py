"""ReportService and the submit_report action: encryption, codes, rotation, retention."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import ActionRequested
from bot.services.actions import ActionContext, builtin_actions
from bot.services.clock import FixedClock
from bot.services.helplines import HelplineDirectory, HelplineFinder
from bot.services.reports import (
    REFERENCE_ALPHABET,
    ReportCipher,
    ReportKeyError,
    ReportService,
    ReportsUnavailableError,
    new_reference,
    normalise_reference,
    reference_hash,
    wrap_legacy_hash,
)
from bot.storage import (
    ContactRecord,
    ContactRepository,
    ReportRepository,
    make_engine,
    make_sessionmaker,
)
from bot.storage.migrate import upgrade
from bot.storage.tables import metadata
from tests.conftest import sqlite_url
from tests.fakes import RecordingSender

NOW = datetime(2026, 11, 21, 14, 30, tzinfo=UTC)
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
# Words nobody would type by chance, so finding them anywhere means a leak.
SECRET_WORDS = ("Quillhaven", "zebrafinch", "Marrowgate")
ANSWERS: dict[str, Any] = {
    "reporter": "victim",
    "about": ["race", "religion"],
    "story": f"Two men near {SECRET_WORDS[0]} shouted about a {SECRET_WORDS[1]}.",
    "area": SECRET_WORDS[2],
    "date": "2026-11-20",
    "evidence": None,
    "contact": "anonymous",
}


def service(
    sessionmaker: async_sessionmaker[AsyncSession],
    *keys: str,
    clock: FixedClock | None = None,
    seed: int = 1,
) -> ReportService:
    cipher = ReportCipher(keys) if keys else None
    choose = random.Random(seed).choice
    return ReportService(
        ReportRepository(sessionmaker), cipher, clock or FixedClock(NOW), choose=choose
    )


async def contact(
    sessionmaker: async_sessionmaker[AsyncSession], chat_id: int = 5
) -> ContactRecord:
    return await ContactRepository(sessionmaker).get_or_create(chat_id, now=NOW)


# --- reference codes -------------------------------------------------------------------


def test_codes_are_three_groups_of_four_without_ambiguous_characters() -> None:
    code = new_reference()
    groups = code.split("-")
    assert [len(group) for group in groups] == [4, 4, 4]
    assert set("".join(groups)) <= set(REFERENCE_ALPHABET)
    assert not set("01OIL") & set(REFERENCE_ALPHABET)


def test_codes_are_normalised_from_what_people_type() -> None:
    assert normalise_reference(" k7qd 94xf-tmra ") == "K7QD94XFTMRA"
    assert reference_hash("k7qd94xf tmra") == reference_hash("K7QD-94XF-TMRA")
    assert normalise_reference("K7QD-94XF-TMR0") is None  # 0 is never in a code
    assert normalise_reference("K7QD-94XF") is None


# --- submitting and reading ------------------------------------------------------------


async def test_a_report_round_trips_and_is_found_by_its_code(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = service(sessionmaker, NEW_KEY)
    person = await contact(sessionmaker)

    code = await reports.submit(ANSWERS, consent="partner", anonymous=False, contact=person)

    found = await reports.find(code.lower().replace("-", " "))
    assert found is not None
    assert (found.consent, found.status, found.contact_id) == ("partner", "new", person.id)
    assert found.reference_hash == reference_hash(code)
    assert reports.open(found).answers == ANSWERS
    assert await reports.find("K7QD-94XF-TMRA") is None


async def test_an_anonymous_report_has_no_link_to_the_chat(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = service(sessionmaker, NEW_KEY)

    code = await reports.submit(
        ANSWERS, consent="keep", anonymous=True, contact=await contact(sessionmaker)
    )

    found = await reports.find(code)
    assert found is not None
    assert found.contact_id is None


async def test_submitting_the_same_turn_again_stores_one_report_with_one_code(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = service(sessionmaker, NEW_KEY)
    person = await contact(sessionmaker)
    other = await contact(sessionmaker, chat_id=6)

    first = await reports.submit(
        ANSWERS, consent="keep", anonymous=True, contact=person, key="7:report:submit"
    )
    again = await reports.submit(
        ANSWERS, consent="keep", anonymous=True, contact=person, key="7:report:submit"
    )
    # The same turn number in someone else's conversation is another report.
    theirs = await reports.submit(
        ANSWERS, consent="keep", anonymous=True, contact=other, key="7:report:submit"
    )

    assert first == again != theirs
    assert len(await reports.list()) == 2


async def test_submission_keys_are_cleared_after_the_retry_window(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = FixedClock(NOW)
    reports = service(sessionmaker, NEW_KEY, clock=clock)
    await reports.submit(
        ANSWERS, consent="keep", anonymous=True, contact=await contact(sessionmaker), key="1:r:s"
    )

    assert await reports.forget_submissions(clock.now()) == 0
    # Anonymous: the row says only the day, so the window runs from the end of that day.
    clock.advance(timedelta(hours=2))
    assert await reports.forget_submissions(clock.now()) == 0
    clock.advance(timedelta(days=1))
    assert await reports.forget_submissions(clock.now()) == 1

    (stored,) = await reports.list()
    assert (stored.submission_key, stored.submission_reference) == (None, None)


async def test_without_keys_nothing_is_stored_and_reading_fails_clearly(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = service(sessionmaker)

    assert not reports.available
    with pytest.raises(ReportsUnavailableError, match="REPORT_KEYS"):
        await reports.submit(
            ANSWERS, consent="keep", anonymous=True, contact=await contact(sessionmaker)
        )
    assert await reports.list() == []


async def test_a_report_cannot_be_read_with_a_key_it_was_not_encrypted_with(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    code = await service(sessionmaker, OLD_KEY).submit(
        ANSWERS, consent="keep", anonymous=True, contact=await contact(sessionmaker)
    )
    stranger = service(sessionmaker, NEW_KEY)
    found = await stranger.find(code)
    assert found is not None

    with pytest.raises(ReportKeyError, match="REPORT_KEYS"):
        stranger.open(found)
    with pytest.raises(ReportKeyError):
        await stranger.check_keys()
    rotation = await stranger.rotate_keys()
    assert (rotation, rotation.skipped) == (0, 1)


async def test_rotation_re_encrypts_with_the_first_key(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    code = await service(sessionmaker, OLD_KEY).submit(
        ANSWERS, consent="police", anonymous=True, contact=await contact(sessionmaker)
    )
    rotating = service(sessionmaker, NEW_KEY, OLD_KEY)
    before = await rotating.find(code)
    assert before is not None
    assert rotating.open(before).answers == ANSWERS  # the old key still reads it

    assert await rotating.rotate_keys() == 1

    after = await rotating.find(code)
    assert after is not None
    assert after.payload != before.payload
    assert json.loads(Fernet(NEW_KEY).decrypt(after.payload.encode()))["answers"] == ANSWERS
    assert service(sessionmaker, NEW_KEY).open(after).answers == ANSWERS  # old key retired
    assert after.updated_at == before.updated_at


async def test_purge_deletes_reports_older_than_the_retention_at_a_fixed_clock(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # Anonymous reports keep only their day: retention still counts from it.
    clock = FixedClock(NOW - timedelta(days=366))
    reports = service(sessionmaker, NEW_KEY, clock=clock)
    person = await contact(sessionmaker)
    await reports.submit(ANSWERS, consent="keep", anonymous=True, contact=person)
    clock.advance(timedelta(days=2))
    kept = await reports.submit(ANSWERS, consent="keep", anonymous=True, contact=person)

    assert await reports.purge(NOW - timedelta(days=365)) == 1

    assert [r.reference_hash for r in await reports.list()] == [reference_hash(kept)]


# --- the action ------------------------------------------------------------------------


def request(**params: Any) -> ActionRequested:
    return ActionRequested("submit_report", params, "report", "submit", "12:report:submit")


def registry(sessionmaker: async_sessionmaker[AsyncSession], reports: ReportService | None) -> Any:
    finder = HelplineFinder(HelplineDirectory, FixedClock(NOW), Path("locales"))
    return builtin_actions(ContactRepository(sessionmaker), helplines=finder, reports=reports)


async def test_submit_report_through_the_registry_returns_the_reference(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = service(sessionmaker, NEW_KEY)
    actions = registry(sessionmaker, reports)
    person = await contact(sessionmaker)
    params = {**ANSWERS, "contact": "contactable", "consent": "police"}

    result = await actions.run(ActionContext(person, request(**params), RecordingSender()))
    again = await actions.run(ActionContext(person, request(**params), RecordingSender()))

    assert result.ok
    assert again.values == result.values
    (stored,) = await reports.list()
    assert (stored.consent, stored.contact_id) == ("police", person.id)
    answers = reports.open(stored).answers
    assert answers == {**ANSWERS, "contact": "contactable"}  # consent is a column, not an answer
    assert await reports.find(str(result.values["reference"])) == stored


@pytest.mark.parametrize("contact_answer", ["anonymous", None, "something else"])
async def test_submit_report_is_anonymous_unless_contact_was_allowed(
    sessionmaker: async_sessionmaker[AsyncSession], contact_answer: str | None
) -> None:
    reports = service(sessionmaker, NEW_KEY)
    params = {**ANSWERS, "contact": contact_answer, "consent": "keep"}

    result = await registry(sessionmaker, reports).run(
        ActionContext(await contact(sessionmaker), request(**params), RecordingSender())
    )

    assert result.ok
    (stored,) = await reports.list()
    assert stored.contact_id is None


@pytest.mark.parametrize("keys", [(), (NEW_KEY,)])
async def test_submit_report_fails_without_keys_or_consent(
    sessionmaker: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
    keys: tuple[str, ...],
) -> None:
    reports = service(sessionmaker, *keys)
    params = {**ANSWERS, "consent": "keep" if not keys else "everyone"}

    result = await registry(sessionmaker, reports).run(
        ActionContext(await contact(sessionmaker), request(**params), RecordingSender())
    )
    unwired = await registry(sessionmaker, None).run(
        ActionContext(await contact(sessionmaker), request(**params), RecordingSender())
    )

    assert not result.ok
    assert not unwired.ok
    assert await reports.list() == []
    for word in SECRET_WORDS:
        assert word not in caplog.text


# --- the database-grep test -------------------------------------------------------------


async def submit_secret_report(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
    reports = service(sessionmaker, NEW_KEY)
    return await reports.submit(
        ANSWERS,
        consent="partner",
        anonymous=False,
        contact=await contact(sessionmaker),
        key="3:report:submit",
    )


def leaks(text: str, code: str) -> list[str]:
    needles = [*SECRET_WORDS, code, code.replace("-", "")]
    return [needle for needle in needles if needle.casefold() in text.casefold()]


async def test_the_database_file_holds_none_of_a_reports_words(tmp_path: Path) -> None:
    path = tmp_path / "standby.db"
    url = sqlite_url(path)
    await upgrade(url)
    engine = make_engine(url)
    try:
        code = await submit_secret_report(make_sessionmaker(engine))
        files = [path, path.with_name(path.name + "-wal")]
        contents = b"".join(file.read_bytes() for file in files if file.exists())
    finally:
        await engine.dispose()
    contents += path.read_bytes()  # after the checkpoint on close, too

    assert leaks(contents.decode("latin-1"), code) == []


async def test_no_text_column_of_any_table_holds_a_reports_words(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    code = await submit_secret_report(sessionmaker)

    everything: list[str] = []
    async with sessionmaker() as session:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if columns:
                rows = await session.execute(select(*columns))
                everything += [str(value) for row in rows for value in row]
    assert everything  # the report's own columns were read
    assert leaks("\n".join(everything), code) == []


# --- the security review ---------------------------------------------------------------


async def test_the_reference_hash_is_a_slow_scrypt_not_a_plain_sha256(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = service(sessionmaker, NEW_KEY)
    code = await reports.submit(
        ANSWERS, consent="keep", anonymous=True, contact=await contact(sessionmaker)
    )
    normalised = code.replace("-", "").encode()
    legacy = hashlib.sha256(normalised).hexdigest()
    expected = hashlib.scrypt(
        legacy.encode(), salt=b"standby reference code v1", n=2**14, r=8, p=1, dklen=32
    ).hex()

    (stored,) = await reports.list()
    assert stored.reference_hash == reference_hash(code) == expected
    assert legacy != stored.reference_hash
    assert wrap_legacy_hash(legacy) == stored.reference_hash  # what a migration would do
    assert await reports.find(code.lower()) == stored


async def test_an_anonymous_report_keeps_only_the_day_in_the_row_and_its_tokens(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = FixedClock(NOW)  # 14:30
    reports = service(sessionmaker, NEW_KEY, clock=clock)
    person = await contact(sessionmaker)
    anonymous = await reports.submit(
        ANSWERS, consent="keep", anonymous=True, contact=person, key="1:r:s"
    )
    named = await reports.submit(
        ANSWERS, consent="keep", anonymous=False, contact=person, key="2:r:s"
    )
    day = datetime(2026, 11, 21, tzinfo=UTC)

    stored = await reports.find(anonymous)
    assert stored is not None
    assert stored.created_at == stored.updated_at == day
    assert stored.submission_reference is not None
    for token in (stored.payload, stored.submission_reference):
        assert Fernet(NEW_KEY).extract_timestamp(token.encode()) == int(day.timestamp())
    # Someone who may be contacted is tied to the chat anyway: their times stay exact.
    linked = await reports.find(named)
    assert linked is not None
    assert linked.created_at == NOW

    clock.advance(timedelta(hours=3))
    changed = await reports.withdraw(anonymous, asker=person.id)
    assert changed.updated_at == day
    assert (await reports.find(anonymous) or pytest.fail("gone")).updated_at == day


async def test_checking_keys_opens_the_oldest_report_too_and_says_which(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = FixedClock(NOW - timedelta(days=30))
    person = await contact(sessionmaker)
    await service(sessionmaker, OLD_KEY, clock=clock).submit(
        ANSWERS, consent="keep", anonymous=False, contact=person
    )
    clock.advance(timedelta(days=30))
    await service(sessionmaker, NEW_KEY, clock=clock, seed=2).submit(
        ANSWERS, consent="keep", anonymous=False, contact=person
    )

    await service(sessionmaker, NEW_KEY, OLD_KEY).check_keys()
    with pytest.raises(ReportKeyError, match="oldest"):
        await service(sessionmaker, NEW_KEY).check_keys()  # the old key removed too soon
    with pytest.raises(ReportKeyError, match="newest"):
        await service(sessionmaker, OLD_KEY).check_keys()


async def test_rotation_skips_and_counts_reports_no_key_opens(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    person = await contact(sessionmaker)
    lost = await service(sessionmaker, Fernet.generate_key().decode()).submit(
        ANSWERS, consent="keep", anonymous=True, contact=person
    )
    code = await service(sessionmaker, OLD_KEY, seed=2).submit(
        ANSWERS, consent="keep", anonymous=True, contact=person
    )
    rotating = service(sessionmaker, NEW_KEY, OLD_KEY)
    unreadable = await rotating.find(lost)

    rotation = await rotating.rotate_keys()

    assert (rotation, rotation.skipped, rotation.skipped_evidence) == (1, 1, 0)
    assert await rotating.find(lost) == unreadable  # left as it was
    rotated = await rotating.find(code)
    assert rotated is not None
    assert service(sessionmaker, NEW_KEY).open(rotated).answers == ANSWERS
