"""Fixtures shared by every test: a fresh database per test, never a shared one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.store import Store, open_store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Path of a fresh, not yet created database file."""
    return tmp_path / "inspector.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A freshly migrated, empty laptop database."""
    opened = open_store(db_path)
    yield opened
    opened.close()
