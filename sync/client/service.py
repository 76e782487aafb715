"""What the CLI and the app call: enrol this laptop, run one sync, with the credentials file handled here."""

from __future__ import annotations

import platform
from dataclasses import dataclass, replace
from pathlib import Path

from inspector.errors import InspectorError
from inspector.store import Store
from sync import errors
from sync.bundle_signature import new_private_key, public_key_of
from sync.client.bundle_forward import ForwardReport, forward_bundles
from sync.client.credentials import (
    Credentials,
    credentials_path,
    load_credentials,
    save_credentials,
    with_signing_key,
)
from sync.client.engine import Progress, SyncEngine, SyncReport
from sync.client.http import SyncClient, SyncError
from sync.client.trust import bundle_keys_path, discard_legacy_keys, refresh_bundle_keys
from sync.protocol import DeviceRole


class NotEnrolled(InspectorError):
    def __init__(self) -> None:
        super().__init__("E_SYNC_NOT_ENROLLED", "This device is not enrolled: run `inspector sync enroll URL CODE`.")


@dataclass(frozen=True)
class SyncPaths:
    """Where this laptop keeps its sync files."""

    data_dir: Path

    @property
    def credentials(self) -> Path:
        return credentials_path(self.data_dir)

    @property
    def attachments(self) -> Path:
        return self.data_dir / "attachments"

    @property
    def bundle_keys(self) -> Path:
        """The group's device keys a supervisor's laptop checks bundles with (see :mod:`sync.client.trust`)."""
        return bundle_keys_path(self.data_dir)


def enroll(url: str, code: str, paths: SyncPaths, *, client: SyncClient | None = None) -> Credentials:
    """Exchange ``code`` for a token at ``url`` and keep it in the credentials file (0600), with the new key pair
    that signs this laptop's bundles (the server receives and keeps the public half)."""
    signing_key = new_private_key()
    own = client is None
    client = client or SyncClient(url)
    try:
        client.health()  # a captive portal or a wrong address fails here, clearly
        token = client.enroll(code, label=platform.node(), public_key=public_key_of(signing_key))
    finally:
        if own:
            client.close()
    credentials = Credentials(
        server_url=url.rstrip("/"),
        device_id=token.device_id,
        token=token.token,
        name=token.name,
        role=token.role.value,
        person_code=token.person_code,
        expires_at=token.expires_at,
        group=token.group,
        signing_key=signing_key,
        key_registered=True,
    )
    save_credentials(paths.credentials, credentials)
    return credentials


def require_credentials(paths: SyncPaths) -> Credentials:
    """This laptop's credentials, with its bundle-signing key (a laptop enrolled before keys existed gets one now;
    it is registered with the server at the next sync, :func:`register_signing_key`)."""
    found = load_credentials(paths.credentials)
    if found is None:
        raise NotEnrolled()
    return with_signing_key(paths.credentials, found)


def register_signing_key(client: SyncClient, paths: SyncPaths, credentials: Credentials) -> Credentials:
    """Register the laptop's public key with the server when it has not been yet (remembered in the credentials
    file). Raises :class:`SyncError` (``E_DEVICE_KEY_TAKEN`` when the server holds another key for this device)."""
    if credentials.key_registered:
        return credentials
    client.register_public_key(credentials.public_key)
    updated = replace(credentials, key_registered=True)
    save_credentials(paths.credentials, updated)
    return updated


def client_for(credentials: Credentials, *, attempts: int = 5, timeout: float = 30.0) -> SyncClient:
    return SyncClient(credentials.server_url, credentials.token, attempts=attempts, timeout=timeout)


def run_sync(
    store: Store,
    paths: SyncPaths,
    *,
    progress: Progress | None = None,
    client: SyncClient | None = None,
    attempts: int = 5,
    retry_rejected: bool = False,
    forwarded: ForwardReport | None = None,
    credentials: Credentials | None = None,
) -> SyncReport:
    """One sync of ``store`` with the enrolled server. Raises Offline / SyncError / NotEnrolled; keeps the outbox.

    On a supervisor's laptop it first hands the bundles imported here to the server (their devices' changes go
    ahead of the supervisor's own edits of them; counted in ``forwarded``), and afterwards refreshes the group's
    device keys that bundle imports are checked with. ``credentials``: those the caller already has from
    :func:`require_credentials` (else they are read here).
    """
    discard_legacy_keys(paths.bundle_keys)  # an older version's file of secret device keys is not kept
    credentials = credentials or require_credentials(paths)
    own = client is None
    client = client or client_for(credentials, attempts=attempts)
    try:
        key_error = None
        try:
            credentials = register_signing_key(client, paths, credentials)
        except SyncError as exc:
            if exc.code.startswith("E_AUTH"):
                raise  # the token itself: the sync stops with its message
            key_error = _key_warning(exc)  # pushing and pulling do not need the key: the sync goes on
        engine = SyncEngine(store, client, attachment_dir=paths.attachments, progress=progress)
        if retry_rejected:
            engine.retry_rejected()
        handed = forward_bundles(store, client)
        report = engine.run()
        if key_error:
            report.errors.append(key_error)
        report.errors.extend(handed.errors)
        if forwarded is not None:
            forwarded.bundles, forwarded.changes = handed.bundles, handed.changes
            forwarded.errors = handed.errors
        if credentials.role == DeviceRole.SUPERVISOR.value:
            try:
                refresh_bundle_keys(client, paths.bundle_keys)
            except SyncError as exc:
                report.errors.append(f"device keys: {exc.message}")
        return report
    finally:
        if own:
            client.close()


def _key_warning(exc: SyncError) -> str:
    """Why the signing key could not be registered, in both languages (sync warnings are shown as they are)."""
    known = errors.CATALOGUE.get(exc.code)
    if known is None:
        return f"bundle signing key / 离线包签名密钥: {exc.message}"
    return f"{known.en} / {known.zh}"
