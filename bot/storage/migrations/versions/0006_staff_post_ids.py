"""The staff chat: the message ids of each report's post, so it can be retracted.

Revision ID: 0006
Revises: 0005
Create Date: 2025-05-20 00:00:00

Written by hand, with column types spelled out as in 0001. A new table, `staff_post`, one
row per Telegram message of a report's post in the staff chat (ids only). It has no
foreign key to `report` on purpose: the rows must outlive a deleted report so the staff
loop can still edit its post to say it was deleted (see `bot.storage.tables.StaffPost`).
Posts made before this revision have no rows, so they cannot be retracted by the bot.
Downgrading drops the table: posts not yet retracted then stay as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_post",
        sa.Column("report_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("report_id", "message_id", name="pk_staff_post"),
    )


def downgrade() -> None:
    op.drop_table("staff_post")
