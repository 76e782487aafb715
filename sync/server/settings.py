"""Server settings, read from ``INSPECTOR_SERVER_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    """A SQLite file in the user's data directory: the one-machine trial."""
    path = user_data_path("inspector", appauthor=False) / "server.db"
    return f"sqlite:///{path}"


class ServerSettings(BaseSettings):
    """How the central server runs."""

    model_config = SettingsConfigDict(env_prefix="INSPECTOR_SERVER_", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    """SQLAlchemy URL: ``postgresql+psycopg://user@host/db`` in production, ``sqlite:///file`` for a trial."""

    host: str = "127.0.0.1"
    """Address to listen on."""

    port: int = 8765
    """Port to listen on."""

    workers: int = 1
    """uvicorn worker processes (they share the database; the server keeps no state of its own)."""

    max_request_bytes: int = 32 * 1024 * 1024
    """Largest request body accepted (413 above it)."""

    token_days: int = 365
    """How long a device token is valid before it must be rotated."""

    enroll_code_hours: int = 72
    """How long a one-time enrolment code is valid."""

    pool_size: int = 10
    """Database connections per worker (PostgreSQL)."""

    background_apply: bool = True
    """Apply batches received through ``/push/log`` in a background thread of each worker. Without it a device's
    batches are applied when that device next pushes, pulls or asks for its outcomes (its sync does all three), or
    by another worker's applier; other devices do not see them before."""

    accept_legacy_bundles: bool = True
    """Accept, from a device that has not registered its own signing key yet, a format 1 bundle (HMAC-signed) and
    the key proof that registers the key its first format 2 bundle carries. Both are made from the token's hash,
    which the server database holds: set ``INSPECTOR_SERVER_ACCEPT_LEGACY_BUNDLES=false`` once every laptop has
    synced since it was updated, so a reader of that database cannot sign a bundle in a device's name."""

    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite():
            return None
        return Path(self.database_url.split("///", 1)[1])
