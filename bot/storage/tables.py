"""The database tables, as SQLModel classes.

Standby keeps as little as it can about the people it helps: a contact row is only
what is needed to reply (the Telegram chat id), their chosen language and which
language's machine-translation notice they saw; a conversation session is where they
are in a flow. Delivery bookkeeping (which updates were handled, which message ids a
quick exit must delete) holds ids and times, never text. Add columns here only with a
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
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
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
    # When Telegram refused a message with 403 (the person blocked the bot or deleted
    # their account): nothing more is sent until they write again, which clears it.
    # Only the time is kept, so stale contacts can be found and forgotten later.
    unreachable_since: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime, nullable=True)
    )
    # The language whose machine-translation notice they were last shown (a code such as
    # `ar`; never any words of theirs), so it is shown once, not on every message.
    notice_language: str | None = Field(
        default=None, sa_column=Column(String(LANGUAGE_MAX_LENGTH), nullable=True)
    )


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


class ProcessedUpdate(SQLModel, table=True):
    """A Telegram update already handled, so a second delivery of it is ignored.

    Telegram redelivers an update when a webhook answer is late or the bot restarts
    before confirming it; a row here makes every process handle it once. Only the ids
    are kept (update ids are per bot, hence `bot_id`), never the update's content, and
    `processed_at` lets old rows be purged once no redelivery can come.
    """

    __tablename__ = "processed_update"
    __table_args__ = (
        PrimaryKeyConstraint("bot_id", "update_id", name="pk_processed_update"),
        Index("ix_processed_update_processed_at", "processed_at"),
    )

    bot_id: int = Field(sa_column=Column(BigInteger, nullable=False, autoincrement=False))
    update_id: int = Field(sa_column=Column(BigInteger, nullable=False, autoincrement=False))
    processed_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class ChatMessage(SQLModel, table=True):
    """The id of one message in a contact's private chat, the person's or the bot's.

    A quick exit deletes the conversation from the person's phone, which Telegram allows
    for both sides of a private chat within 48 hours; for that it needs the message ids,
    so only the ids are kept, never the text. `sent_at` says which messages can still be
    deleted and lets the rest be purged; `from_bot` tells the two sides apart without
    any content. Rows go with the contact (ON DELETE CASCADE).
    """

    __tablename__ = "chat_message"
    __table_args__ = (
        PrimaryKeyConstraint("contact_id", "message_id", name="pk_chat_message"),
        Index("ix_chat_message_sent_at", "sent_at"),
    )

    contact_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("contact.id", ondelete="CASCADE", name="fk_chat_message_contact_id_contact"),
            nullable=False,
            autoincrement=False,
        )
    )
    message_id: int = Field(sa_column=Column(BigInteger, nullable=False, autoincrement=False))
    sent_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    from_bot: bool = Field(sa_column=Column(Boolean, nullable=False))


REPORT_CONSENTS = ("keep", "partner", "police")
"""Who may see a report: Standby only, a partner organisation that supports victims, the police."""
SHAREABLE_CONSENTS = ("partner", "police")
"""The consents under which a report is posted to the staff chat (`keep` never is)."""
REPORT_STATUSES = ("new", "claimed", "withdrawn")
"""`claimed`: a member of the staff chat took it on (see `claimed_by`)."""
REPORT_WORD_MAX_LENGTH = 16
HASH_HEX_LENGTH = 64


class Report(SQLModel, table=True):
    """A hate-incident report: every answer encrypted, only its bookkeeping in clear.

    `payload` is a Fernet token of a JSON document holding every answer, so searching the
    database for a report's words finds nothing. In clear are only what operators must
    sort and act on without the keys: consent, status and dates. The reference code the
    person was given is kept only as a SHA-256 hash, for finding the report by it.
    `contact_id` is NULL when the person chose to stay anonymous: then nothing links the
    report to their chat.

    `submission_key` and `submission_reference` exist only so a turn that is run again
    (see docs/architecture.md, "each request carries a key") stores one report and shows
    the same code: a keyed hash of the contact and the request key, and the code encrypted.
    Housekeeping clears both soon after, so they do not link an anonymous report to its
    chat for longer than a retry could take.
    """

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("reference_hash", name="uq_report_reference_hash"),
        UniqueConstraint("submission_key", name="uq_report_submission_key"),
        Index("ix_report_created_at", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    reference_hash: str = Field(sa_column=Column(String(HASH_HEX_LENGTH), nullable=False))
    contact_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("contact.id", ondelete="SET NULL", name="fk_report_contact_id_contact"),
            nullable=True,
        ),
    )
    consent: str = Field(sa_column=Column(String(REPORT_WORD_MAX_LENGTH), nullable=False))
    status: str = Field(sa_column=Column(String(REPORT_WORD_MAX_LENGTH), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    submission_key: str | None = Field(
        default=None, sa_column=Column(String(HASH_HEX_LENGTH), nullable=True)
    )
    submission_reference: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The staff chat (STAFF_CHAT_ID): when the report was posted there (NULL: not yet, so
    # the posting loop tries again), and which staff member claimed it. `claimed_by` is a
    # caseworker's Telegram user id, never a reporter's: only staff can press Claim.
    posted_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    claimed_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))


EVIDENCE_KINDS = ("photo", "document")
EVIDENCE_STATUSES = ("kept", "too_big", "not_fetched", "unreadable")
"""`kept`: the file is stored. Otherwise only that it existed: larger than
EVIDENCE_MAX_MB, not fetched from Telegram (an error), or a photo that could not be read."""
MIME_MAX_LENGTH = 255


class ReportEvidence(SQLModel, table=True):
    """A photo or document sent with a report: its bytes encrypted like the payload.

    A table of its own, not part of the payload, so listing and opening reports never
    loads megabytes of files. `content` is the Fernet token (decoded from its base64,
    which saves a quarter of the space) of the file as kept: photos re-encoded without
    their EXIF and GPS data, documents as sent. It is NULL when the file was not kept;
    `status` says why. `size` is the kept file's size, else the size Telegram gave. Kind,
    type, size and time are in clear: caseworkers see what a report holds without the keys.
    No file name is kept. Rows go with their report (ON DELETE CASCADE).
    """

    __tablename__ = "report_evidence"
    __table_args__ = (
        Index("ix_report_evidence_report_id", "report_id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    report_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("report.id", ondelete="CASCADE", name="fk_report_evidence_report_id_report"),
            nullable=False,
        )
    )
    kind: str = Field(sa_column=Column(String(REPORT_WORD_MAX_LENGTH), nullable=False))
    mime: str | None = Field(default=None, sa_column=Column(String(MIME_MAX_LENGTH), nullable=True))
    size: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    status: str = Field(sa_column=Column(String(REPORT_WORD_MAX_LENGTH), nullable=False))
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class StaffPost(SQLModel, table=True):
    """One Telegram message of a report's post in the staff chat: ids only, never text.

    A report's post may be several messages (long reports are split). Their ids are kept
    so the post can be edited down to "Report #N was withdrawn" (or "was deleted") once the
    report may no longer be shared: Telegram lets a bot edit its own messages at any age,
    but not always delete them. There is deliberately no foreign key to `report`: when a
    report is deleted (by the person, /forget_me or retention) these rows must outlive it,
    so that the staff loop still finds the post and says the report was deleted. The rows
    go once the post has been edited. `report_id` is never reused (AUTOINCREMENT on
    SQLite, a sequence on PostgreSQL), so a leftover row cannot point at a newer report.
    """

    __tablename__ = "staff_post"
    __table_args__ = (PrimaryKeyConstraint("report_id", "message_id", name="pk_staff_post"),)

    report_id: int = Field(sa_column=Column(Integer, nullable=False, autoincrement=False))
    message_id: int = Field(sa_column=Column(BigInteger, nullable=False, autoincrement=False))


AREA_ID_MAX_LENGTH = 64
ACTOR_MAX_LENGTH = 64


class AlertSubscription(SQLModel, table=True):
    """A person's wish to get alerts for one area (an id from flows/data/areas.yaml).

    Only what delivery needs: the contact (for their chat and language) and the area.
    Rows go with the contact (ON DELETE CASCADE): /forget_me and /stop_alerts end them.
    """

    __tablename__ = "alert_subscription"
    __table_args__ = (
        PrimaryKeyConstraint("contact_id", "area", name="pk_alert_subscription"),
        Index("ix_alert_subscription_area", "area"),
    )

    contact_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey(
                "contact.id", ondelete="CASCADE", name="fk_alert_subscription_contact_id_contact"
            ),
            nullable=False,
            autoincrement=False,
        )
    )
    area: str = Field(sa_column=Column(String(AREA_ID_MAX_LENGTH), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


STAFF_ROLES = ("admin", "sender", "approver")
"""`admin`: everything; `sender`: writes and sends broadcasts; `approver`: approves them."""


class StaffRole(SQLModel, table=True):
    """A Telegram user's role for broadcasts, beside the ADMIN_IDS setting (always admins).

    `granted_by` is an actor as in the audit log (`tg:<user id>` or `cli:<login>`).
    """

    __tablename__ = "staff_role"
    __table_args__ = (PrimaryKeyConstraint("user_id", "role", name="pk_staff_role"),)

    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, autoincrement=False))
    role: str = Field(sa_column=Column(String(REPORT_WORD_MAX_LENGTH), nullable=False))
    granted_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    granted_by: str = Field(sa_column=Column(String(ACTOR_MAX_LENGTH), nullable=False))


BROADCAST_KINDS = ("alert", "correction", "retraction")
BROADCAST_STATUSES = ("draft", "awaiting_approval", "sending", "done", "cancelled")
BROADCAST_WORD_MAX_LENGTH = 32


class Broadcast(SQLModel, table=True):
    """An alert to the subscribers of some areas, from draft to final report.

    `content` is what the admin wrote: `{"template": id or None, "fields": {...},
    "texts": {language: text}}`; alerts are public words, so they are kept in clear.
    `areas` and `languages` (None: every language) choose the recipients when sending
    starts; they then have one `delivery` row each. A correction or retraction names the
    alert it corrects (`correction_of`) and goes to exactly who received that one.
    `creator_chat_id`/`progress_message_id` are the admin's private chat and the message
    edited in place with the progress; `progress_at` lets one process at a time edit it.
    `draft_step` is where an admin composing it in Telegram is.
    """

    __tablename__ = "broadcast"
    __table_args__ = (
        Index("ix_broadcast_status", "status"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    kind: str = Field(sa_column=Column(String(BROADCAST_WORD_MAX_LENGTH), nullable=False))
    status: str = Field(sa_column=Column(String(BROADCAST_WORD_MAX_LENGTH), nullable=False))
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    areas: list[str] = Field(sa_column=Column(JSON, nullable=False))
    languages: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    correction_of: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("broadcast.id", ondelete="SET NULL", name="fk_broadcast_correction_of"),
            nullable=True,
        ),
    )
    created_by: str = Field(sa_column=Column(String(ACTOR_MAX_LENGTH), nullable=False))
    creator_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    progress_message_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True)
    )
    progress_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    draft_step: str | None = Field(
        default=None, sa_column=Column(String(AREA_ID_MAX_LENGTH), nullable=True)
    )
    expires_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    started_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    total: int = Field(default=0, sa_column=Column(Integer, nullable=False))


class BroadcastApproval(SQLModel, table=True):
    """One admin's approval of a broadcast (BROADCAST_APPROVALS counts them)."""

    __tablename__ = "broadcast_approval"
    __table_args__ = (PrimaryKeyConstraint("broadcast_id", "actor", name="pk_broadcast_approval"),)

    broadcast_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey(
                "broadcast.id", ondelete="CASCADE", name="fk_broadcast_approval_broadcast_id"
            ),
            nullable=False,
            autoincrement=False,
        )
    )
    actor: str = Field(sa_column=Column(String(ACTOR_MAX_LENGTH), nullable=False))
    approved_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "blocked", "expired", "cancelled")
