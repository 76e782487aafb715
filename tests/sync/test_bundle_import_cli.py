"""`inspector sync import FILE` on a supervisor's laptop: clear messages (zh/en) for every bundle it refuses, never
a traceback, nothing imported from a refused bundle; the keys it checks with come only to supervisors' devices."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session
from sqlmodel import func, select
from typer.testing import CliRunner

from inspector.cli import app
from inspector.models import ImportedBundle, Inspection
from sync.bundle_signature import sign
from sync.client.bundle import export_bundle
from sync.client.credentials import Credentials
from sync.protocol import BundleKeys, DeviceRole
from sync.server.devices import revoke
from tests.sync.bundle_world import FAR, Supervisor, credentials, export, supervisor
from tests.sync.conftest import Laptop, RunningServer, start_server
from tests.sync.test_faults import inspector, seeded
from tests.sync.world import WORLD, new_inspection

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

#: All a supervisor's laptop learns of each device: public data, nothing that signs or authenticates.
PUBLIC_FIELDS = {"device_id", "name", "role", "person_code", "public_key", "key_id", "revoked"}


def flat(text: str) -> str:
    """The output without the line breaks and spaces a terminal's wrapping adds."""
    return "".join(text.split())


def run_import(sup: Supervisor, bundle: Path, lang: str, monkeypatch: pytest.MonkeyPatch, *extra: str) -> str:
    monkeypatch.setenv("INSPECTOR_LANG", lang)
    result = CliRunner().invoke(
        app,
        [
            "sync",
            "import",
            str(bundle),
            "--db",
            str(sup.laptop.store.path),
            "--data-dir",
            str(sup.paths.data_dir),
            *extra,
        ],
    )
    assert "Traceback" not in result.output and not isinstance(result.exception, AssertionError)
    return f"{result.exit_code}|{result.output}"


def imported_count(sup: Supervisor) -> int:
    with sup.laptop.store.session() as s:
        return int(s.exec(select(func.count()).select_from(ImportedBundle)).one())


