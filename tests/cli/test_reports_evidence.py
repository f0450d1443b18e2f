"""`standby reports show` lists evidence without bytes; `export --evidence DIR` writes it."""

from __future__ import annotations

import asyncio
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from bot.cli import app
from bot.services.clock import FixedClock
from bot.services.evidence import EvidenceFetcher
from bot.services.evidence_vault import EvidenceVault
from bot.services.reports import ReportCipher, ReportService
from bot.storage import ContactRepository, ReportRepository, make_engine, make_sessionmaker
from bot.storage.evidence import EvidenceRepository
from tests.evidence_files import FakeFiles, gps_of, photo_with_gps

runner = CliRunner()
KEY = Fernet.generate_key().decode()
DOCUMENT = b"%PDF-1.4 statement \x00\x01"
EVIDENCE = [
    {"kind": "photo", "file_id": "p1", "size": 900, "mime_type": "image/jpeg"},
    {"kind": "document", "file_id": "d1", "size": 20, "mime_type": "application/pdf"},
    {"kind": "document", "file_id": "big", "size": 50_000_000, "mime_type": "video/mp4"},
]


@pytest.fixture
def report_id(database_url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REPORT_KEYS", KEY)
    return asyncio.run(_store(database_url))


async def _store(url: str) -> int:
    engine = make_engine(url)
    try:
        makers = make_sessionmaker(engine)
        now = datetime.now(UTC)
        clock, cipher = FixedClock(now), ReportCipher([KEY])
        vault = EvidenceVault(EvidenceRepository(makers), cipher, clock)
        reports = ReportService(ReportRepository(makers), cipher, clock, evidence=vault)
        person = await ContactRepository(makers).get_or_create(9, now=now)
        fetcher = EvidenceFetcher(FakeFiles({"p1": photo_with_gps(), "d1": DOCUMENT}), 10**6)
        await reports.submit(
            {"evidence": EVIDENCE},
            consent="keep",
            anonymous=True,
            contact=person,
            evidence=fetcher.each(EVIDENCE),
        )
        (record,) = await reports.list()
        return record.id
    finally:
        await engine.dispose()


def test_show_lists_the_files_but_never_their_bytes(report_id: int) -> None:
    result = runner.invoke(app, ["reports", "show", str(report_id)])

    assert result.exit_code == 0, result.output
    assert "evidence: 3 file(s)" in result.stdout
    assert "1. photo (image/jpeg" in result.stdout
    assert "2. document (application/pdf, 1 KB): kept" in result.stdout
    assert "3. document (video/mp4, 47.7 MB): not kept: larger than EVIDENCE_MAX_MB" in (
        result.stdout
    )
    assert "statement" not in result.stdout
    assert "JFIF" not in result.stdout


def test_export_writes_the_decrypted_files_for_their_owner_only(
    report_id: int, tmp_path: Path
) -> None:
    folder = tmp_path / "evidence"

    result = runner.invoke(
        app, ["reports", "export", "--format", "json", "--evidence", str(folder)]
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["id"] == report_id
    assert "2 evidence file(s) written" in result.stderr
    names = sorted(path.name for path in folder.iterdir())
    assert names == [f"report-{report_id}-1.jpg", f"report-{report_id}-2.pdf"]
    assert (folder / names[1]).read_bytes() == DOCUMENT
    assert gps_of((folder / names[0]).read_bytes()) == {}
    assert stat.S_IMODE((folder / names[0]).stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_regression_an_existing_folder_and_files_are_made_private(
    report_id: int, tmp_path: Path
) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    existing = folder / f"report-{report_id}-2.pdf"
    existing.write_bytes(b"old")
    existing.chmod(0o644)

    result = runner.invoke(
        app, ["reports", "export", "--format", "json", "--evidence", str(folder)]
    )

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    assert existing.read_bytes() == DOCUMENT
