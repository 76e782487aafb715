"""The group's public device keys on a supervisor's laptop, so it can check bundles where there is no network.

Each laptop signs its bundles with its own Ed25519 key (:mod:`sync.bundle_signature`) and registers the public
half with the server, which hands the list of public keys to supervisors' devices at each sync
(``GET /devices/bundle-keys``). The list holds nothing secret: with it a laptop can check a bundle, never sign one.
It is kept beside the device token (``sync-bundle-keys.json``), outside the database file, written atomically.

Before per-device keys, this file held every device's *secret* HMAC key (derived from its token), with which its
holder could sign bundles in any device's name. Such a file is deleted the first time this version reads the list
or syncs (:func:`discard_legacy_keys`); the next sync fetches the public keys.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from pydantic import ValidationError

from inspector.errors import InspectorError
from sync.client.credentials import write_private
from sync.client.http import SyncClient, SyncError
from sync.protocol import BundleKey, BundleKeys

FILE_NAME = "sync-bundle-keys.json"


def bundle_keys_path(data_dir: Path) -> Path:
    return Path(data_dir).expanduser() / FILE_NAME


def save_bundle_keys(path: Path, keys: BundleKeys) -> None:
    """Write atomically with 0600 permissions (public keys only, but the names of the group's people too)."""
    write_private(path, keys.model_dump_json(indent=2))


def _holds_secret_keys(data: object) -> bool:
    """Whether parsed JSON is the old list of secret HMAC keys (a ``key`` per device)."""
    if not isinstance(data, dict) or not isinstance(data.get("devices"), list):
        return False
    return any(isinstance(d, dict) and "key" in d for d in data["devices"])


def discard_legacy_keys(path: Path) -> bool:
    """Delete an old list of secret device keys at ``path`` (see the module's docstring); True when one was."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # missing, or damaged: load_bundle_keys reports the damage
    if not _holds_secret_keys(data):
        return False
    path.unlink(missing_ok=True)
    return True


def load_bundle_keys(path: Path) -> BundleKeys | None:
    """The saved public keys, ``None`` when this laptop never fetched them (or held only the old secret ones,
    which are deleted now)."""
    if discard_legacy_keys(path) or not path.exists():
        return None
    try:
        return BundleKeys.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, ValidationError) as exc:
        raise InspectorError(
            "E_BUNDLE_KEYS",
            f"The device key file {path} is damaged; sync once on the network to fetch it again. Nothing was imported.",
            f"设备密钥文件 {path} 已损坏，请在有网络时同步一次以重新获取。未导入任何内容。",
        ) from exc


def refresh_bundle_keys(client: SyncClient, path: Path) -> BundleKeys:
    """Fetch the current public keys from the server (a supervisor's device) and keep them."""
    response = client.request("GET", "/devices/bundle-keys")
    try:
        keys = BundleKeys.model_validate_json(response.content)
    except ValidationError as exc:
        raise SyncError(
            "E_BAD_ANSWER",
            "The server's list of device keys is not understood.",
            zh="无法理解服务器发来的设备密钥列表。",
        ) from exc
    save_bundle_keys(path, keys)
    return keys


def find_key(keys: BundleKeys, device_id: uuid.UUID) -> BundleKey | None:
    return next((k for k in keys.devices if k.device_id == device_id), None)
