"""The machine-translation notice: which language's notice each contact was shown.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 00:00:00

Written by hand, with column types spelled out as in 0001. One nullable column on
`contact`, a language code (`ar`): a plain ALTER TABLE on both databases, no existing
row changes. Everyone counts as not shown a notice yet, so people already talking to
Standby in a language no fluent speaker has reviewed are told once, on their next
message. Downgrading drops the column: after upgrading again they are told once more.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.add_column(sa.Column("notice_language", sa.String(length=16), nullable=True))


def downgrade() -> None:
    # On SQLite, batch mode drops a column by copying the table. Reflection does not see
    # AUTOINCREMENT, so it is passed again; and the copy restarts the id counter at the
    # highest id left, so the old counter is put back: ids of deleted contacts must
    # never be reused (see `Contact` in bot/storage/tables.py). As in 0002.
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    counter = None
    if sqlite:
        counter = bind.execute(
            sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'contact'")
        ).scalar()
    with op.batch_alter_table("contact", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("notice_language")
    if sqlite and counter is not None:
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'contact'"))
        bind.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('contact', :seq)"),
            {"seq": counter},
        )
