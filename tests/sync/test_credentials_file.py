"""The device token file survives a power cut right after it was replaced.

``sync rotate`` ends the old token on the server at once, so the new one must be on disk for good when the command
says so: the new file's bytes are fsynced, and so must be the directory entry that the rename changed (without it, a
power cut can bring back the old file, with a token the server no longer accepts).
"""

from __future__ import annotations

import os
import stat
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sync.client.credentials import Credentials, load_credentials, save_credentials


def credentials(token: str) -> Credentials:
    return Credentials(
        server_url="http://127.0.0.1:8765",
        device_id=uuid.UUID(int=7),
        token=token,
        name="LAPTOP-07",
        role="inspector",
        person_code="INS-1",
        expires_at=datetime(2027, 11, 24, tzinfo=UTC),
    )


def test_the_replaced_token_file_and_its_directory_entry_are_made_durable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "data" / "sync-device.json"
    save_credentials(path, credentials("insp_old"))
    synced: list[tuple[str, str | None]] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            found = load_credentials(path)
            synced.append(("directory", found.token if found else None))
        else:
            synced.append(("file", None))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    save_credentials(path, credentials("insp_new"))

    assert synced == [("file", None), ("directory", "insp_new")]  # the directory after the rename
    found = load_credentials(path)
    assert found is not None and found.token == "insp_new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.with_name(path.name + ".tmp").exists()
