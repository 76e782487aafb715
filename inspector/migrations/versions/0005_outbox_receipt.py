"""outbox receipts: ranges of outbox entries the server stored as received (push log)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 00:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import inspector.models.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outboxreceipt",
        sa.Column("first_seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("received_at", inspector.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("first_seq"),
    )


def downgrade() -> None:
    op.drop_table("outboxreceipt")
