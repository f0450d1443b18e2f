"""Evidence files of reports, encrypted.

Revision ID: 0004
Revises: 0003
Create Date: 2025-04-15 00:00:00

Written by hand, with column types spelled out as in 0001. A new table only: upgrading
touches no existing row. Downgrading drops the table and with it every evidence file,
which cannot be undone; `standby reports export --evidence DIR` first if they are needed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mime", sa.String(length=255), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name="fk_report_evidence_report_id_report",
            ondelete="CASCADE",
        ),
        # Like report: SQLite must never reuse the id of a deleted file.
        sqlite_autoincrement=True,
    )
    op.create_index("ix_report_evidence_report_id", "report_evidence", ["report_id"])


def downgrade() -> None:
    op.drop_index("ix_report_evidence_report_id", table_name="report_evidence")
    op.drop_table("report_evidence")
