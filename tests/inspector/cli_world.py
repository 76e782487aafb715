"""What the command-line tests share: run ``inspector`` in this process, a small group's database, a crash log."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from inspector.cli import main
from inspector.store import open_store
from tests.inspector.award_world import build_award_world


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the command line in this process: (exit code, what it printed to stderr, whitespace squeezed)."""
    with pytest.raises(SystemExit) as exit_info:
        main(args)
        raise SystemExit(0)  # a command that returns normally
    err = " ".join(capsys.readouterr().err.split())
    assert "Traceback" not in err
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), err


def digest(path: Path) -> str:
    """The SHA-256 of a file: "untouched" means the same digest after the command."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_world_db(db_path: Path) -> Path:
    """A small group with one campaign (SPM-2022), its teams at U1/W1/T1 … U2/W2/T2, stored at ``db_path``."""
    store = open_store(db_path)
    with store.session() as session:
        build_award_world(session)
        session.commit()
    store.close()
    return db_path


def private_crash_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where an unexpected error would write its traceback (it must stay empty for a user's mistake)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state"
