"""EvidenceRepository: the same contract on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage import NewReport, ReportRepository
from bot.storage.evidence import EvidenceRepository, NewEvidence

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def a_report(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    report = NewReport(reference_hash="a" * 64, contact_id=None, consent="keep", payload="t")
    added = await ReportRepository(sessionmaker).add(report, now=NOW)
    assert added is not None
    return added.id


async def test_files_are_listed_without_content_and_read_one_by_one(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    evidence = EvidenceRepository(sessionmaker)
    report_id = await a_report(sessionmaker)
    blob = bytes(range(256)) * 10  # every byte value, NUL included

    first = await evidence.add(
        report_id, NewEvidence("photo", "image/jpeg", 2560, "kept", blob), now=NOW
    )
    second = await evidence.add(
        report_id, NewEvidence("document", "application/pdf", 30_000_000, "too_big"), now=NOW
    )

    listed = await evidence.list_for(report_id)
    assert [(e.id, e.kind, e.mime, e.size, e.status) for e in listed] == [
        (first, "photo", "image/jpeg", 2560, "kept"),
        (second, "document", "application/pdf", 30_000_000, "too_big"),
    ]
    assert listed[0].created_at == NOW
    assert await evidence.content(first) == blob
    assert await evidence.content(second) is None
    assert await evidence.kept_ids() == [first]
    assert await evidence.list_for(report_id + 1) == []


async def test_replace_content_only_swaps_unchanged_content(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    evidence = EvidenceRepository(sessionmaker)
    file_id = await evidence.add(
        await a_report(sessionmaker), NewEvidence("photo", None, 1, "kept", b"old"), now=NOW
    )

    assert not await evidence.replace_content(file_id, b"other", b"new")
    assert await evidence.replace_content(file_id, b"old", b"new")
    assert await evidence.content(file_id) == b"new"


async def test_files_go_with_their_report(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    evidence = EvidenceRepository(sessionmaker)
    report_id = await a_report(sessionmaker)
    file_id = await evidence.add(report_id, NewEvidence("photo", None, 1, "kept", b"x"), now=NOW)

    assert await ReportRepository(sessionmaker).delete(report_id)

    assert await evidence.list_for(report_id) == []
    assert await evidence.content(file_id) is None


async def test_unknown_kind_or_status_is_refused(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    evidence = EvidenceRepository(sessionmaker)
    report_id = await a_report(sessionmaker)
    with pytest.raises(ValueError, match="kind"):
        await evidence.add(report_id, NewEvidence("video", None, 1, "kept"), now=NOW)
    with pytest.raises(ValueError, match="status"):
        await evidence.add(report_id, NewEvidence("photo", None, 1, "lost"), now=NOW)
