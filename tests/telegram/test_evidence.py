"""End to end, both frameworks: a photo sent with a report is kept without its EXIF."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.adapters.telegram.errors import Rejected
from bot.bootstrap import report_service
from bot.config import Settings
from bot.testing import Emulator
from tests.evidence_files import PHONE_MAKE, gps_of, photo_with_gps
from tests.telegram.conftest import ROOT, StartBot, reply_with

# The report flow's evidence question and its submit action, without the other questions
# (the whole flow is covered by tests/golden/report.txt).
SHORT_REPORT = """\
spec: 1
flow: short_report
triggers:
  commands: [/short_report]
steps:
  - id: evidence
    ask: Send your photos and files, then press Done.
    input: document
    multiple: true
    optional: true
    save: evidence
  - id: submit
    action: submit_report
    with:
      evidence: "{evidence}"
      contact: anonymous
      consent: keep
    save: reference
    on_error: not_saved
  - id: saved
    say: "Saved: {reference}"
  - id: not_saved
    say: Not saved.
"""


async def test_a_photo_sent_with_a_report_is_stored_encrypted_without_exif(
    emulator: Emulator, start_bot: StartBot, tmp_path: Path, database_url: str
) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    (flows / "short_report.yaml").write_text(SHORT_REPORT)
    key = Fernet.generate_key().decode()
    running = await start_bot(FLOWS_DIR=flows, REPORT_KEYS=key, DATABASE_URL=database_url)
    nadia = emulator.user(61, "Nadia")
    await nadia.send("/short_report")
    await reply_with(nadia, "Send your photos and files")
    await nadia.send_photo(photo_with_gps())
    await nadia.send_document(b"%PDF-1.4 kept as sent", "statement.pdf")
    await reply_with(nadia, "Send your photos and files")
    await nadia.click("Done")
    await reply_with(nadia, "Saved:")

    settings: Settings = running.core.settings
    reports = report_service(settings, running.core.sessionmaker, running.core.clock)
    (report,) = await reports.list()
    assert reports.evidence is not None
    photo, document = await reports.evidence.list(report.id)
    assert (photo.kind, photo.status, document.status) == ("photo", "kept", "kept")
    clean = await reports.evidence.open(photo.id)
    assert clean is not None
    assert clean.startswith(b"\xff\xd8")
    assert gps_of(clean) == {}
    assert PHONE_MAKE.encode() not in clean
    assert await reports.evidence.open(document.id) == b"%PDF-1.4 kept as sent"


async def test_download_fetches_bytes_and_maps_refusals(
    emulator: Emulator, start_bot: StartBot
) -> None:
    running = await start_bot()
    user = emulator.user(62, "Sam")
    sent = await user.send_document(b"plain bytes \x00\xff", "notes.txt")
    # Telegram lets bots fetch 20 MB at most, whatever EVIDENCE_MAX_MB says.
    huge = await user.send_document(b"x" * (20 * 1024 * 1024 + 1), "huge.bin")
    assert sent.document is not None
    assert huge.document is not None

    api = running.framework.api
    assert await api.download(sent.document.file_id) == b"plain bytes \x00\xff"
    with pytest.raises(Rejected, match=r"(?i)invalid file_id"):
        await api.download("no-such-file")
    with pytest.raises(Rejected, match=r"(?i)file is too big"):
        await api.download(huge.document.file_id)
