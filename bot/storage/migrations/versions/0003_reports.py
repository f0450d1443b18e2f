"""Incident reports, encrypted.

Revision ID: 0003
Revises: 0002
Create Date: 2025-04-01 00:00:00

Written by hand, with column types spelled out as in 0001. `UtcDateTime` is
`DateTime(timezone=True)` in the database. A new table only: upgrading touches no
existing row. Downgrading drops the table and with it every report, which cannot be
undone; `standby reports export` first if they are still needed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference_hash", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("consent", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=True),
        sa.Column("submission_reference", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name="fk_report_contact_id_contact",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("reference_hash", name="uq_report_reference_hash"),
        sa.UniqueConstraint("submission_key", name="uq_report_submission_key"),
        # Like contact: SQLite must never reuse the id of a deleted report.
        sqlite_autoincrement=True,
    )
    op.create_index("ix_report_created_at", "report", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_report_created_at", table_name="report")
    op.drop_table("report")
