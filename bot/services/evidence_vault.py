"""Evidence files kept with the report keys: stored, listed, opened, re-encrypted."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.services.clock import Clock
from bot.services.reports import (
    KeyRotation,
    ReportCipher,
    ReportKeyError,
    ReportsUnavailableError,
)
from bot.storage.evidence import EvidenceRecord, EvidenceRepository

if TYPE_CHECKING:
    from bot.services.evidence import EvidenceBatch

log = logging.getLogger(__name__)


class EvidenceVault:
    """Encrypts each kept file like the report's answers (Fernet, REPORT_KEYS).

    `cipher` is None without REPORT_KEYS: then nothing can be stored or opened.
    """

    def __init__(
        self, repository: EvidenceRepository, cipher: ReportCipher | None, clock: Clock
    ) -> None:
        self._repository = repository
        self._cipher = cipher
        self._clock = clock

    async def keep(
        self, report_id: int, files: EvidenceBatch, *, at: datetime | None = None
    ) -> int:
        """Give each file of report `report_id` its row, then fetch and store the files one
        at a time; return how many were kept. `at` is the rows' time and the tokens' (the
        day only for an anonymous report); None is now.

        The rows come first, all `not_fetched` (or `too_big`), so a crash while fetching
        leaves every file noted, never silently lost; called again for the same report
        (the turn run again), it adds the rows still missing and fetches the files whose
        rows are still `not_fetched`. Rows follow the attachments in order. A file that
        cannot be stored is logged and skipped: the report is saved already, and the
        person must not be told it was not.
        """
        cipher = self._require_cipher()
        stamp = at or self._clock.now()
        rows = [(row.id, row.status) for row in await self._repository.list_for(report_id)]
        for index in range(len(rows), len(files)):
            placeholder = files.placeholder(index)
            try:
                rows.append(
                    (
                        await self._repository.add(report_id, placeholder, now=stamp),
                        placeholder.status,
                    )
                )
            except Exception as error:
                # Stop here: rows must stay in attachment order; a later run adds the rest.
                log.error("an evidence row could not be stored: %s", type(error).__name__)
                break
        kept = sum(status == "kept" for _, status in rows)
        for index, (evidence_id, status) in enumerate(rows[: len(files)]):
            if status != "not_fetched":
                continue
            file = await files.fetch(index)
            if file.status == "not_fetched":
                continue  # the placeholder says so already
            sealed = None if file.content is None else cipher.seal_bytes(file.content, at=stamp)
            try:
                await self._repository.fill(evidence_id, replace(file, content=sealed))
            except Exception as error:
                log.error("an evidence file could not be stored: %s", type(error).__name__)
                continue
            kept += file.status == "kept"
        return kept

    async def list(self, report_id: int) -> list[EvidenceRecord]:
        """What report `report_id` holds (kind, type, size, status), without content."""
        return await self._repository.list_for(report_id)

    async def open(self, evidence_id: int) -> bytes | None:
        """The decrypted file; None if it was not kept."""
        sealed = await self._repository.content(evidence_id)
        return None if sealed is None else self._require_cipher().open_bytes(sealed)

    async def rotate(self) -> KeyRotation:
        """Re-encrypt every kept file with the first key, one at a time; return how many,
        and how many no key opened (`skipped_evidence`): those are left as they were and
        the others still rotated."""
        cipher = self._require_cipher()
        count = skipped = 0
        for evidence_id in await self._repository.kept_ids():
            sealed = await self._repository.content(evidence_id)
            if sealed is None:
                continue
            try:
                resealed = cipher.reseal_bytes(sealed)
            except ReportKeyError:
                skipped += 1
                continue
            if await self._repository.replace_content(evidence_id, sealed, resealed):
                count += 1
        log.info("%d evidence file(s) re-encrypted, %d could not be opened", count, skipped)
        return KeyRotation(count, skipped=0, skipped_evidence=skipped)

    def _require_cipher(self) -> ReportCipher:
        if self._cipher is None:
            raise ReportsUnavailableError(
                "REPORT_KEYS is not set, so evidence cannot be stored or read"
            )
        return self._cipher
