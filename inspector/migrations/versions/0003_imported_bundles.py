"""imported bundles, their changes and local conflicts (a supervisor's laptop importing bundles)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 00:17:40.609800
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import inspector.models.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "importedbundle",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("file_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("device_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("imported_at", inspector.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("forwarded_at", inspector.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("forwarded_epoch", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("forward_error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("file_sha256"),
    )
    with op.batch_alter_table("importedbundle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_importedbundle_device_id"), ["device_id"], unique=False)

    op.create_table(
        "localconflict",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("device_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("person_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("change_id", sa.Uuid(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("local_version", sa.Integer(), nullable=True),
        sa.Column("local_payload", sa.JSON(), nullable=False),
        sa.Column("device_payload", sa.JSON(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("made_at", inspector.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", inspector.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("resolution", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("resolved_at", inspector.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("localconflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_localconflict_record_id"), ["record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_localconflict_status"), ["status"], unique=False)

    op.create_table(
        "importedchange",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Uuid(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("body_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("bundle_id", sa.Uuid(), nullable=False),
        sa.Column("applied_at", inspector.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bundle_id"],
            ["importedbundle.id"],
        ),
        sa.PrimaryKeyConstraint("device_id", "seq"),
    )
    with op.batch_alter_table("importedchange", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_importedchange_bundle_id"), ["bundle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_importedchange_entity_id"), ["entity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("importedchange", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_importedchange_entity_id"))
        batch_op.drop_index(batch_op.f("ix_importedchange_bundle_id"))

    op.drop_table("importedchange")
    with op.batch_alter_table("localconflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_localconflict_status"))
        batch_op.drop_index(batch_op.f("ix_localconflict_record_id"))

    op.drop_table("localconflict")
    with op.batch_alter_table("importedbundle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_importedbundle_device_id"))

    op.drop_table("importedbundle")
