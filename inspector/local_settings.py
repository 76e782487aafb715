"""What this laptop remembers between runs (signed-in person, language, sync cursor, …)."""

from __future__ import annotations

from sqlmodel import Session

from inspector.models import LocalSetting


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    """The remembered value of ``key``, or ``default``."""
    row = session.get(LocalSetting, key)
    return row.value if row is not None else default


def set_setting(session: Session, key: str, value: str) -> None:
    """Remember ``value`` under ``key`` (the caller commits)."""
    row = session.get(LocalSetting, key)
    if row is None:
        session.add(LocalSetting(key=key, value=value))
    else:
        row.value = value
        session.add(row)
