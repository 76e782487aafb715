"""What the CLI and the app call: enrol this laptop, run one sync, with the credentials file handled here."""

from __future__ import annotations

import platform
from dataclasses import dataclass
from pathlib import Path

from inspector.errors import InspectorError
from inspector.store import Store
from sync.client.bundle_forward import ForwardReport, forward_bundles
from sync.client.credentials import Credentials, credentials_path, load_credentials, save_credentials
from sync.client.engine import Progress, SyncEngine, SyncReport
from sync.client.http import SyncClient, SyncError
from sync.client.trust import bundle_keys_path, refresh_bundle_keys
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
    """Exchange ``code`` for a token at ``url`` and keep it in the credentials file (0600)."""
    own = client is None
    client = client or SyncClient(url)
    try:
        client.health()  # a captive portal or a wrong address fails here, clearly
        token = client.enroll(code, label=platform.node())
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
    )
    save_credentials(paths.credentials, credentials)
    return credentials


def require_credentials(paths: SyncPaths) -> Credentials:
    found = load_credentials(paths.credentials)
    if found is None:
        raise NotEnrolled()
    return found


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
) -> SyncReport:
    """One sync of ``store`` with the enrolled server. Raises Offline / SyncError / NotEnrolled; keeps the outbox.

    On a supervisor's laptop it first hands the bundles imported here to the server (their devices' changes go
    ahead of the supervisor's own edits of them; counted in ``forwarded``), and afterwards refreshes the group's
    device keys that bundle imports are checked with.
    """
    credentials = require_credentials(paths)
    own = client is None
    client = client or client_for(credentials, attempts=attempts)
    try:
        engine = SyncEngine(store, client, attachment_dir=paths.attachments, progress=progress)
        if retry_rejected:
            engine.retry_rejected()
        handed = forward_bundles(store, client)
        report = engine.run()
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