"""`sending`: claimed by a sender (`claimed_by`) and maybe on its way; the rest are final
but `pending`."""


class Delivery(SQLModel, table=True):
    """One recipient of one broadcast: the unit senders claim, send and record.

    `chat_id` and `language` are copied from the contact when the broadcast starts, so
    sending needs no join and a language changed meanwhile does not split the preview's
    count. `message_id` is Telegram's id of the alert in their chat: a correction replies
    to it. `resent` marks a row that was in flight when its sender stopped and was sent
    again: that person may have the alert twice (the final report counts them). Rows go
    with the contact (/forget_me) and with the broadcast.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        PrimaryKeyConstraint("broadcast_id", "contact_id", name="pk_delivery"),
        Index("ix_delivery_broadcast_id_status", "broadcast_id", "status"),
        Index("ix_delivery_contact_id", "contact_id"),
    )

    broadcast_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("broadcast.id", ondelete="CASCADE", name="fk_delivery_broadcast_id"),
            nullable=False,
            autoincrement=False,
        )
    )
    contact_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("contact.id", ondelete="CASCADE", name="fk_delivery_contact_id_contact"),
            nullable=False,
            autoincrement=False,
        )
    )
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    language: str | None = Field(
        default=None, sa_column=Column(String(LANGUAGE_MAX_LENGTH), nullable=True)
    )
    status: str = Field(sa_column=Column(String(REPORT_WORD_MAX_LENGTH), nullable=False))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    claimed_by: str | None = Field(
        default=None, sa_column=Column(String(ACTOR_MAX_LENGTH), nullable=True)
    )
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    resent: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))


class AuditEntry(SQLModel, table=True):
    """Who did what to broadcasts and roles, when, and to how many: `standby audit`.

    `actor` is `tg:<Telegram user id>` (staff, never a person helped) or `cli:<login>`.
    `detail` is a short description (a template id, areas); never an alert's full text.
    No foreign key: the log outlives what it describes.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_at", "at"), {"sqlite_autoincrement": True})

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    actor: str = Field(sa_column=Column(String(ACTOR_MAX_LENGTH), nullable=False))
    action: str = Field(sa_column=Column(String(AREA_ID_MAX_LENGTH), nullable=False))
    broadcast_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    count: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


