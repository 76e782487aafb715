"""Tables of a supervisor's laptop that imports other devices' bundles (plants without any network).

A bundle is applied here with the server's rules and kept, unchanged and signed, until this laptop forwards it to
the server at its next sync; each of its changes is applied at most once per (device, change number), and a
change that meets a different local value is kept as a conflict for the supervisor to settle.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from inspector.models.base import UTCDateTime, timestamp_field


class ImportedBundle(SQLModel, table=True):
    """A bundle file imported on this laptop, kept as read so the server can check its signature when forwarded."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    #: SHA-256 of the file: importing the same file again stores nothing new.
    file_sha256: str = Field(max_length=64, unique=True)
    device_id: uuid.UUID = Field(index=True)
    device_name: str = Field(default="", max_length=200)
    content: str = Field(sa_type=sa.Text)
    changes: int = Field(default=0)
    imported_at: datetime = timestamp_field()
    #: When the server acknowledged it, and the server's epoch then (a restored server gets it again).
    forwarded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    forwarded_epoch: str = Field(default="", max_length=64)
    forward_error: str = Field(default="", max_length=2000)


class ImportedChange(SQLModel, table=True):
    """One change of another device handled here: each (device, change number) is applied once."""

    device_id: uuid.UUID = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    change_id: uuid.UUID
    entity: str = Field(max_length=64)
    entity_id: uuid.UUID = Field(index=True)
    body_hash: str = Field(max_length=64)
    #: applied | conflict | rejected (as a push result).
    status: str = Field(max_length=16)
    code: str | None = Field(default=None, max_length=64)
    message: str = Field(default="", max_length=2000)
    bundle_id: uuid.UUID = Field(foreign_key="importedbundle.id", index=True)
    applied_at: datetime = timestamp_field()
    #: The version the server gave the change when this laptop forwarded the bundle: while the record here is at
    #: that version, the device's later changes of it follow on from its own (no conflict with itself).
    server_version: int | None = None


class LocalConflict(SQLModel, table=True):
    """A bundle's change that met a different value on this laptop: both kept for the supervisor to settle."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    entity: str = Field(max_length=64)
    record_id: uuid.UUID = Field(index=True)
    device_id: uuid.UUID
    device_name: str = Field(default="", max_length=200)
    person_code: str | None = Field(default=None, max_length=64)
    change_id: uuid.UUID
    base_version: int | None = None
    #: The server version this laptop's value was based on (``None``: not yet on the server).
    local_version: int | None = None
    local_payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    device_payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    #: concurrent_edit | local_edit | duplicate_key | edit_vs_delete
    reason: str = Field(max_length=32)
    made_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    received_at: datetime = timestamp_field()
    #: open | resolved | forwarded (handed to the server's own conflict list with the bundle)
    status: str = Field(default="open", max_length=16, index=True)
    resolution: str | None = Field(default=None, max_length=16)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