@pytest.fixture
def world(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> tuple[Supervisor, Laptop, Path]:
    sup = supervisor(server, seeded(server, tmp_path, laptops), "sup", tmp_path / "sup-data")
    ins = inspector(server, tmp_path, laptops, "ins", "INS-1")
    sup.sync()
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    bundle = tmp_path / "ins.bundle"
    assert export(server, ins, "ins", bundle) == 3
    return sup, ins, bundle


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_command_imports_into_this_laptop_and_says_what_happened(
    world: tuple[Supervisor, Laptop, Path], lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sup, _ins, bundle = world
    out = run_import(sup, bundle, lang, monkeypatch)
    expected = (
        "Imported ins's bundle into this laptop: applied 3, duplicates 0, conflicts 0, rejected 0"
        if lang == "en"
        else "已将 ins 的离线包导入本机：应用 3，重复 0，冲突 0，被拒 0"
    )
    assert out.startswith("0|") and flat(expected) in flat(out)
    out = run_import(sup, bundle, lang, monkeypatch)
    again = "had been imported before" if lang == "en" else "之前已导入过"
    assert out.startswith("0|") and flat(again) in flat(out) and ("duplicates 3" in out or "重复 3" in out)
    assert imported_count(sup) == 1


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rejected_changes_are_listed_with_their_reason(
    server: RunningServer,
    world: tuple[Supervisor, Laptop, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
) -> None:
    sup, ins, _bundle = world
    new_inspection(ins.store, WORLD.inspector_2, WORLD.team_a, answers=0)  # in another inspector's name
    bundle = tmp_path / "forged.bundle"
    export(server, ins, "ins", bundle)
    out = run_import(sup, bundle, lang, monkeypatch)
    assert out.startswith("0|") and "E_FORBIDDEN" in out
    if lang == "en":
        assert "rejected 1" in out
        assert flat("The bundle's device ins (inspector) may not change this inspection") in flat(out)
    else:
        assert "被拒1" in flat(out) and "may not" not in out
        assert flat("离线包的设备 ins（inspector）无权修改此检查") in flat(out)


def tampered(bundle: Path, tmp_path: Path) -> Path:
    data = json.loads(bundle.read_text())
    data["changes"][0]["payload"]["note"] = "altered on the USB stick"
    out = tmp_path / "tampered.bundle"
    out.write_text(json.dumps(data))
    return out


def truncated(bundle: Path, tmp_path: Path) -> Path:
    out = tmp_path / "truncated.bundle"
    out.write_bytes(bundle.read_bytes()[: bundle.stat().st_size // 2])
    return out


def newer_format(bundle: Path, tmp_path: Path) -> Path:
    data = json.loads(bundle.read_text())
    data["format"] = "inspector-bundle/3"
    data["new_field_of_the_future"] = True
    out = tmp_path / "newer.bundle"
    out.write_text(json.dumps(data))
    return out


def newer_schema(bundle: Path, tmp_path: Path) -> Path:
    data = json.loads(bundle.read_text())
    data["changes"][0]["schema_version"] = 99
    out = tmp_path / "newer-schema.bundle"
    out.write_text(json.dumps(data))
    return out


def not_a_bundle(bundle: Path, tmp_path: Path) -> Path:
    out = tmp_path / "photo.jpg"
    out.write_bytes(b"\xff\xd8\xff\xe0 not a bundle")
    return out


REFUSALS = [
    (tampered, "was altered after it was written", "写出后被改动过"),
    (truncated, "is incomplete", "不完整"),
    (newer_format, "written by a newer version of inspector", "由更新版本的inspector写出"),
    (newer_schema, "data format 99", "数据格式99"),
    (not_a_bundle, "it is not a bundle", "不是离线包"),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("make,english,chinese", REFUSALS, ids=[r[0].__name__ for r in REFUSALS])
def test_a_damaged_or_newer_bundle_is_refused_clearly_and_nothing_is_imported(
    world: tuple[Supervisor, Laptop, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    make: object,
    english: str,
    chinese: str,
) -> None:
    sup, _ins, bundle = world
    bad = make(bundle, tmp_path)  # type: ignore[operator]
    out = run_import(sup, bad, lang, monkeypatch)
    assert out.startswith("1|"), out
    assert flat(english if lang == "en" else chinese) in flat(out), out
    assert flat("nothing was imported" if lang == "en" else "未导入任何内容") in flat(out).lower()
    assert imported_count(sup) == 0
    with sup.laptop.store.session() as s:
        assert s.exec(select(func.count()).select_from(Inspection)).one() == 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_bundle_of_another_groups_device_is_refused(
    server: RunningServer,
    world: tuple[Supervisor, Laptop, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
) -> None:
    sup, ins, _bundle = world
    other = start_server(f"sqlite:///{tmp_path / 'other-group.db'}")  # another group's own server
    try:
        token = other.enroll("their-laptop", DeviceRole.INSPECTOR, "INS-1")
        their = Credentials(
            other.url,
            other.client(token).me().device_id,
            token,
            "their-laptop",
            "inspector",
            "INS-1",
            FAR,
            signing_key=other.keys["their-laptop"],
            key_registered=True,
        )
        with Session(other.engine) as s:
            from sync.server.db import get_meta

            group = get_meta(s, "group") or ""
    finally:
        other.stop()
        other.engine.dispose()
    foreign = tmp_path / "foreign.bundle"
    export_bundle(ins.store, Credentials(**{**their.__dict__, "group": group}), foreign)
    out = run_import(sup, foreign, lang, monkeypatch)
    assert out.startswith("1|")
    assert flat("comes from another group's server" if lang == "en" else "来自另一个集团的服务器") in flat(out)
    # A device enrolled before groups had ids carries none: it is refused as a device this group does not know.
    anonymous = tmp_path / "anonymous.bundle"
    export_bundle(ins.store, their, anonymous)
    out = run_import(sup, anonymous, lang, monkeypatch)
    assert out.startswith("1|")
    assert flat("which this laptop does not know" if lang == "en" else "本机所知的本集团设备中没有它") in flat(out)
    assert imported_count(sup) == 0


def test_without_the_groups_keys_the_laptop_says_how_to_get_them(
    server: RunningServer, world: tuple[Supervisor, Laptop, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sup, _ins, bundle = world
    fresh = Supervisor(sup.laptop, type(sup.paths)(tmp_path / "never-synced"))
    for lang, fragment in (("en", "sync once on the network"), ("zh", "在有网络时同步一次")):
        out = run_import(fresh, bundle, lang, monkeypatch)
        assert out.startswith("1|") and flat(fragment) in flat(out)
    # The same bundle can still go straight to the server when there is network.
    out = run_import(sup, bundle, "en", monkeypatch, "--to-server")
    assert out.startswith("0|") and "Bundle imported: applied 3" in out
    assert imported_count(sup) == 0


def test_a_revoked_devices_bundle_is_refused_after_the_next_key_refresh(
    server: RunningServer, world: tuple[Supervisor, Laptop, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    sup, ins, bundle = world
    with Session(server.engine) as s:
        revoke(s, ins.client.me().device_id)
        s.commit()
    sup.sync()
    out = run_import(sup, bundle, "en", monkeypatch)
    assert out.startswith("1|") and "revoked device ins" in out
    from sync.client.bundle import read_bundle
    from sync.client.http import SyncError

    with pytest.raises(SyncError) as caught:  # the server refuses it too, though its key is the device's own
        sup.laptop.client.upload_bundle(read_bundle(bundle))
    assert caught.value.code == "E_AUTH_REVOKED"


def test_only_a_supervisors_device_gets_the_groups_bundle_keys(
    server: RunningServer, world: tuple[Supervisor, Laptop, Path]
) -> None:
    _sup, ins, _bundle = world
    server.enroll("tl", DeviceRole.TEAM_LEADER, "TL-A")
    server.enroll("aud", DeviceRole.AUDITOR)
    for name in ("ins", "tl", "aud"):
        response = httpx.get(
            f"{server.url}/devices/bundle-keys", headers={"authorization": f"Bearer {server.tokens[name]}"}, timeout=10
        )
        assert response.status_code == 403 and response.json()["code"] == "E_FORBIDDEN"
    assert httpx.get(f"{server.url}/devices/bundle-keys", timeout=10).status_code == 401
    response = httpx.get(
        f"{server.url}/devices/bundle-keys", headers={"authorization": f"Bearer {server.tokens['sup']}"}, timeout=10
    )
    assert response.status_code == 200
    body = response.json()
    names = {d["name"] for d in body["devices"]}
    assert {"sup", "ins", "tl", "aud"} <= names and body["group"] == credentials(server, ins, "ins").group
    assert all(set(d) == PUBLIC_FIELDS and server.tokens[d["name"]] not in response.text for d in body["devices"])
    assert uuid.UUID(body["group"])


def test_the_next_inspector_sync_hands_the_imported_bundle_to_the_server(
    server: RunningServer, world: tuple[Supervisor, Laptop, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.sync.helpers import server_records

    sup, _ins, bundle = world
    assert run_import(sup, bundle, "en", monkeypatch).startswith("0|")
    result = CliRunner().invoke(
        app, ["sync", "--db", str(sup.laptop.store.path), "--data-dir", str(sup.paths.data_dir)]
    )
    assert result.exit_code == 0, result.output
    assert flat("Handed 1 imported bundles to the server (3 changes)") in flat(result.output)
    assert len(server_records(server.engine, "inspection")) == 1 and len(server_records(server.engine, "answer")) == 2
    again = CliRunner().invoke(app, ["sync", "--db", str(sup.laptop.store.path), "--data-dir", str(sup.paths.data_dir)])
    assert again.exit_code == 0 and "Handed" not in again.output


def test_the_server_also_refuses_another_groups_or_a_newer_bundle(
    server: RunningServer, world: tuple[Supervisor, Laptop, Path]
) -> None:
    from sync.client.bundle import read_bundle, sign_bundle

    sup, ins, bundle = world
    original = read_bundle(bundle)
    own = credentials(server, ins, "ins")
    # A genuine signature (the inspector's own key): only the group gives it away.
    foreign = sign_bundle(original.model_copy(update={"group": str(uuid.uuid4())}), own)
    newer = original.model_copy(update={"format": "inspector-bundle/3"})
    newer.signature = sign(own.signing_key, newer.signed_body())
    headers = {"authorization": f"Bearer {server.tokens['sup']}", "content-type": "application/json"}
    for made, code in ((foreign, "E_BUNDLE_GROUP"), (newer, "E_BUNDLE_FORMAT")):
        response = httpx.post(f"{server.url}/bundles", content=made.model_dump_json(), headers=headers, timeout=10)
        assert response.status_code == 422 and response.json()["code"] == code, response.text
    assert sup.laptop.client.upload_bundle(original).results[0].status.value == "applied"
    assert ins is not None


def load_keys(sup: Supervisor) -> BundleKeys:
    from sync.client.trust import load_bundle_keys

    keys = load_bundle_keys(sup.paths.bundle_keys)
    assert keys is not None
    return keys
