"""Authorisation for every role and endpoint; tokens of other devices; expiry, rotation; request size limits."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspector.models import Inspection, RectificationOrder, Team, utcnow
from sync.client.http import SyncError
from sync.protocol import ChangeStatus, DeviceRole, Resolution, ResolveRequest
from sync.server import tables
from tests.sync.conftest import Laptop, RunningServer, make_laptop
from tests.sync.helpers import server_records
from tests.sync.test_faults import inspector, pending_changes, seeded
from tests.sync.world import WORLD, new_inspection, raise_finding

ENDPOINTS = [
    ("GET", "/devices/me"),
    ("POST", "/devices/me/rotate"),
    ("GET", "/devices"),
    ("POST", "/push"),
    ("GET", "/pull"),
    ("GET", "/conflicts"),
    ("POST", "/conflicts/6d1f3c2a-0000-4000-8000-000000000001/resolve"),  # fixed id: xdist workers collect alike
    ("GET", f"/attachments/{'0' * 64}/status"),
    ("PUT", f"/attachments/{'0' * 64}?size=1&offset=0"),
    ("GET", f"/attachments/{'0' * 64}"),
    ("POST", "/bundles"),
]


@pytest.mark.parametrize("method,path", ENDPOINTS)
@pytest.mark.parametrize("token", [None, "insp_" + "A" * 43, "not-a-token"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_endpoint_refuses_a_missing_or_unknown_token(
    server: RunningServer, method: str, path: str, token: str | None
) -> None:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = httpx.request(method, server.url + path, headers=headers, json={}, timeout=10)
    assert response.status_code == 401
    assert response.json()["code"] == ("E_AUTH_MISSING" if token is None else "E_AUTH_INVALID")


def roles_world(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> dict[str, Laptop]:
    sup = seeded(server, tmp_path, laptops)
    world = {
        "sup": sup,
        "ins1": inspector(server, tmp_path, laptops, "ins1", "INS-1"),
        "ins2": inspector(server, tmp_path, laptops, "ins2", "INS-2"),
    }
    for name, role, person in (("tl", DeviceRole.TEAM_LEADER, "TL-A"), ("aud", DeviceRole.AUDITOR, None)):
        world[name] = make_laptop(tmp_path, name, server, server.enroll(name, role, person), laptops)
        world[name].sync()
    return world


def test_each_role_sees_and_changes_only_what_it_may(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    w = roles_world(server, tmp_path, laptops)
    mine = new_inspection(w["ins1"].store, WORLD.inspector_1, WORLD.team_a)
    _finding, order = raise_finding(w["ins1"].store, mine, WORLD.team_a)
    other_team = new_inspection(w["ins1"].store, WORLD.inspector_1, WORLD.team_b)
    assert w["ins1"].sync().rejected == 0  # type: ignore[attr-defined]
    # Inspector 2 cannot write an inspection in inspector 1's name, nor touch inspector 1's, nor the roster.
    forged = new_inspection(w["ins2"].store, WORLD.inspector_1, WORLD.team_a, answers=0)
    with w["ins2"].store.session() as s:
        team = s.get(Team, WORLD.team_a)
        assert team is not None
        team.name_en = "renamed by an inspector"
        s.add(team)
        s.commit()
    report = w["ins2"].sync()
    assert report.rejected == 2 and report.pushed == 0  # type: ignore[attr-defined]
    assert str(forged) not in server_records(server.engine, "inspection")
    # Pulls: inspectors see their own work only; the team leader their team's; supervisor and auditor everything.
    for name in w:
        w[name].sync()

    def has(name: str, record: uuid.UUID) -> bool:
        with w[name].store.session() as s:
            return s.get(Inspection, record) is not None

    assert has("ins1", mine) and not has("ins2", mine)
    assert has("tl", mine) and not has("tl", other_team)
    assert has("sup", other_team) and has("aud", other_team)
    # The team leader answers the order, but may not rewrite its requirement; the auditor may change nothing.
    with w["tl"].store.session() as s:
        row = s.get(RectificationOrder, order)
        assert row is not None
        row.status, row.action_taken = "answered", "已整改"
        s.add(row)
        s.commit()
    assert w["tl"].sync().pushed == 1  # type: ignore[attr-defined]
    with w["tl"].store.session() as s:
        row = s.get(RectificationOrder, order)
        assert row is not None
        row.requirement = "改为不需要整改"
        s.add(row)
        s.commit()
    assert w["tl"].sync().rejected == 1  # type: ignore[attr-defined]
    with w["aud"].store.session() as s:
        row = s.get(RectificationOrder, order)
        assert row is not None
        row.action_taken = "auditor edit"
        s.add(row)
        s.commit()
    assert w["aud"].sync().rejected == 1  # type: ignore[attr-defined]
    assert server_records(server.engine, "rectificationorder")[str(order)]["payload"]["action_taken"] == "已整改"  # type: ignore[index]
    # Supervisor-only endpoints.
    for name in ("ins1", "tl", "aud"):
        with pytest.raises(SyncError) as caught:
            w[name].client.resolve(uuid.uuid4(), ResolveRequest(resolution=Resolution.KEEP_SERVER))
        assert caught.value.code == "E_FORBIDDEN"
        with pytest.raises(SyncError):
            w[name].client.request("GET", "/devices")
    assert w["aud"].client.conflicts() == []
    with pytest.raises(SyncError) as upload:
        w["aud"].client.upload_chunk("0" * 64, 1, 0, b"x")
    assert upload.value.code == "E_FORBIDDEN"


def test_a_token_acts_only_as_its_own_device(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> None:
    seeded(server, tmp_path, laptops)
    ins1 = inspector(server, tmp_path, laptops, "ins1", "INS-1")
    new_inspection(ins1.store, WORLD.inspector_1, WORLD.team_a, answers=0)
    changes = pending_changes(ins1)
    with server.client(server.tokens["sup"]) as other:  # another device's token cannot answer for ins1's outbox
        assert other.me().name == "sup"
    ins2 = inspector(server, tmp_path, laptops, "ins2", "INS-2")
    results = ins2.client.push(changes).results
    assert results[0].status == ChangeStatus.REJECTED and results[0].code == "E_FORBIDDEN"
    # ins1's own push is not confused by ins2's attempt with the same change id: it was only rejected for ins2.
    assert ins1.client.push(changes).results[0].status == ChangeStatus.APPLIED


def test_expired_and_rotated_tokens(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> None:
    token = server.enroll("ins", DeviceRole.INSPECTOR, "INS-1")
    with server.client(token) as client:
        fresh = client.rotate()
    assert fresh.token != token and len(fresh.token) >= 43
    with server.client(token) as old, pytest.raises(SyncError) as caught:
        old.me()
    assert caught.value.code == "E_AUTH_INVALID"
    with Session(server.engine) as s:
        s.execute(sa.update(tables.device).values(token_expires_at=utcnow() - timedelta(minutes=1)))
        s.commit()
        stored = s.execute(sa.select(tables.device.c.token_hash)).scalars().all()
    assert fresh.token not in stored  # only hashes are stored
    with server.client(fresh.token) as client, pytest.raises(SyncError) as expired:
        client.me()
    assert expired.value.code == "E_AUTH_EXPIRED"


def test_enrolment_codes_work_once(server: RunningServer) -> None:
    from sync.server.devices import create_enrolment

    with Session(server.engine) as s:
        enrolment = create_enrolment(s, name="laptop-7", role=DeviceRole.INSPECTOR, person_code="INS-1", hours=1)
        s.commit()
    with server.client() as client:
        token = client.enroll(enrolment.code.lower().replace("-", " "))
        assert token.name == "laptop-7" and token.role == DeviceRole.INSPECTOR
        with pytest.raises(SyncError) as again:
            client.enroll(enrolment.code)
    assert again.value.code == "E_ENROLL_CODE"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_oversized_requests_are_refused_with_413(database_url: str) -> None:
    from tests.sync.conftest import start_server

    running = start_server(database_url, max_request_bytes=10_000)
    try:
        token = running.enroll("sup", DeviceRole.SUPERVISOR)
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        big = b'{"changes": [' + b" " * 20_000 + b"]}"
        response = httpx.post(running.url + "/push", content=big, headers=headers, timeout=10)
        assert response.status_code == 413 and response.json()["code"] == "E_TOO_LARGE"

        def chunked() -> object:
            yield b'{"changes": ['
            for _ in range(30):
                yield b" " * 1000
            yield b"]}"

        streamed = httpx.post(running.url + "/push", content=chunked(), headers=headers, timeout=10)  # type: ignore[arg-type]
        assert streamed.status_code == 413
    finally:
        running.stop()
        running.engine.dispose()
