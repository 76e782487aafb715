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

from sync.client.credentials import Credentials, load_credentials, save_credentials, with_signing_key
from sync.client.trust import load_bundle_keys, save_bundle_keys
from sync.protocol import BundleKey, BundleKeys, DeviceRole


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


def test_a_key_made_meanwhile_by_another_process_is_used_not_replaced(tmp_path: Path) -> None:
    """The app's background sync and `inspector sync export` both start from a keyless file (a laptop enrolled
    before keys): the second must take the first one's key, not overwrite it. Two keys for one laptop meant a bundle
    signed with the lost one, whose proof could register it on the server, and the laptop's own key then refused
    there for good (E_DEVICE_KEY_TAKEN)."""
    path = tmp_path / "sync-device.json"
    keyless = credentials("insp_tok")
    save_credentials(path, keyless)
    first = with_signing_key(path, keyless)  # one process
    second = with_signing_key(path, keyless)  # another, which read the file before the key was kept
    assert first.signing_key and second.signing_key == first.signing_key
    found = load_credentials(path)
    assert found is not None and found.signing_key == first.signing_key


def test_a_failed_write_of_the_device_key_list_leaves_the_saved_list_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list of the group's public keys is written like the token file: a full disk mid-write keeps the list
    saved before (a supervisor can still check bundles offline) and leaves no stray temporary file."""
    path = tmp_path / "data" / "sync-bundle-keys.json"
    device = BundleKey(
        device_id=uuid.UUID(int=7), name="LAPTOP-07", role=DeviceRole.INSPECTOR, person_code="INS-1", revoked=False
    )
    save_bundle_keys(path, BundleKeys(group="g1", devices=[device]))

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        save_bundle_keys(path, BundleKeys(group="g1", devices=[]))
    monkeypatch.undo()

    kept = load_bundle_keys(path)
    assert kept is not None and [d.name for d in kept.devices] == ["LAPTOP-07"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["sync-bundle-keys.json"]
