"""Broadcast alerts: subscriptions, staff roles, broadcasts, approvals, deliveries, audit.

Revision ID: 0008
Revises: 0007
Create Date: 2025-06-01 00:00:00

Written by hand, with column types spelled out as in 0001. `UtcDateTime` is
`DateTime(timezone=True)` in the database. New tables only: upgrading touches no existing
row. Downgrading drops them, and with them every subscription, broadcast and the audit
log, which cannot be undone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert_subscription",
        sa.Column("contact_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name="fk_alert_subscription_contact_id_contact",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", "area", name="pk_alert_subscription"),
    )
    op.create_index("ix_alert_subscription_area", "alert_subscription", ["area"])
    op.create_table(
        "staff_role",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("granted_at", WHEN, nullable=False),
        sa.Column("granted_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "role", name="pk_staff_role"),
    )
    op.create_table(
        "broadcast",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=True),
        sa.Column("correction_of", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("creator_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("progress_message_id", sa.BigInteger(), nullable=True),
        sa.Column("progress_at", WHEN, nullable=True),
        sa.Column("draft_step", sa.String(length=64), nullable=True),
        sa.Column("expires_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("started_at", WHEN, nullable=True),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["correction_of"],
            ["broadcast.id"],
            name="fk_broadcast_correction_of",
            ondelete="SET NULL",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_broadcast_status", "broadcast", ["status"])
    op.create_table(
        "broadcast_approval",
        sa.Column("broadcast_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("approved_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["broadcast_id"],
            ["broadcast.id"],
            name="fk_broadcast_approval_broadcast_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("broadcast_id", "actor", name="pk_broadcast_approval"),
    )
    op.create_table(
        "delivery",
        sa.Column("broadcast_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("contact_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", WHEN, nullable=True),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("resent", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["broadcast_id"],
            ["broadcast.id"],
            name="fk_delivery_broadcast_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name="fk_delivery_contact_id_contact",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("broadcast_id", "contact_id", name="pk_delivery"),
    )
    op.create_index("ix_delivery_broadcast_id_status", "delivery", ["broadcast_id", "status"])
    op.create_index("ix_delivery_contact_id", "delivery", ["contact_id"])
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_entry_at", table_name="audit_entry")
    op.drop_table("audit_entry")
    op.drop_index("ix_delivery_contact_id", table_name="delivery")
    op.drop_index("ix_delivery_broadcast_id_status", table_name="delivery")
    op.drop_table("delivery")
    op.drop_table("broadcast_approval")
    op.drop_index("ix_broadcast_status", table_name="broadcast")
    op.drop_table("broadcast")
    op.drop_table("staff_role")
    op.drop_index("ix_alert_subscription_area", table_name="alert_subscription")
    op.drop_table("alert_subscription")
