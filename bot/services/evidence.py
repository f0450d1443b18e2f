"""Fetching the photos and documents sent with a report, one at a time.

A report's answers hold only Telegram's reference to each file (an engine `Attachment`
as a value). When the report is submitted each file is fetched through a `FileSource`
(the Bot API's getFile and download), checked against EVIDENCE_MAX_MB, and, if it is a
photo, re-encoded without its metadata (`bot.services.images`). Nothing here raises for
one file: a file that cannot be had is reported as such, so the report is never lost for
it. Logs name the failure's type only, never a file's content, name or reference.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any

from bot.services.images import UnreadableImageError, strip_metadata
from bot.services.ports import FileSource
from bot.storage.evidence import NewEvidence
from bot.storage.tables import MIME_MAX_LENGTH

log = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024


def attachments_in(answers: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every file among the answers (a file answer, or a list of them), in answer order."""
    found: list[Mapping[str, Any]] = []
    for value in answers.values():
        items: Iterable[object] = value if isinstance(value, list) else (value,)
        found += [item for item in items if _is_attachment(item)]  # type: ignore[misc]
    return found


def _is_attachment(value: object) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("file_id"), str)


class EvidenceFetcher:
    """Fetches files through `files` (None: nowhere to fetch from, e.g. the terminal)."""

    def __init__(self, files: FileSource | None, max_bytes: int) -> None:
        self._files = files
        self._max_bytes = max_bytes

    def each(self, attachments: Sequence[Mapping[str, Any]]) -> EvidenceBatch:
        """The files of one report, fetched one at a time when asked for."""
        return EvidenceBatch(self, attachments)

    def placeholder(self, attachment: Mapping[str, Any]) -> NewEvidence:
        """What is stored for a file before it is fetched: `not_fetched`, which stays true
        if the bot stops before fetching it (or `too_big`, known without fetching)."""
        kind = "photo" if attachment.get("kind") == "photo" else "document"
        mime = _text(attachment.get("mime_type"))
        size = _size(attachment.get("size"))
        status = "too_big" if size is not None and size > self._max_bytes else "not_fetched"
        return NewEvidence(kind, mime, size, status)

    async def fetch(self, attachment: Mapping[str, Any]) -> NewEvidence:
        """One file as it should be stored: its content, or why it is not kept."""
        kind = "photo" if attachment.get("kind") == "photo" else "document"
        mime = _text(attachment.get("mime_type"))
        size = _size(attachment.get("size"))
        if size is not None and size > self._max_bytes:
            return NewEvidence(kind, mime, size, "too_big")  # not even downloaded
        if self._files is None:
            return NewEvidence(kind, mime, size, "not_fetched")
        try:
            data = await self._files.download(str(attachment["file_id"]))
        except Exception as error:  # any failure: the report goes on without this file
            log.warning("an evidence file could not be fetched: %s", type(error).__name__)
            return NewEvidence(kind, mime, size, "not_fetched")
        if len(data) > self._max_bytes:  # Telegram gave no size, or the wrong one
            return NewEvidence(kind, mime, len(data), "too_big")
        if kind == "document" and not (mime or "").startswith("image/"):
            return NewEvidence(kind, mime, len(data), "kept", data)
        try:
            # Decoding and encoding a photo takes tens of milliseconds: not on the loop.
            clean = await asyncio.to_thread(strip_metadata, data)
        except UnreadableImageError as error:
            if kind == "document":
                # A picture sent as a file in a format we can't read (say HEIC): kept as
                # sent, like any other file, rather than losing the evidence.
                return NewEvidence(kind, mime, len(data), "kept", data)
            log.warning("an evidence photo could not be read: %s", error)
            return NewEvidence(kind, mime, len(data), "unreadable")
        # A photo sent "as a file" keeps its location too: cleaned the same way.
        return NewEvidence(kind, "image/jpeg", len(clean), "kept", clean)


class EvidenceBatch:
    """The attachments of one report: a placeholder for each, and each fetched on its own,
    so the vault can store every row first and then fill them, one file in memory at a time.
    Iterating fetches them all in order."""

    def __init__(self, fetcher: EvidenceFetcher, attachments: Sequence[Mapping[str, Any]]) -> None:
        self._fetcher = fetcher
        self._attachments = list(attachments)

    def __len__(self) -> int:
        return len(self._attachments)

    def placeholder(self, index: int) -> NewEvidence:
        """The row for attachment `index` before its file is fetched."""
        return self._fetcher.placeholder(self._attachments[index])

    async def fetch(self, index: int) -> NewEvidence:
        """Attachment `index` as it should be stored."""
        return await self._fetcher.fetch(self._attachments[index])

    async def __aiter__(self) -> AsyncIterator[NewEvidence]:
        for attachment in self._attachments:
            yield await self._fetcher.fetch(attachment)


def _text(value: object) -> str | None:
    return value[:MIME_MAX_LENGTH] if isinstance(value, str) and value else None


def _size(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
