"""Column types and mixins shared by every table.

Every record that travels between laptops and the central server carries a client-made UUID, UTC
created/updated stamps and the server version it was last seen at (``server_version``). Device clocks never
decide anything: the stamps are for people, the server version is for sync.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

#: Namespace for deterministic ids (demo data, ids derived from codes).
INSPECTOR_NAMESPACE = uuid.UUID("6f1c2a4e-3b7d-5e8f-9a0b-1c2d3e4f5a6b")


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def stable_id(*parts: object) -> uuid.UUID:
    """A UUID derived from ``parts``: the same parts always give the same id (used for demo data)."""
    return uuid.uuid5(INSPECTOR_NAMESPACE, "/".join(str(p) for p in parts))


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back as an aware UTC datetime (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not UTC:  # naive means UTC; anything else is converted
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def timestamp_field(**kwargs: Any) -> Any:
    """A UTC timestamp column defaulting to now."""
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kwargs)


def code_field(**kwargs: Any) -> Any:
    """A short human code (``CAST-01``) indexed for look-up."""
    return Field(max_length=64, index=True, **kwargs)


class SyncedRecord(SQLModel):
    """Mixin: the columns every synced record has."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    #: The server's version of this record when this device last saw it (``None``: never synced).
    server_version: int | None = Field(default=None)


class Bilingual(SQLModel):
    """Mixin for things with a Chinese and an English name."""

    name_zh: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)

    def name(self, lang: str = "zh") -> str:
        """The name in ``lang`` ("zh" or "en"), falling back to the other language."""
        return pick(self.name_zh, self.name_en, lang)


def pick(zh: str | None, en: str | None, lang: str) -> str:
    """Text in the chosen language, falling back to the other one when empty."""
    first, second = (zh, en) if lang == "zh" else (en, zh)
    return first or second or ""
