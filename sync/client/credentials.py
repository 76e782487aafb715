"""The device token, kept outside the database file (in the user's data directory, readable by its owner only).

Keeping it out of ``inspector.db`` means a copied or backed-up database never carries the credential.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from inspector.errors import InspectorError

FILE_NAME = "sync-device.json"


@dataclass(frozen=True)
class Credentials:
    server_url: str
    device_id: uuid.UUID
    token: str
    name: str
    role: str
    person_code: str | None
    expires_at: datetime
    #: The group's server id (written into bundles; empty for devices enrolled before groups had ids).
    group: str = ""


def credentials_path(data_dir: Path) -> Path:
    return Path(data_dir).expanduser() / FILE_NAME


def save_credentials(path: Path, credentials: Credentials) -> None:
    """Write atomically with 0600 permissions (the token never touches a world-readable file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(credentials)
    data["device_id"] = str(credentials.device_id)
    data["expires_at"] = credentials.expires_at.isoformat()
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def load_credentials(path: Path) -> Credentials | None:
    """The saved credentials, ``None`` when this laptop was never enrolled."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Credentials(
            server_url=data["server_url"],
            device_id=uuid.UUID(data["device_id"]),
            token=data["token"],
            name=data["name"],
            role=data["role"],
            person_code=data.get("person_code"),
            expires_at=datetime.fromisoformat(data["expires_at"]),
            group=str(data.get("group") or ""),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InspectorError(
            "E_SYNC_CREDENTIALS", f"The device token file {path} is damaged ({exc}); enrol again."
        ) from exc
