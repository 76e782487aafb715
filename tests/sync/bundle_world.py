"""Helpers of the bundle-import tests: device credentials as the laptops hold them, a supervisor's data folder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from sync.client.bundle import export_bundle
from sync.client.credentials import Credentials, save_credentials
from sync.client.engine import SyncReport
from sync.client.service import SyncPaths, run_sync
from sync.server.db import get_meta
from tests.sync.conftest import Laptop, RunningServer

FAR = datetime(2100, 1, 1, tzinfo=UTC)


def credentials(server: RunningServer, laptop: Laptop, name: str) -> Credentials:
    """The device's credentials file as `inspector sync enroll` writes it (group included)."""
    me = laptop.client.me()
    with Session(server.engine) as s:
        group = get_meta(s, "group") or ""
    return Credentials(
        server.url,
        me.device_id,
        server.tokens[name],
        name,
        me.role.value,
        me.person_code,
        me.expires_at or FAR,
        group,
        signing_key=server.keys.get(name, ""),
        key_registered=name in server.keys,
    )


def export(server: RunningServer, laptop: Laptop, name: str, out: Path) -> int:
    return export_bundle(laptop.store, credentials(server, laptop, name), out)


@dataclass
class Supervisor:
    """A supervisor's laptop with its data folder (device token, device keys, attachments)."""

    laptop: Laptop
    paths: SyncPaths

    def sync(self) -> SyncReport:
        """A full sync as `inspector sync` runs it: forward imported bundles, push, pull, refresh the keys."""
        return run_sync(self.laptop.store, self.paths, client=self.laptop.client)


def supervisor(server: RunningServer, laptop: Laptop, name: str, folder: Path) -> Supervisor:
    paths = SyncPaths(folder)
    save_credentials(paths.credentials, credentials(server, laptop, name))
    return Supervisor(laptop, paths)
