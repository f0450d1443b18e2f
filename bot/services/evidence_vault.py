"""Evidence files kept with the report keys: stored, listed, opened, re-encrypted."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable
from dataclasses import replace

from bot.services.clock import Clock
from bot.services.reports import ReportCipher, ReportsUnavailableError
from bot.storage.evidence import EvidenceRecord, EvidenceRepository, NewEvidence

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

    async def keep(self, report_id: int, files: AsyncIterable[NewEvidence]) -> int:
        """Store each file of report `report_id` as it comes; return how many were kept.

        A file that cannot be stored is logged and skipped: the report is saved already,
        and the person must not be told it was not.
        """
        cipher = self._require_cipher()
        kept = 0
        async for file in files:
            sealed = None if file.content is None else cipher.seal_bytes(file.content)
            try:
                await self._repository.add(
                    report_id, replace(file, content=sealed), now=self._clock.now()
                )
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

    async def rotate(self) -> int:
        """Re-encrypt every kept file with the first key, one at a time; return how many."""
        cipher = self._require_cipher()
        count = 0
        for evidence_id in await self._repository.kept_ids():
            sealed = await self._repository.content(evidence_id)
            if sealed is not None and await self._repository.replace_content(
                evidence_id, sealed, cipher.reseal_bytes(sealed)
            ):
                count += 1
        log.info("%d evidence file(s) re-encrypted", count)
        return count

    def _require_cipher(self) -> ReportCipher:
        if self._cipher is None:
            raise ReportsUnavailableError(
                "REPORT_KEYS is not set, so evidence cannot be stored or read"
            )
        return self._cipher
