"""Reference-code hashes made slow to search: scrypt over the former SHA-256.

Revision ID: 0007
Revises: 0006
Create Date: 2025-05-21 00:00:00

Before, `report.reference_hash` was the plain SHA-256 of a reference code: a stolen
database could be searched for codes on a GPU. Now it is scrypt over that SHA-256 (see
`bot.services.reports.reference_hash`), so existing rows are converted without anyone
knowing their codes. The parameters are spelled out here, as a migration must not change
when the code does. Anonymous reports also keep only the day of their times from now on;
existing ones are rounded down the same way. There is no way back: downgrading leaves the
hashes and times as they are, so an older Standby cannot find these reports by code.
"""

import hashlib
from collections.abc import Sequence
from datetime import datetime, time

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_report = sa.table(
    "report",
    sa.column("id", sa.Integer()),
    sa.column("reference_hash", sa.String()),
    sa.column("contact_id", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def _slow(sha256_hex: str) -> str:
    return hashlib.scrypt(
        sha256_hex.encode("ascii"),
        salt=b"standby reference code v1",
        n=2**14,
        r=8,
        p=1,
        maxmem=64 * 1024 * 1024,
        dklen=32,
    ).hex()


def _day(moment: datetime | None) -> datetime | None:
    return None if moment is None else datetime.combine(moment.date(), time(), moment.tzinfo)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            _report.c.id,
            _report.c.reference_hash,
            _report.c.contact_id,
            _report.c.created_at,
            _report.c.updated_at,
        )
    ).all()
    for row in rows:
        values: dict[str, object] = {"reference_hash": _slow(row.reference_hash)}
        if row.contact_id is None:
            values |= {"created_at": _day(row.created_at), "updated_at": _day(row.updated_at)}
        connection.execute(sa.update(_report).where(_report.c.id == row.id).values(**values))


def downgrade() -> None:
    """Nothing to undo: a slow hash cannot be turned back into the SHA-256 it was made from."""
