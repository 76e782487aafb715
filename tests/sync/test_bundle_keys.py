"""Each laptop signs its bundles with its own Ed25519 key: nobody else (a supervisor's laptop, a reader of the
server's database) can sign one in its name. Old HMAC bundles (format 1) still count on the server only; laptops
enrolled before keys existed get one at their next sync (or export) and register it once."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import func, select
from typer.testing import CliRunner, Result

from inspector.audit import canonical_json
from inspector.cli import app
from inspector.models import ImportedBundle, Inspection
from sync.bundle_signature import (
    PROOF_CONTEXT,
    key_id,
    key_proof,
    legacy_signature,
    new_private_key,
    public_key_of,
    sign,
)
from sync.client.bundle import read_bundle, sign_bundle
from sync.client.credentials import Credentials, load_credentials, save_credentials
from sync.client.http import SyncError
from sync.client.service import SyncPaths, enroll, run_sync
from sync.client.trust import load_bundle_keys
from sync.protocol import (
    BUNDLE_FORMAT,
    BUNDLE_FORMAT_NAME,
    LEGACY_BUNDLE_FORMAT,
    ChangeStatus,
    DeviceRole,
    bundle_key,
    token_hash,
)
from sync.server import tables
from sync.server.devices import create_enrolment
from sync.server.settings import ServerSettings
from tests.sync.bundle_world import Supervisor, credentials, export, supervisor
from tests.sync.conftest import Laptop, RunningServer, make_laptop
from tests.sync.helpers import server_records
from tests.sync.test_bundle_import_cli import PUBLIC_FIELDS, flat, run_import
from tests.sync.test_faults import inspector, seeded
from tests.sync.world import WORLD, new_inspection


def device_key(server: RunningServer, name: str) -> str | None:
    with server.engine.connect() as conn:
        d = tables.device.c
        found = conn.execute(sa.select(d.key_id).where(d.name == name)).scalar()
    return str(found) if found is not None else None


def imported_count(sup: Supervisor) -> int:
    with sup.laptop.store.session() as s:
        return int(s.exec(select(func.count()).select_from(ImportedBundle)).one())


def old_laptop(server: RunningServer, tmp_path: Path, laptops: list[Laptop], name: str, person: str) -> SyncPaths:
    """A laptop enrolled with last month's version: a token in its credentials file, no signing key anywhere."""
    laptop = make_laptop(
        tmp_path, name, server, server.enroll(name, DeviceRole.INSPECTOR, person, with_key=False), laptops
    )
    laptop.sync()
    paths = SyncPaths(tmp_path / f"{name}-data")
    paths.data_dir.mkdir(parents=True)
    written = credentials(server, laptop, name)
    old = {  # exactly the fields the older version wrote
        "server_url": written.server_url,
        "device_id": str(written.device_id),
        "token": written.token,
        "name": written.name,
        "role": written.role,
        "person_code": written.person_code,
        "expires_at": written.expires_at.isoformat(),
        "group": written.group,
    }
    paths.credentials.write_text(json.dumps(old))
    paths.credentials.chmod(0o600)
    return paths


def legacy_bundle(bundle: Path, token: str, out: Path) -> Path:
    """``bundle`` rewritten as the older version wrote it: format 1, HMAC keyed from the token, no key fields."""
    data = json.loads(bundle.read_text())
    for name in ("key_id", "public_key", "key_proof", "signature"):
        data.pop(name)
    data["format"] = LEGACY_BUNDLE_FORMAT
    # What the older version signed: the canonical JSON of every other field (computed here independently).
    data["signature"] = legacy_signature(token_hash(token), canonical_json(data).encode("utf-8"))
    out.write_text(json.dumps(data))
    return out


