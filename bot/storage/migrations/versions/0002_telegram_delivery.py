"""Telegram delivery: unreachable contacts, processed updates, chat message ids.

Revision ID: 0002
Revises: 0001
Create Date: 2025-03-01 00:00:00

Written by hand, with column types spelled out as in 0001. `UtcDateTime` is
`DateTime(timezone=True)` in the database.

The new contact column is nullable, so existing contacts keep their rows and simply
count as reachable. Downgrading drops the two new tables (their rows are bookkeeping
that 0001 has no use for) and the column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Adding a nullable column is a plain ALTER TABLE on both databases: no table copy.
    with op.batch_alter_table("contact") as batch:
        batch.add_column(
            sa.Column("unreachable_since", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "processed_update",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name="pk_processed_update"),
    )
    op.create_index("ix_processed_update_processed_at", "processed_update", ["processed_at"])
    op.create_table(
        "chat_message",
        sa.Column("contact_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_bot", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("contact_id", "message_id", name="pk_chat_message"),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name="fk_chat_message_contact_id_contact",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_chat_message_sent_at", "chat_message", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_chat_message_sent_at", table_name="chat_message")
    op.drop_table("chat_message")
    op.drop_index("ix_processed_update_processed_at", table_name="processed_update")
    op.drop_table("processed_update")
    _drop_unreachable_since()


def _drop_unreachable_since() -> None:
    # On SQLite, batch mode drops a column by copying the table. Reflection does not see
    # AUTOINCREMENT, so it is passed again; and the copy restarts the id counter at the
    # highest id left, so the old counter is put back: ids of deleted contacts must
    # never be reused (see `Contact` in bot/storage/tables.py).
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    counter = None
    if sqlite:
        counter = bind.execute(
            sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'contact'")
        ).scalar()
    with op.batch_alter_table("contact", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("unreachable_since")
    if sqlite and counter is not None:
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'contact'"))
        bind.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('contact', :seq)"),
            {"seq": counter},
        )
