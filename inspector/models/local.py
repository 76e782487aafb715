"""Tables that belong to this laptop only: the sync outbox, remembered settings and the audit chain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from inspector.models.base import UTCDateTime, timestamp_field
from inspector.models.enums import OutboxStatus

#: Version of the record payloads this client writes into its outbox; the server accepts older ones.
SCHEMA_VERSION = 1


class OutboxEntry(SQLModel, table=True):
    """A local change waiting to be pushed. Written in the same transaction as the change itself.

    ``seq`` numbers the device's changes 1, 2, 3…; an entry is marked acknowledged only after the server's reply.
    """

    seq: int | None = Field(default=None, primary_key=True)
    change_id: uuid.UUID = Field(default_factory=uuid.uuid4, unique=True)
    entity: str = Field(max_length=64)
    entity_id: uuid.UUID = Field(index=True)
    op: str = Field(max_length=16)  # upsert | delete
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    #: The server version the change was made from (``None``: a new record).
    base_version: int | None = None
    schema_version: int = Field(default=SCHEMA_VERSION)
    created_at: datetime = timestamp_field()
    status: str = Field(default=OutboxStatus.PENDING, max_length=16, index=True)
    acked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str = Field(default="", max_length=2000)


class OutboxReceipt(SQLModel, table=True):
    """The server stored outbox entries ``first_seq..last_seq`` as received (``POST /push/log``).

    The entries stay ``pending`` (one small row here instead of rewriting every entry); the ones a receipt covers are
    not sent again. Their outcomes (acked, conflict, rejected) are recorded from ``GET /push/outcomes``, then the
    receipt is removed. Removing a receipt is always safe: its entries are simply sent again (the server is
    idempotent).
    """

    first_seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_seq: int
    received_at: datetime = timestamp_field()


class LocalSetting(SQLModel, table=True):
    """Something this laptop remembers: the signed-in person, the language, the sync cursor, …"""

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="", max_length=4000)


class AuditEntry(SQLModel, table=True):
    """An append-only, hash-chained record of sign-offs, amendments, verifications and award decisions."""

    seq: int | None = Field(default=None, primary_key=True)
    id: uuid.UUID = Field(default_factory=uuid.uuid4, unique=True)
    at: datetime = timestamp_field()
    kind: str = Field(max_length=32)  # sign_off | amendment | verification | award_decision
    subject_id: uuid.UUID = Field(index=True)
    actor_id: uuid.UUID | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
