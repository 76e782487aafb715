"""The group's device keys on a supervisor's laptop, so it can check bundles where there is no network at all.

A bundle is signed with a key derived from its device's token (:func:`sync.protocol.bundle_key`); the server knows
every device's key, and hands the list to supervisors' devices at each sync (``GET /devices/bundle-keys``). The list
is kept beside the device token, outside the database file and readable by its owner only: a key lets its holder
sign bundles in that device's name, so it is as private as the token (though it cannot call the server).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from pydantic import ValidationError

from inspector.errors import InspectorError
from sync.client.http import SyncClient, SyncError
from sync.protocol import BundleKey, BundleKeys

FILE_NAME = "sync-bundle-keys.json"


def bundle_keys_path(data_dir: Path) -> Path:
    return Path(data_dir).expanduser() / FILE_NAME


def save_bundle_keys(path: Path, keys: BundleKeys) -> None:
    """Write atomically with 0600 permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(keys.model_dump_json(indent=2))
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def load_bundle_keys(path: Path) -> BundleKeys | None:
    """The saved keys, ``None`` when this laptop never fetched them."""
    if not path.exists():
        return None
    try:
        return BundleKeys.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as exc:
        raise InspectorError(
            "E_BUNDLE_KEYS",
            f"The device key file {path} is damaged; sync once on the network to fetch it again.",
            f"设备密钥文件 {path} 已损坏，请在有网络时同步一次以重新获取。",
        ) from exc


def refresh_bundle_keys(client: SyncClient, path: Path) -> BundleKeys:
    """Fetch the current keys from the server (a supervisor's device) and keep them."""
    response = client.request("GET", "/devices/bundle-keys")
    try:
        keys = BundleKeys.model_validate_json(response.content)
    except ValidationError as exc:
        raise SyncError("E_BAD_ANSWER", "The server's list of device keys is not understood.") from exc
    save_bundle_keys(path, keys)
    return keys


def find_key(keys: BundleKeys, device_id: uuid.UUID) -> BundleKey | None:
    return next((k for k in keys.devices if k.device_id == device_id), None)
