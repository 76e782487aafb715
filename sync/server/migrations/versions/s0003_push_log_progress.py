"""push log: how far a logged batch has been applied (batches are applied a bounded chunk per transaction)

Revision ID: s0003
Revises: s0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0003"
down_revision: str | None = "s0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("push_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applied_upto", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("push_log", schema=None) as batch_op:
        batch_op.drop_column("applied_upto")
