"""Evidence files for `standby reports show` and `export --evidence DIR`.

`show` lists what a report holds (kind, size, whether it was kept), never the bytes: a
terminal is no place for a photo, and scrollback is kept. `export --evidence DIR` writes
the decrypted files, each readable by its owner only, named after the report, so no name
the person gave a file (which may name them) is ever used.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Sequence
from pathlib import Path

from bot.services.evidence_vault import EvidenceVault
from bot.storage.evidence import EvidenceRecord

WHY_NOT_KEPT = {
    "too_big": "not kept: larger than EVIDENCE_MAX_MB",
    "not_fetched": "not kept: it could not be fetched from Telegram",
    "unreadable": "not kept: the photo could not be read",
}


def describe(records: Sequence[EvidenceRecord]) -> list[str]:
    """One line per file: kind, type, size, and why it is missing if it is."""
    if not records:
        return ["evidence: none"]
    lines = [f"evidence: {len(records)} file(s)"]
    for number, record in enumerate(records, 1):
        kept = "kept" if record.status == "kept" else WHY_NOT_KEPT.get(record.status, record.status)
        lines.append(
            f"  {number}. {record.kind} ({record.mime or 'unknown type'}, "
            f"{_size(record.size)}): {kept}"
        )
    return lines


def file_name(report_id: int, number: int, mime: str | None) -> str:
    """`report-12-1.jpg`: the report's id and the file's place in it."""
    extension = (mimetypes.guess_extension(mime) if mime else None) or ".bin"
    return f"report-{report_id}-{number}{extension}"


async def write_all(
    vault: EvidenceVault, report_id: int, records: Sequence[EvidenceRecord], folder: Path
) -> int:
    """Write report `report_id`'s kept files, decrypted, into `folder`; return how many."""
    written = 0
    for number, record in enumerate(records, 1):
        data = await vault.open(record.id) if record.status == "kept" else None
        if data is not None:
            write_private(folder / file_name(report_id, number, record.mime), data)
            written += 1
    return written


def make_private_folder(folder: Path) -> None:
    """Create `folder`, or take the one that is there: either way readable by its owner only."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkdir's mode applies only to a folder it creates: an existing one keeps its own.
    folder.chmod(0o700)


def write_private(path: Path, data: bytes) -> None:
    """Write decrypted reports or evidence to `path`, readable by this user only.

    The mode given to open() applies only to a file it creates, so an existing file would
    keep its 0644: fchmod on the open descriptor fixes that before a byte is written.
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(descriptor, 0o600)
        file.write(data)


def _size(size: int | None) -> str:
    if size is None:
        return "size unknown"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"
