"""The database tables, as SQLModel classes.

Standby keeps as little as it can about the people it helps: a contact row is only
what is needed to reply (the Telegram chat id) and their chosen language, and a
conversation session is where they are in a flow. Add columns here only with a
migration in `bot/storage/migrations/versions/` and a reason that survives a privacy
review.

Constraint and index names are explicit so later migrations (SQLite batch mode in
particular) can refer to them by name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from bot.storage.columns import UtcDateTime

LANGUAGE_MAX_LENGTH = 16


class Contact(SQLModel, table=True):
    """A person who has written to the bot, known only by their Telegram chat."""

    __tablename__ = "contact"
    # sqlite_autoincrement stops SQLite reusing the id of a deleted contact, so a
    # stale reference can never point at someone else.
    __table_args__ = (
        UniqueConstraint("chat_id", name="uq_contact_chat_id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    language: str | None = Field(
        default=None, sa_column=Column(String(LANGUAGE_MAX_LENGTH), nullable=True)
    )
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class ConversationSession(SQLModel, table=True):
    """The engine session of one contact, stored as JSON with a version for concurrency.

    `flow` and `step` repeat what is in `data` so operators can see where people are
    without parsing JSON; `expires_at` is a column so expired sessions can be purged
    with an index scan.
    """

    __tablename__ = "conversation_session"
    __table_args__ = (Index("ix_conversation_session_expires_at", "expires_at"),)

    contact_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey(
                "contact.id",
                ondelete="CASCADE",
                name="fk_conversation_session_contact_id_contact",
            ),
            primary_key=True,
            autoincrement=False,
        )
    )
    flow: str | None = Field(default=None, sa_column=Column(String, nullable=True))
    step: str | None = Field(default=None, sa_column=Column(String, nullable=True))
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))


metadata: MetaData = SQLModel.metadata
"""Everything Alembic compares against the database (all SQLModel tables)."""

# Core tables for the repositories: single statements on these skip the ORM's
# identity map, which matters on the per-update hot path.
contact_table = cast(Table, Contact.__table__)  # type: ignore[attr-defined]
session_table = cast(Table, ConversationSession.__table__)  # type: ignore[attr-defined]