@pytest.fixture
def group(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> tuple[Supervisor, Laptop]:
    sup = supervisor(server, seeded(server, tmp_path, laptops), "sup", tmp_path / "sup-data")
    ins = inspector(server, tmp_path, laptops, "ins", "INS-1")
    sup.sync()
    return sup, ins


def test_enrolment_makes_the_key_pair_and_the_server_keeps_only_the_public_half(
    server: RunningServer, tmp_path: Path
) -> None:
    with Session(server.engine) as s:
        code = create_enrolment(s, name="ins-9", role=DeviceRole.INSPECTOR, person_code="INS-1", hours=1).code
        s.commit()
    paths = SyncPaths(tmp_path / "data")
    made = enroll(server.url, code, paths)
    assert paths.credentials.stat().st_mode & 0o777 == 0o600
    kept = load_credentials(paths.credentials)
    assert kept is not None and kept.signing_key and kept.key_registered and kept == made
    assert made.signing_key not in repr(made) and made.token not in repr(made)
    assert device_key(server, "ins-9") == key_id(public_key_of(made.signing_key))
    with server.engine.connect() as conn:
        row = conn.execute(sa.select(tables.device).where(tables.device.c.name == "ins-9")).mappings().one()
    assert made.signing_key not in json.dumps({k: str(v) for k, v in row.items()})


def test_a_public_key_is_registered_once_and_another_is_refused(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    laptop = make_laptop(tmp_path, "old", server, server.enroll("old", DeviceRole.INSPECTOR, with_key=False), laptops)
    assert device_key(server, "old") is None
    mine, other = public_key_of(new_private_key()), public_key_of(new_private_key())
    assert laptop.client.register_public_key(mine).key_id == key_id(mine)
    assert laptop.client.register_public_key(mine).key_id == key_id(mine)  # a retry is harmless
    with pytest.raises(SyncError) as taken:
        laptop.client.register_public_key(other)
    assert taken.value.code == "E_DEVICE_KEY_TAKEN" and taken.value.status == 409
    assert device_key(server, "old") == key_id(mine)
    for bad in ("not base64!", "AAAA", "A" * 64):
        response = httpx.put(
            f"{server.url}/devices/me/public-key",
            json={"public_key": bad},
            headers={"authorization": f"Bearer {server.tokens['old']}"},
            timeout=10,
        )
        assert response.status_code == 422 and response.json()["code"] in ("E_DEVICE_KEY_INVALID", "E_VALIDATION")
    assert httpx.put(f"{server.url}/devices/me/public-key", json={"public_key": mine}, timeout=10).status_code == 401


def test_an_old_laptop_gets_a_key_at_its_next_sync_and_registers_it(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    paths = old_laptop(server, tmp_path, laptops, "old", "INS-1")
    laptop = laptops[-1]
    run_sync(laptop.store, paths, client=laptop.client)
    kept = load_credentials(paths.credentials)
    assert kept is not None and kept.signing_key and kept.key_registered
    assert paths.credentials.stat().st_mode & 0o777 == 0o600
    assert device_key(server, "old") == key_id(kept.public_key)
    run_sync(laptop.store, paths, client=laptop.client)  # nothing more to register; the same key stays
    again = load_credentials(paths.credentials)
    assert again is not None and again.signing_key == kept.signing_key


def test_a_laptop_whose_key_differs_from_the_registered_one_still_syncs_and_is_told(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops, "ins", "INS-1")
    paths = SyncPaths(tmp_path / "ins-data")
    own = credentials(server, ins, "ins")
    save_credentials(
        paths.credentials, Credentials(**{**own.__dict__, "signing_key": new_private_key(), "key_registered": False})
    )
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    report = run_sync(ins.store, paths, client=ins.client)
    assert report.pushed == 2
    assert any("cannot be replaced" in e and "不能更换" in e for e in report.errors), report.errors
    assert device_key(server, "ins") == key_id(own.public_key)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_supervisors_laptop_holds_and_is_served_public_keys_only(
    server: RunningServer, group: tuple[Supervisor, Laptop]
) -> None:
    sup, _ins = group
    served = httpx.get(
        f"{server.url}/devices/bundle-keys", headers={"authorization": f"Bearer {server.tokens['sup']}"}, timeout=10
    ).text
    stored = sup.paths.bundle_keys.read_text()
    secrets = [*server.tokens.values(), *server.keys.values()]
    with server.engine.connect() as conn:
        hashes = conn.execute(sa.select(tables.device.c.token_hash)).scalars().all()
    secrets += [bundle_key(h).hex() for h in hashes if h] + [h for h in hashes if h]
    for text in (served, stored):
        assert not any(secret in text for secret in secrets)
        for device in json.loads(text)["devices"]:
            assert set(device) == PUBLIC_FIELDS
    keys = load_bundle_keys(sup.paths.bundle_keys)
    assert keys is not None
    by_name = {k.name: k for k in keys.devices}
    assert by_name["ins"].key_id == key_id(public_key_of(server.keys["ins"]))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_bundle_signed_with_another_devices_key_is_refused_everywhere(
    server: RunningServer, group: tuple[Supervisor, Laptop], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    sup, ins = group
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    genuine = tmp_path / "ins.bundle"
    export(server, ins, "ins", genuine)
    original = read_bundle(genuine)
    own = credentials(server, ins, "ins")
    # The supervisor's laptop signs in the inspector's name with the only private key it has: its own.
    forged = sign_bundle(original, Credentials(**{**own.__dict__, "signing_key": server.keys["sup"]}))
    # And a bundle naming the inspector's key, signed with another one.
    borrowed = original.model_copy()
    borrowed.signature = sign(server.keys["sup"], borrowed.signed_body())
    for made, fragment in (
        (forged, ("is signed with a key that is not the one device ins registered", "的签名密钥不是设备ins登记的密钥")),
        (borrowed, ("was altered after it was written", "写出后被改动过")),
    ):
        path = tmp_path / "forged.bundle"
        path.write_text(made.model_dump_json())
        out = run_import(sup, path, lang, monkeypatch)
        assert out.startswith("1|") and flat(fragment[0] if lang == "en" else fragment[1]) in flat(out), out
        with pytest.raises(SyncError) as caught:
            sup.laptop.client.upload_bundle(made)
        assert caught.value.code == "E_BUNDLE_SIGNATURE"
    assert imported_count(sup) == 0 and server_records(server.engine, "inspection") == {}
    assert run_import(sup, genuine, lang, monkeypatch).startswith("0|")  # the genuine one still goes in


def cli_export(laptop: Laptop, paths: SyncPaths, out: Path) -> None:
    result = CliRunner().invoke(
        app, ["sync", "export", "--out", str(out), "--db", str(laptop.store.path), "--data-dir", str(paths.data_dir)]
    )
    assert result.exit_code == 0, result.output


def old_laptop_exported(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], answers: int, bundle: Path
) -> tuple[Supervisor, Laptop, SyncPaths]:
    """The synced supervisor's laptop, and an old laptop (``old_laptop`` "old", INS-1) that made an inspection with
    ``answers`` answers and exported it to ``bundle`` with ``inspector sync export`` (without the network)."""
    sup = supervisor(server, seeded(server, tmp_path, laptops), "sup", tmp_path / "sup-data")
    paths = old_laptop(server, tmp_path, laptops, "old", "INS-1")
    laptop = laptops[-1]
    sup.sync()
    new_inspection(laptop.store, WORLD.inspector_1, WORLD.team_a, answers=answers)
    cli_export(laptop, paths, bundle)
    return sup, laptop, paths


def server_import(server: RunningServer, bundle: Path) -> Result:
    """``inspector server import-bundle`` run against the test server's database."""
    return CliRunner().invoke(
        app, ["server", "import-bundle", str(bundle), "--database-url", server.settings.database_url]
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_old_format_bundle_counts_on_the_server_only(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    sup, laptop, paths = old_laptop_exported(server, tmp_path, laptops, 2, tmp_path / "new.bundle")
    legacy = legacy_bundle(tmp_path / "new.bundle", server.tokens["old"], tmp_path / "legacy.bundle")

    out = run_import(sup, legacy, lang, monkeypatch)
    expected = (
        ("written by an older inspector", "only the server can check", "--to-server")
        if lang == "en"
        else ("由旧版inspector写出", "只有服务器能检查", "--to-server")
    )
    assert out.startswith("1|") and all(flat(part) in flat(out) for part in expected), out
    assert imported_count(sup) == 0

    result = sup.laptop.client.upload_bundle(read_bundle(legacy))
    assert [r.status for r in result.results] == [ChangeStatus.APPLIED] * 3
    assert len(server_records(server.engine, "answer")) == 2
    assert device_key(server, "old") is None  # a format 1 bundle registers nothing

    report = run_sync(laptop.store, paths, client=laptop.client)  # the updated laptop registers its own key
    assert report.duplicates == 3 and device_key(server, "old") is not None
    with pytest.raises(SyncError) as caught:
        sup.laptop.client.upload_bundle(read_bundle(legacy))
    assert caught.value.code == "E_BUNDLE_LEGACY"  # from now on only its own key speaks for it
    monkeypatch.setenv("INSPECTOR_LANG", lang)
    on_server = server_import(server, legacy)
    said = "signs its bundles with its own key now" if lang == "en" else "已改用自己的密钥签名离线包"
    assert on_server.exit_code == 1 and flat(said) in flat(on_server.output), on_server.output


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_offline_old_laptops_first_bundle_registers_its_key_on_the_server(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    bundle = tmp_path / "first.bundle"
    # No network: the key pair is made at the export.
    sup, laptop, paths = old_laptop_exported(server, tmp_path, laptops, 2, bundle)
    kept = load_credentials(paths.credentials)
    assert kept is not None and kept.signing_key and not kept.key_registered
    assert read_bundle(bundle).key_id == key_id(kept.public_key)

    out = run_import(sup, bundle, lang, monkeypatch)  # the supervisor's laptop cannot know that key yet
    expected = (
        ("does not have that key's public half yet", "Sync that laptop once", "--to-server")
        if lang == "en"
        else ("本机还没有这把密钥的公钥", "联网同步一次", "--to-server")
    )
    assert out.startswith("1|") and all(flat(part) in flat(out) for part in expected), out

    # Without a valid proof made from the device's token, the server does not take a key it does not know:
    unproven = read_bundle(bundle).model_copy(update={"key_proof": "0" * 64})
    unproven.signature = sign(kept.signing_key, unproven.signed_body())
    with pytest.raises(SyncError) as caught:
        sup.laptop.client.upload_bundle(unproven)
    assert caught.value.code == "E_BUNDLE_KEY_UNKNOWN" and device_key(server, "old") is None

    out = run_import(sup, bundle, "en", monkeypatch, "--to-server")  # the server can check the key's proof
    assert out.startswith("0|") and "applied 3" in out, out
    assert device_key(server, "old") == key_id(kept.public_key)
    run_sync(laptop.store, paths, client=laptop.client)  # registering the same key again is fine
    registered = load_credentials(paths.credentials)
    assert registered is not None and registered.key_registered and registered.signing_key == kept.signing_key

    sup.sync()  # now the supervisor's laptop knows the key: the laptop's later bundles import offline
    new_inspection(laptop.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    later = tmp_path / "later.bundle"
    cli_export(laptop, paths, later)
    assert run_import(sup, later, lang, monkeypatch).startswith("0|")
    with sup.laptop.store.session() as s:
        assert s.exec(select(func.count()).select_from(Inspection)).one() >= 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_old_file_of_secret_keys_is_deleted_and_a_broken_one_explained(
    server: RunningServer, group: tuple[Supervisor, Laptop], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    sup, ins = group
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    bundle = tmp_path / "ins.bundle"
    export(server, ins, "ins", bundle)
    secret = bundle_key(token_hash(server.tokens["ins"])).hex()
    old = {
        "group": "",
        "devices": [
            {
                "device_id": str(uuid.uuid4()),
                "name": "ins",
                "role": "inspector",
                "person_code": "INS-1",
                "key": secret,
                "revoked": False,
            }
        ],
    }
    sup.paths.bundle_keys.write_text(json.dumps(old))
    out = run_import(sup, bundle, lang, monkeypatch)
    fragment = "sync once on the network" if lang == "en" else "在有网络时同步一次"
    assert out.startswith("1|") and flat(fragment) in flat(out), out
    assert not sup.paths.bundle_keys.exists()  # the secrets are gone, not kept around

    sup.paths.bundle_keys.write_text(json.dumps(old))
    sup.sync()  # the first sync of the new version replaces it with public keys
    assert secret not in sup.paths.bundle_keys.read_text()
    assert run_import(sup, bundle, lang, monkeypatch).startswith("0|")

    for broken in (b"\xff\xfe garbage", b'{"group": "", "devices": [{"name": 1}]}', b""):
        sup.paths.bundle_keys.write_bytes(broken)
        out = run_import(sup, bundle, lang, monkeypatch)
        fragment = "The device key file" if lang == "en" else "设备密钥文件"
        assert out.startswith("1|") and flat(fragment) in flat(out) and "Traceback" not in out, out


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_damaged_signing_key_is_named_and_nothing_is_exported(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops, "ins", "INS-1")
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    paths = SyncPaths(tmp_path / "ins-data")
    save_credentials(paths.credentials, credentials(server, ins, "ins"))
    data = json.loads(paths.credentials.read_text())
    data["signing_key"] = data["signing_key"][:20]  # cut short
    paths.credentials.write_text(json.dumps(data))
    monkeypatch.setenv("INSPECTOR_LANG", lang)
    out = tmp_path / "ins.bundle"
    result = CliRunner().invoke(
        app, ["sync", "export", "--out", str(out), "--db", str(ins.store.path), "--data-dir", str(paths.data_dir)]
    )
    said = "is damaged" if lang == "en" else "已损坏"
    assert result.exit_code == 1 and said in result.output and "Traceback" not in result.output, result.output
    assert not out.exists()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_old_file_of_secret_keys_cannot_register_a_key_for_a_keyless_device(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    """The old supervisors' trust files held each device's format 1 HMAC key (``bundle_key`` of its token hash).
    Whoever kept such a copy can still forge a format 1 bundle of a keyless device (documented), but must not be able
    to make a key proof: that would register their own key for the device for good (a token rotation would not end
    it, and the device's own key would be refused as E_DEVICE_KEY_TAKEN)."""
    bundle = tmp_path / "genuine.bundle"
    sup, laptop, paths = old_laptop_exported(server, tmp_path, laptops, 1, bundle)

    secret = bundle_key(token_hash(server.tokens["old"]))  # what the old trust file held, and nothing more
    attacker = new_private_key()
    public = public_key_of(attacker)
    message = f"{PROOF_CONTEXT}:{read_bundle(bundle).device_id}:{public}".encode("ascii")
    forged = read_bundle(bundle).model_copy(
        update={
            "public_key": public,
            "key_id": key_id(public),
            "key_proof": hmac.new(secret, message, hashlib.sha256).hexdigest(),
        }
    )
    forged.signature = sign(attacker, forged.signed_body())
    with pytest.raises(SyncError) as caught:
        sup.laptop.client.upload_bundle(forged)
    assert caught.value.code == "E_BUNDLE_KEY_UNKNOWN"
    assert device_key(server, "old") is None

    run_sync(laptop.store, paths, client=laptop.client)  # the laptop's own key is still the one registered
    kept = load_credentials(paths.credentials)
    assert kept is not None and kept.key_registered and device_key(server, "old") == key_id(kept.public_key)


def test_legacy_bundles_are_accepted_unless_the_setting_turns_them_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ServerSettings().accept_legacy_bundles is True  # the transition's default: today's behaviour
    monkeypatch.setenv("INSPECTOR_SERVER_ACCEPT_LEGACY_BUNDLES", "false")
    assert ServerSettings().accept_legacy_bundles is False


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_with_legacy_bundles_turned_off_only_a_registered_key_speaks_for_a_device(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """A reader of the server's database holds every token hash: enough for a format 1 bundle or a key proof of a
    device with no registered key. With ``accept_legacy_bundles`` off neither is taken, on the server nor by
    ``inspector server import-bundle``; the laptop's own key, once registered by its sync, still is."""
    proven = tmp_path / "first.bundle"
    # format 2, with the key proof of a keyless laptop
    sup, laptop, paths = old_laptop_exported(server, tmp_path, laptops, 2, proven)
    legacy = legacy_bundle(proven, server.tokens["old"], tmp_path / "legacy.bundle")
    server.settings.accept_legacy_bundles = False  # the running app reads the same settings object

    # What a reader of the database could make: a key proof for a key of their own, from the stored token hash.
    stolen = token_hash(server.tokens["old"])
    attacker = new_private_key()
    public = public_key_of(attacker)
    forged = read_bundle(proven).model_copy(
        update={
            "public_key": public,
            "key_id": key_id(public),
            "key_proof": key_proof(stolen, read_bundle(proven).device_id, public),
        }
    )
    forged.signature = sign(attacker, forged.signed_body())
    for refused in (read_bundle(legacy), read_bundle(proven), forged):
        with pytest.raises(SyncError) as caught:
            sup.laptop.client.upload_bundle(refused)
        assert caught.value.code == "E_BUNDLE_LEGACY_OFF"
    assert device_key(server, "old") is None and not server_records(server.engine, "answer")

    monkeypatch.setenv("INSPECTOR_LANG", lang)
    monkeypatch.setenv("INSPECTOR_SERVER_ACCEPT_LEGACY_BUNDLES", "false")
    said = (
        ("Sync that laptop once", "export the bundle again")
        if lang == "en"
        else ("请让该笔记本联网同步一次", "重新导出离线包")
    )
    for file in (legacy, proven):
        on_server = server_import(server, file)
        assert on_server.exit_code == 1, on_server.output
        assert all(flat(part) in flat(on_server.output) for part in said), on_server.output
    assert device_key(server, "old") is None and not server_records(server.engine, "answer")

    run_sync(laptop.store, paths, client=laptop.client)  # the laptop registers its own key (and pushes)
    kept = load_credentials(paths.credentials)
    assert kept is not None and device_key(server, "old") == key_id(kept.public_key)
    new_inspection(laptop.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    later = tmp_path / "later.bundle"
    cli_export(laptop, paths, later)  # format 2, signed with the registered key
    result = sup.laptop.client.upload_bundle(read_bundle(later))
    assert [r.status for r in result.results] == [ChangeStatus.APPLIED] * 2
    with pytest.raises(SyncError) as caught:  # the registered key is the only one now, whatever the setting
        sup.laptop.client.upload_bundle(forged)
    assert caught.value.code == "E_BUNDLE_SIGNATURE"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_bundle_format_with_a_number_that_is_not_ascii_is_refused_not_a_server_error(
    server: RunningServer, group: tuple[Supervisor, Laptop], tmp_path: Path
) -> None:
    sup, ins = group
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    path = tmp_path / "ins.bundle"
    export(server, ins, "ins", path)
    bundle = read_bundle(path)

    def version(format_: str) -> int:
        return bundle.model_copy(update={"format": format_}).format_version

    assert [version(BUNDLE_FORMAT), version(LEGACY_BUNDLE_FORMAT)] == [2, 1]
    for number in ("²", "٣", "", "2a", "-1"):
        assert version(f"{BUNDLE_FORMAT_NAME}/{number}") == 0, number
    odd = bundle.model_copy(update={"format": f"{BUNDLE_FORMAT_NAME}/²"})
    with pytest.raises(SyncError) as caught:
        sup.laptop.client.upload_bundle(odd)
    assert caught.value.code == "E_BUNDLE_FORMAT" and caught.value.status < 500
    assert not server_records(server.engine, "inspection")