metadata: MetaData = SQLModel.metadata
"""Everything Alembic compares against the database (all SQLModel tables)."""

# Core tables for the repositories: single statements on these skip the ORM's
# identity map, which matters on the per-update hot path.
contact_table = cast(Table, Contact.__table__)  # type: ignore[attr-defined]
session_table = cast(Table, ConversationSession.__table__)  # type: ignore[attr-defined]
processed_update_table = cast(Table, ProcessedUpdate.__table__)  # type: ignore[attr-defined]
chat_message_table = cast(Table, ChatMessage.__table__)  # type: ignore[attr-defined]
report_table = cast(Table, Report.__table__)  # type: ignore[attr-defined]
evidence_table = cast(Table, ReportEvidence.__table__)  # type: ignore[attr-defined]
staff_post_table = cast(Table, StaffPost.__table__)  # type: ignore[attr-defined]
subscription_table = cast(Table, AlertSubscription.__table__)  # type: ignore[attr-defined]
role_table = cast(Table, StaffRole.__table__)  # type: ignore[attr-defined]
broadcast_table = cast(Table, Broadcast.__table__)  # type: ignore[attr-defined]
approval_table = cast(Table, BroadcastApproval.__table__)  # type: ignore[attr-defined]
delivery_table = cast(Table, Delivery.__table__)  # type: ignore[attr-defined]
audit_table = cast(Table, AuditEntry.__table__)  # type: ignore[attr-defined]
