"""Evidence files of reports as stored: encrypted content with its kind, type and size.

Like `ReportRepository`, this never sees a key: it stores and returns the encrypted bytes
it is given. Only `content` and `replace_content` touch the (large) content column, so
listing what a report holds stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.columns import require_aware
from bot.storage.database import statement_connection
from bot.storage.tables import EVIDENCE_KINDS, EVIDENCE_STATUSES, evidence_table

_c = evidence_table.c
_LISTED = (_c.id, _c.report_id, _c.kind, _c.mime, _c.size, _c.status, _c.created_at)


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """One evidence file, without its content."""

    id: int
    report_id: int
    kind: str
    mime: str | None
    size: int | None
    status: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewEvidence:
    """What `EvidenceRepository.add` stores; `content` None when the file was not kept."""

    kind: str
    mime: str | None
    size: int | None
    status: str
    content: bytes | None = None


class EvidenceRepository:
    """Adds and reads the evidence files of reports; every method is a single statement."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def add(self, report_id: int, evidence: NewEvidence, *, now: datetime) -> int:
        """Store one file of report `report_id`; return its id."""
        require_aware("now", now)
        if evidence.kind not in EVIDENCE_KINDS:
            raise ValueError(f"kind must be one of {EVIDENCE_KINDS}, got {evidence.kind!r}")
        if evidence.status not in EVIDENCE_STATUSES:
            raise ValueError(f"status must be one of {EVIDENCE_STATUSES}, got {evidence.status!r}")
        values = {
            "report_id": report_id,
            "kind": evidence.kind,
            "mime": evidence.mime,
            "size": evidence.size,
            "status": evidence.status,
            "content": evidence.content,
            "created_at": now,
        }
        statement = evidence_table.insert().values(values).returning(_c.id)
        async with statement_connection(self._sessionmaker) as connection:
            return int((await connection.execute(statement)).scalar_one())

    async def fill(self, evidence_id: int, evidence: NewEvidence) -> bool:
        """Put the fetched file (or why it is not kept) in the row stored for it before
        fetching; False if the row is gone (its report deleted meanwhile)."""
        if evidence.status not in EVIDENCE_STATUSES:
            raise ValueError(f"status must be one of {EVIDENCE_STATUSES}, got {evidence.status!r}")
        statement = (
            update(evidence_table)
            .where(_c.id == evidence_id)
            .values(
                mime=evidence.mime,
                size=evidence.size,
                status=evidence.status,
                content=evidence.content,
            )
        )
        async with statement_connection(self._sessionmaker) as connection:
            result = await connection.execute(statement)
        return result.rowcount > 0

    async def list_for(self, report_id: int) -> list[EvidenceRecord]:
        """The files of one report, in the order they were stored."""
        query = select(*_LISTED).where(_c.report_id == report_id).order_by(_c.id)
        async with statement_connection(self._sessionmaker) as connection:
            return [_record(row) for row in await connection.execute(query)]

    async def kept_ids(self) -> list[int]:
        """The ids of every file whose content is stored (for re-encryption)."""
        query = select(_c.id).where(_c.content.is_not(None)).order_by(_c.id)
        async with statement_connection(self._sessionmaker) as connection:
            return [int(row[0]) for row in await connection.execute(query)]

    async def content(self, evidence_id: int) -> bytes | None:
        """The encrypted content of one file; None if it was not kept or is gone."""
        query = select(_c.content).where(_c.id == evidence_id)
        async with statement_connection(self._sessionmaker) as connection:
            value = (await connection.execute(query)).scalar_one_or_none()
        return None if value is None else bytes(value)

    async def replace_content(self, evidence_id: int, old: bytes, new: bytes) -> bool:
        """Swap the content only if it is still `old` (like `ReportRepository.replace_payload`)."""
        statement = (
            update(evidence_table)
            .where(_c.id == evidence_id, _c.content == old)
            .values(content=new)
        )
        async with statement_connection(self._sessionmaker) as connection:
            result = await connection.execute(statement)
        return result.rowcount > 0


def _record(row: Row[object]) -> EvidenceRecord:
    mapping = row._mapping
    return EvidenceRecord(**{name: mapping[name] for name in EvidenceRecord.__slots__})
