"""Evidence with reports: fetched on submit, encrypted, re-encrypted, never in clear."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine import ActionRequested
from bot.services.actions import ActionContext, builtin_actions
from bot.services.clock import FixedClock
from bot.services.evidence_vault import EvidenceVault
from bot.services.helplines import HelplineDirectory, HelplineFinder
from bot.services.reports import ReportCipher, ReportService
from bot.storage import ContactRepository, ReportRepository, make_engine, make_sessionmaker
from bot.storage.evidence import EvidenceRepository
from bot.storage.migrate import upgrade
from tests.conftest import sqlite_url
from tests.evidence_files import PHONE_MAKE, FakeFiles, gps_of, photo_with_gps
from tests.fakes import RecordingSender

NOW = datetime(2026, 11, 21, 14, 30, tzinfo=UTC)
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
# Bytes nobody would send by chance: finding them anywhere in the database is a leak.
SECRET_DOCUMENT = b"%PDF-1.4 Vellichor-Quandary witness statement " + bytes(range(256))
LIMIT = 1024 * 1024


def service(sessionmaker: async_sessionmaker[AsyncSession], *keys: str) -> ReportService:
    cipher = ReportCipher(keys)
    clock = FixedClock(NOW)
    vault = EvidenceVault(EvidenceRepository(sessionmaker), cipher, clock)
    return ReportService(
        ReportRepository(sessionmaker),
        cipher,
        clock,
        choose=random.Random(1).choice,
        evidence=vault,
    )


def answers() -> dict[str, Any]:
    return {
        "story": "shouting",
        "evidence": [
            {"kind": "photo", "file_id": "p1", "size": 900, "mime_type": "image/jpeg"},
            {"kind": "document", "file_id": "d1", "size": 2000, "mime_type": "application/pdf"},
            {"kind": "document", "file_id": "big", "size": 5 * LIMIT, "mime_type": None},
            {"kind": "photo", "file_id": "gone", "size": 10, "mime_type": "image/jpeg"},
        ],
        "contact": "anonymous",
        "consent": "keep",
    }


FILES: dict[str, bytes | Exception] = {
    "p1": photo_with_gps(),
    "d1": SECRET_DOCUMENT,
    "gone": TimeoutError(),
}


async def submit(
    sessionmaker: async_sessionmaker[AsyncSession], reports: ReportService, files: FakeFiles
) -> Any:
    registry = builtin_actions(
        ContactRepository(sessionmaker),
        helplines=HelplineFinder(HelplineDirectory, FixedClock(NOW), Path("locales")),
        reports=reports,
        evidence_max_bytes=LIMIT,
    )
    person = await ContactRepository(sessionmaker).get_or_create(5, now=NOW)
    request = ActionRequested("submit_report", answers(), "report", "submit", "9:report:submit")
    return await registry.run(ActionContext(person, request, RecordingSender(), files))


async def test_a_submitted_report_keeps_its_files_encrypted_and_notes_the_rest(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = service(sessionmaker, NEW_KEY)
    files = FakeFiles(FILES)

    result = await submit(sessionmaker, reports, files)
    again = await submit(sessionmaker, reports, files)  # the turn run again

    assert result.ok, "a file that failed must not lose the report"
    assert again.values == result.values
    # Too big: never fetched. Again: only the file still not fetched is tried once more.
    assert files.asked == ["p1", "d1", "gone", "gone"]
    (report,) = await reports.list()
    assert reports.evidence is not None
    stored = await reports.evidence.list(report.id)
    assert [(e.kind, e.status) for e in stored] == [
        ("photo", "kept"),
        ("document", "kept"),
        ("document", "too_big"),
        ("photo", "not_fetched"),
    ]
    assert stored[2].size == 5 * LIMIT
    photo = await reports.evidence.open(stored[0].id)
    assert photo is not None
    assert gps_of(photo) == {}
    assert PHONE_MAKE.encode() not in photo
    assert await reports.evidence.open(stored[1].id) == SECRET_DOCUMENT
    assert await reports.evidence.open(stored[2].id) is None


async def test_rotation_re_encrypts_evidence_with_the_first_key(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await submit(sessionmaker, service(sessionmaker, OLD_KEY), FakeFiles(FILES))
    rotating = service(sessionmaker, NEW_KEY, OLD_KEY)
    (report,) = await rotating.list()
    assert rotating.evidence is not None
    document_id = (await rotating.evidence.list(report.id))[1].id
    before = await EvidenceRepository(sessionmaker).content(document_id)

    rotation = await rotating.rotate_keys()
    assert (rotation, rotation.skipped_evidence) == (1, 0)

    after = await EvidenceRepository(sessionmaker).content(document_id)
    assert after is not None
    assert after != before
    retired = service(sessionmaker, NEW_KEY)  # the old key is gone now
    assert retired.evidence is not None
    assert await retired.evidence.open(document_id) == SECRET_DOCUMENT


async def test_the_database_file_holds_no_evidence_bytes_in_clear(tmp_path: Path) -> None:
    path = tmp_path / "standby.db"
    url = sqlite_url(path)
    await upgrade(url)
    engine = make_engine(url)
    try:
        sessionmaker = make_sessionmaker(engine)
        await submit(sessionmaker, service(sessionmaker, NEW_KEY), FakeFiles(FILES))
        files = [path, path.with_name(path.name + "-wal")]
        contents = b"".join(file.read_bytes() for file in files if file.exists())
    finally:
        await engine.dispose()
    contents += path.read_bytes()  # after the checkpoint on close, too

    assert b"Vellichor" not in contents
    assert SECRET_DOCUMENT[-64:] not in contents
    assert PHONE_MAKE.encode() not in contents


class Crash(BaseException):
    """The process dying mid-fetch: not an Exception, so nothing on the way catches it."""


class CrashingFiles(FakeFiles):
    async def download(self, file_id: str) -> bytes:
        if file_id == "d1":
            raise Crash
        return await super().download(file_id)


async def test_a_crash_while_fetching_leaves_every_file_noted_and_a_rerun_fetches_them(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reports = service(sessionmaker, NEW_KEY)
    with pytest.raises(Crash):
        await submit(sessionmaker, reports, CrashingFiles(FILES))

    (report,) = await reports.list()
    assert reports.evidence is not None
    noted = await reports.evidence.list(report.id)
    # Every attachment has its row even though the bot died at the second file.
    assert [e.status for e in noted] == ["kept", "not_fetched", "too_big", "not_fetched"]
    assert noted[0].created_at == noted[1].created_at == report.created_at  # the day only

    files = FakeFiles(FILES)
    result = await submit(sessionmaker, reports, files)  # the turn run again

    assert result.ok
    assert files.asked == ["d1", "gone"], "only the files still not fetched"
    stored = await reports.evidence.list(report.id)
    assert [e.id for e in stored] == [e.id for e in noted]
    assert [e.status for e in stored] == ["kept", "kept", "too_big", "not_fetched"]
    assert await reports.evidence.open(stored[1].id) == SECRET_DOCUMENT
    assert len(await reports.list()) == 1


async def test_rotation_skips_and_counts_evidence_no_key_opens(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await submit(sessionmaker, service(sessionmaker, OLD_KEY), FakeFiles(FILES))
    (report,) = await service(sessionmaker, OLD_KEY).list()
    document_id = (await EvidenceRepository(sessionmaker).list_for(report.id))[1].id
    stranger = ReportCipher([Fernet.generate_key().decode()]).seal_bytes(b"lost")
    before = await EvidenceRepository(sessionmaker).content(document_id)
    assert before is not None
    assert await EvidenceRepository(sessionmaker).replace_content(document_id, before, stranger)

    rotation = await service(sessionmaker, NEW_KEY, OLD_KEY).rotate_keys()

    assert (rotation, rotation.skipped, rotation.skipped_evidence) == (1, 0, 1)
    assert await EvidenceRepository(sessionmaker).content(document_id) == stranger
    photo_id = (await EvidenceRepository(sessionmaker).list_for(report.id))[0].id
    assert await service(sessionmaker, NEW_KEY).evidence.open(photo_id) is not None  # type: ignore[union-attr]
