"""Settings of the laptop application, read from ``INSPECTOR_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "inspector"


def default_db_path() -> Path:
    """The laptop's database file in the user's data directory."""
    return user_data_path(APP_NAME, appauthor=False) / "inspector.db"


class Settings(BaseSettings):
    """Where the laptop keeps its data and how it presents itself."""

    model_config = SettingsConfigDict(env_prefix="INSPECTOR_", extra="ignore")

    db: Path = Field(default_factory=default_db_path)
    """Path of the SQLite database file (``INSPECTOR_DB``; ``--db`` on the command line wins)."""

    lang: str | None = None
    """Interface language, ``zh`` or ``en`` (``INSPECTOR_LANG``); unset: the remembered choice, then the locale."""

    server_url: str | None = None
    """Central server URL for sync (``INSPECTOR_SERVER_URL``); unset: the enrolled server."""

    data_dir: Path = Field(default_factory=lambda: user_data_path(APP_NAME, appauthor=False))
    """Folder for the device token, attachments and other per-laptop files (``INSPECTOR_DATA_DIR``)."""


def load_settings(db: Path | None = None) -> Settings:
    """Settings from the environment, with an explicit database path taking precedence."""
    settings = Settings()
    if db is not None:
        settings = settings.model_copy(update={"db": db})
    return settings
