"""A bundle imported on a supervisor's laptop whose device is revoked before it is forwarded.

The server refuses that bundle (its device is revoked); the refusal is about the bundle, not about the supervisor's
own token, so the supervisor's sync goes on: the bundle is marked with the reason and not sent again, and the
supervisor's own changes are pushed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from sqlmodel import select

from inspector.models import ImportedBundle
from sync.client.http import SyncError
from sync.server.devices import revoke
from tests.sync.bundle_world import Supervisor, export, supervisor
from tests.sync.conftest import Laptop, RunningServer
from tests.sync.test_bundle_import_cli import run_import
from tests.sync.test_faults import inspector, seeded
from tests.sync.world import WORLD, new_inspection


def imported_bundle(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch
) -> tuple[Supervisor, Laptop]:
    """A synced supervisor's laptop that imported (offline) an inspector's bundle of 3 changes, not yet forwarded."""
    sup = supervisor(server, seeded(server, tmp_path, laptops), "sup", tmp_path / "sup-data")
    ins = inspector(server, tmp_path, laptops, "ins", "INS-1")
    sup.sync()
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    bundle = tmp_path / "ins.bundle"
    assert export(server, ins, "ins", bundle) == 3
    assert run_import(sup, bundle, "en", monkeypatch).startswith("0|")  # offline, on the supervisor's laptop
    return sup, ins


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_revoked_devices_imported_bundle_does_not_stop_the_supervisors_sync(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    sup, ins = imported_bundle(server, tmp_path, laptops, monkeypatch)

    with Session(server.engine) as s:  # the inspector's laptop is lost: its device is revoked
        revoke(s, ins.client.me().device_id)
        s.commit()
    new_inspection(sup.laptop.store, WORLD.inspector_1, WORLD.team_a, answers=1)  # the supervisor's own work

    report = sup.sync()  # must not stop as if the supervisor's own device were revoked
    assert report.pushed >= 2
    assert any("E_AUTH_REVOKED" in e for e in report.errors), report.errors
    with sup.laptop.store.session() as s:
        kept = s.exec(select(ImportedBundle)).one()
        assert kept.forward_error.startswith("E_AUTH_REVOKED") and kept.forwarded_epoch
    again = sup.sync()  # marked: not sent again
    assert not any("E_AUTH_REVOKED" in e for e in again.errors), again.errors


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_supervisors_own_revocation_still_stops_the_sync_and_keeps_the_bundle(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    sup, _ = imported_bundle(server, tmp_path, laptops, monkeypatch)

    with Session(server.engine) as s:
        revoke(s, sup.laptop.client.me().device_id)
        s.commit()
    with pytest.raises(SyncError) as caught:
        sup.sync()
    assert caught.value.code == "E_AUTH_REVOKED"
    with sup.laptop.store.session() as s:
        kept = s.exec(select(ImportedBundle)).one()
        assert not kept.forwarded_epoch and not kept.forward_error  # kept, to be forwarded by whoever syncs it
