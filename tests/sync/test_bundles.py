"""Bundles for plants without network: signed, applied with the same rules, importing twice changes nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from inspector.cli import app
from inspector.models import Finding
from sync.client.bundle import export_bundle, read_bundle
from sync.client.credentials import Credentials, load_credentials, save_credentials
from sync.client.http import SyncError
from sync.protocol import ChangeStatus, DeviceRole
from sync.server.bundles import apply_bundle
from tests.sync.conftest import Laptop, RunningServer, make_laptop
from tests.sync.helpers import outbox_states, server_records
from tests.sync.test_faults import inspector, seeded
from tests.sync.world import WORLD, new_inspection


def credentials_of(server: RunningServer, laptop: Laptop, name: str) -> Credentials:
    me = laptop.client.me()
    return Credentials(
        server.url,
        me.device_id,
        server.tokens[name],
        name,
        me.role.value,
        me.person_code,
        me.expires_at or __import__("inspector.models", fromlist=["utcnow"]).utcnow(),
        signing_key=server.keys[name],
        key_registered=True,
    )


def test_a_bundle_carries_changes_and_photos_and_imports_once(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    sup = seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    inspection = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=3)
    photo = tmp_path / "guard.jpg"
    photo.write_bytes(b"\xff\xd8" + b"x" * 5000)
    with ins.store.session() as s:
        s.add(
            Finding(
                inspection_id=inspection,
                description="护栏缺失",
                team_id=WORLD.team_a,
                deadline=date(2022, 6, 9),
                photo_paths=[str(photo)],
            )
        )
        s.commit()
    out = tmp_path / "usb" / "ins.bundle"
    assert export_bundle(ins.store, credentials_of(server, ins, "ins"), out) == 5
    bundle = read_bundle(out)
    first = sup.client.upload_bundle(bundle)
    assert [r.status for r in first.results] == [ChangeStatus.APPLIED] * 5
    second = sup.client.upload_bundle(bundle)
    assert [r.status for r in second.results] == [ChangeStatus.DUPLICATE] * 5
    assert len(server_records(server.engine, "answer")) == 3 and len(server_records(server.engine, "finding")) == 1
    # When the inspector's laptop later gets network, its outbox is answered as duplicates: acknowledged, no copies.
    report = ins.sync()
    assert report.duplicates == 5 and outbox_states(ins.store) == {"acked": 5}  # type: ignore[attr-defined]
    assert len(server_records(server.engine, "inspection")) == 1


def test_a_tampered_or_foreign_bundle_is_refused(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> None:
    sup = seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    out = tmp_path / "ins.bundle"
    export_bundle(ins.store, credentials_of(server, ins, "ins"), out)
    data = json.loads(out.read_text())
    data["changes"][0]["payload"]["note"] = "altered on the USB stick"
    out.write_text(json.dumps(data))
    with pytest.raises(SyncError) as caught:
        sup.client.upload_bundle(read_bundle(out))
    assert caught.value.code == "E_BUNDLE_SIGNATURE"
    assert server_records(server.engine, "inspection") == {}
    with pytest.raises(SyncError) as not_supervisor:
        ins.client.upload_bundle(read_bundle(out))
    assert not_supervisor.value.code == "E_FORBIDDEN"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_cli_exports_and_the_server_imports_a_bundle(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    data_dir = tmp_path / "ins-data"
    save_credentials(data_dir / "sync-device.json", credentials_of(server, ins, "ins"))
    assert (data_dir / "sync-device.json").stat().st_mode & 0o777 == 0o600
    assert load_credentials(data_dir / "sync-device.json") is not None
    monkeypatch.setenv("INSPECTOR_LANG", "en")
    runner = CliRunner()
    out = tmp_path / "ins.bundle"
    result = runner.invoke(
        app, ["sync", "export", "--out", str(out), "--db", str(ins.store.path), "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 3 pending changes" in result.output
    for expected in ("applied 3", "duplicates 3"):
        result = runner.invoke(
            app, ["server", "import-bundle", str(out), "--database-url", server.settings.database_url]
        )
        assert result.exit_code == 0, result.output
        assert expected in result.output
    broken = tmp_path / "broken.bundle"
    broken.write_text("{not json")
    result = runner.invoke(
        app, ["server", "import-bundle", str(broken), "--database-url", server.settings.database_url]
    )
    assert result.exit_code == 1 and "is not an inspector bundle" in result.output
    with Session(server.engine) as s:
        assert apply_bundle(s, read_bundle(out)).results[0].status == ChangeStatus.DUPLICATE
    assert make_laptop is not None and DeviceRole is not None
