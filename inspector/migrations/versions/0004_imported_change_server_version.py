"""the server version each imported change got when its bundle was forwarded

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 00:36:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("importedchange", schema=None) as batch_op:
        batch_op.add_column(sa.Column("server_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("importedchange", schema=None) as batch_op:
        batch_op.drop_column("server_version")
