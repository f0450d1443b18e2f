"""Contacts and conversation sessions.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00

Written by hand. Column types are spelled out here rather than imported from
bot.storage so this revision keeps meaning the same thing when the models change.
`UtcDateTime` is `DateTime(timezone=True)` in the database.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("chat_id", name="uq_contact_chat_id"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "conversation_session",
        sa.Column("contact_id", sa.Integer(), autoincrement=False, primary_key=True),
        sa.Column("flow", sa.String(), nullable=True),
        sa.Column("step", sa.String(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name="fk_conversation_session_contact_id_contact",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_conversation_session_expires_at", "conversation_session", ["expires_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_conversation_session_expires_at", table_name="conversation_session")
    op.drop_table("conversation_session")
    op.drop_table("contact")
