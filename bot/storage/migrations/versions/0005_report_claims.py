"""The staff chat: when a report was posted there, and who claimed it.

Revision ID: 0005
Revises: 0004
Create Date: 2025-05-01 00:00:00

Written by hand, with column types spelled out as in 0001. `UtcDateTime` is
`DateTime(timezone=True)` in the database. Three nullable columns: a plain ALTER TABLE
on both databases, no existing row changes. Existing reports count as not posted, so
setting STAFF_CHAT_ID posts those of the last few days that may be shared (see
`bot.services.staff.POST_WINDOW`). Downgrading drops the columns and turns `claimed`
reports back into `new`, the status 0003 knows; who claimed them is lost.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report") as batch:
        batch.add_column(sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("claimed_by", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute("UPDATE report SET status = 'new' WHERE status = 'claimed'")
    # On SQLite dropping columns rebuilds the table: keep AUTOINCREMENT, or the ids of
    # deleted reports would be given out again (old staff posts would name other reports).
    with op.batch_alter_table("report", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("claimed_by")
        batch.drop_column("posted_at")
