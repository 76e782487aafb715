"""The device token and the laptop's bundle-signing key, kept outside the database file (in the user's data
directory, readable by its owner only).

Keeping them out of ``inspector.db`` means a copied or backed-up database never carries the credential. The
Ed25519 private key that signs this laptop's bundles (:mod:`sync.bundle_signature`) lives in the same file as the
token, so both are written together, atomically, with the same 0600 permissions, and a new enrolment replaces both.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path

from inspector.errors import InspectorError
from sync.bundle_signature import BadKey, new_private_key, public_key_of

FILE_NAME = "sync-device.json"


@dataclass(frozen=True)
class Credentials:
    server_url: str
    device_id: uuid.UUID
    token: str = field(repr=False)
    name: str
    role: str
    person_code: str | None
    expires_at: datetime
    #: The group's server id (written into bundles; empty for devices enrolled before groups had ids).
    group: str = ""
    #: This laptop's Ed25519 private key (base64) that signs its bundles; empty on a laptop enrolled before keys.
    signing_key: str = field(default="", repr=False)
    #: Whether the server is known to hold the public half (sent at enrolment, or registered at a later sync).
    key_registered: bool = False

    @property
    def public_key(self) -> str:
        """The public half of :attr:`signing_key` (base64); empty when there is none yet."""
        return public_key_of(self.signing_key) if self.signing_key else ""


def credentials_path(data_dir: Path) -> Path:
    return Path(data_dir).expanduser() / FILE_NAME


def save_credentials(path: Path, credentials: Credentials) -> None:
    """Write atomically with 0600 permissions (the token and the key never touch a world-readable file)."""
    data = asdict(credentials)
    data["device_id"] = str(credentials.device_id)
    data["expires_at"] = credentials.expires_at.isoformat()
    write_private(path, json.dumps(data, indent=2))


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically and durably, readable by its owner only (0600 from the moment
    the temporary file exists, unlike :func:`inspector.output_file.replacing`, whose file starts world-readable).
    On any failure the temporary file is removed and the file saved before is as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    except BaseException:  # a full disk: no half-written token file is left; the saved one is as it was
        tmp.unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)


def _sync_directory(folder: Path) -> None:
    """Make the rename durable: after a power cut the file is the new one, not the old one with a token the server
    already ended (``sync rotate``) or without the key a bundle was just signed with. Windows cannot open a folder
    (NTFS journals the rename itself); a file system that cannot sync a folder leaves the file saved all the same."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # e.g. EINVAL on a file system without directory sync: the file itself is in place and synced
    finally:
        os.close(fd)


def load_credentials(path: Path) -> Credentials | None:
    """The saved credentials, ``None`` when this laptop was never enrolled."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        credentials = Credentials(
            server_url=data["server_url"],
            device_id=uuid.UUID(data["device_id"]),
            token=data["token"],
            name=data["name"],
            role=data["role"],
            person_code=data.get("person_code"),
            expires_at=datetime.fromisoformat(data["expires_at"]),
            group=str(data.get("group") or ""),
            signing_key=str(data.get("signing_key") or ""),
            key_registered=bool(data.get("key_registered", False)),
        )
        _ = credentials.public_key  # a damaged key is reported here, not halfway through an export
        return credentials
    except (OSError, ValueError, KeyError, TypeError, BadKey) as exc:
        raise InspectorError(
            "E_SYNC_CREDENTIALS",
            f"The device token file {path} is damaged ({exc}); enrol this laptop again.",
            f"设备令牌文件 {path} 已损坏（{exc}），请重新登记本机。",
        ) from exc


@contextmanager
def _key_lock(path: Path) -> Iterator[None]:
    """Held while a laptop's first key is made, so two processes never make two (POSIX; elsewhere a no-op)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(path.with_name(path.name + ".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def with_signing_key(path: Path, credentials: Credentials) -> Credentials:
    """``credentials`` with this laptop's signing key: a laptop enrolled before keys existed gets one now (kept in
    ``path`` before it is used, so every bundle it ever signs is signed with the same key)."""
    if credentials.signing_key:
        return credentials
    try:
        with _key_lock(path):
            # Another process (the app's background sync, an export in a terminal) may have made the key since
            # ``credentials`` were read: that key is the laptop's, one key per laptop.
            current = load_credentials(path)
            if current is not None and current.signing_key and current.device_id == credentials.device_id:
                return current
            updated = replace(credentials, signing_key=new_private_key(), key_registered=False)
            save_credentials(path, updated)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InspectorError(
            "E_SYNC_CREDENTIALS",
            f"This laptop's signing key cannot be kept in {path} ({reason}); nothing was signed.",
            f"无法将本机的签名密钥保存到 {path}（{reason}）；未签名任何内容。",
        ) from exc
    return updated
