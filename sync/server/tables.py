"""The server's own schema (SQLAlchemy Core, separate from the laptop's tables).

Records are kept generically — entity, id, server version, the JSON payload — with the columns the server needs
to authorise and filter (owner, team, scope) and ``log_seq``, the server-wide commit-ordered change sequence the
pull cursor walks. ``record_key`` holds every natural key (e.g. a person's code) so a second record with the same
key becomes a kept conflict, never a duplicate.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

metadata = sa.MetaData()


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC timestamps on both PostgreSQL and SQLite."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType: Any = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

server_meta = sa.Table(
    "server_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)

#: One row per sequence; its row lock serialises writers so log_seq order is commit order.
sync_counter = sa.Table(
    "sync_counter",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

device = sa.Table(
    "device",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("label", sa.String(200), nullable=False, server_default=""),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("person_code", sa.String(64), nullable=True),
    sa.Column("token_hash", sa.String(64), nullable=True, unique=True),
    sa.Column("token_expires_at", UTCDateTime, nullable=True),
    sa.Column("enroll_code_hash", sa.String(64), nullable=True, unique=True),
    sa.Column("enroll_expires_at", UTCDateTime, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("enrolled_at", UTCDateTime, nullable=True),
    sa.Column("revoked_at", UTCDateTime, nullable=True),
    sa.Column("last_seq", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("last_seen_at", UTCDateTime, nullable=True),
    #: The laptop's Ed25519 public key (base64) its bundles are signed with, its id (SHA-256 hex) and when it was
    #: registered; set once per device (at enrolment, at its first sync after an update, or by its first bundle).
    sa.Column("public_key", sa.String(64), nullable=True),
    sa.Column("key_id", sa.String(64), nullable=True),
    sa.Column("key_registered_at", UTCDateTime, nullable=True),
)

record = sa.Table(
    "record",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("entity", sa.String(64), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("log_seq", sa.BigInteger, nullable=False, index=True),
    sa.Column("scope", sa.String(16), nullable=False),
    sa.Column("owner_person_id", sa.Uuid, nullable=True, index=True),
    sa.Column("team_id", sa.Uuid, nullable=True, index=True),
    sa.Column("attachments", JSONType, nullable=False),
    sa.Column("last_device_id", sa.Uuid, nullable=True),
    #: All versions after this one were made by ``last_device_id``: its later changes fast-forward.
    sa.Column("streak_base", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

record_key = sa.Table(
    "record_key",
    metadata,
    sa.Column("entity", sa.String(64), primary_key=True),
    sa.Column("key_hash", sa.String(64), primary_key=True),
    sa.Column("record_id", sa.Uuid, nullable=False, index=True),
)

applied_change = sa.Table(
    "applied_change",
    metadata,
    # Keyed per device: another device sending the same change id can never answer for this device's change.
    sa.Column("device_id", sa.Uuid, primary_key=True),
    sa.Column("change_id", sa.Uuid, primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("entity_id", sa.Uuid, nullable=False),
    sa.Column("body_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("code", sa.String(64), nullable=True),
    sa.Column("message", sa.String(2000), nullable=False, server_default=""),
    sa.Column("conflict_id", sa.Uuid, nullable=True),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    #: Outcomes are read back per device in change-number order (``GET /push/outcomes``).
    sa.Index("ix_applied_change_device_seq", "device_id", "seq"),
)

#: Batches a device pushed through ``POST /push/log``: stored durably as received (one row, the request body as is),
#: applied later in order by :mod:`sync.server.ingest`, then deleted (their outcomes live on in ``applied_change``).
push_log = sa.Table(
    "push_log",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("device_id", sa.Uuid, nullable=False, index=True),
    sa.Column("first_seq", sa.BigInteger, nullable=False),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("body_sha256", sa.String(64), nullable=False),
    #: The request body, byte for byte (PostgreSQL: ``STORAGE EXTERNAL``, so it is not compressed on the way in).
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    #: The batch's last change number already applied (NULL: none yet); it is applied a chunk per transaction.
    sa.Column("applied_upto", sa.BigInteger, nullable=True),
    # The same batch sent twice (a reply lost on the way back) is stored once.
    sa.UniqueConstraint("device_id", "first_seq", "last_seq", "body_sha256", name="uq_push_log_batch"),
)

#: Per device, the highest change number received through the log (its row lock orders one device's batches).
device_received = sa.Table(
    "device_received",
    metadata,
    sa.Column("device_id", sa.Uuid, primary_key=True),
    sa.Column("received_seq", sa.BigInteger, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
)

#: Logged changes that could not be judged one by one (an unreadable batch, a change the server failed on): the
#: device learns of them from ``GET /push/outcomes`` as rejected (or, for missing attachments, to be sent again).
push_failure = sa.Table(
    "push_failure",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("device_id", sa.Uuid, nullable=False),
    sa.Column("first_seq", sa.BigInteger, nullable=False),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("message", sa.String(2000), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_push_failure_device_last", "device_id", "last_seq"),
)

conflict = sa.Table(
    "conflict",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("entity", sa.String(64), nullable=False),
    sa.Column("record_id", sa.Uuid, nullable=False, index=True),
    sa.Column("device_id", sa.Uuid, nullable=False),
    sa.Column("change_id", sa.Uuid, nullable=False),
    sa.Column("base_version", sa.Integer, nullable=True),
    sa.Column("server_version", sa.Integer, nullable=False),
    sa.Column("server_payload", JSONType, nullable=False),
    sa.Column("device_payload", JSONType, nullable=False),
    sa.Column("reason", sa.String(64), nullable=False),
    sa.Column("made_at", UTCDateTime, nullable=True),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("resolution", sa.String(16), nullable=True),
    sa.Column("resolved_by", sa.Uuid, nullable=True),
    sa.Column("resolved_at", UTCDateTime, nullable=True),
)

attachment = sa.Table(
    "attachment",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("received", sa.BigInteger, nullable=False),
    sa.Column("complete", sa.Boolean, nullable=False),
    sa.Column("device_id", sa.Uuid, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

attachment_chunk = sa.Table(
    "attachment_chunk",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("offset", sa.BigInteger, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True),
    sa.Column("id", sa.Uuid, nullable=False, unique=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("subject_id", sa.Uuid, nullable=False, index=True),
    sa.Column("actor_id", sa.Uuid, nullable=True),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False, unique=True),
)
