"""Attachment reads follow the pull's visibility: a device fetches a photo only if it may see a record using it."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from pathlib import Path

import httpx
import pytest

from inspector.models import Finding, Person, stable_id
from sync.protocol import DeviceRole
from tests.sync.conftest import Laptop, RunningServer, make_laptop
from tests.sync.helpers import server_records
from tests.sync.test_faults import inspector, seeded
from tests.sync.world import WORLD, new_inspection

LEADER_B = stable_id("person", "TL-B")


def photo_finding(laptop: Laptop, tmp_path: Path, team: uuid.UUID, name: str, content: bytes) -> str:
    """An inspection of ``team`` with a finding whose evidence photo holds ``content``; returns the photo's hash."""
    inspection = new_inspection(laptop.store, WORLD.inspector_1, team, answers=1)
    photo = tmp_path / name
    photo.write_bytes(content)
    with laptop.store.session() as s:
        s.add(
            Finding(
                inspection_id=inspection,
                description="护栏缺失",
                team_id=team,
                deadline=date(2022, 6, 9),
                photo_paths=[str(photo)],
            )
        )
        s.commit()
    return hashlib.sha256(content).hexdigest()


def fetch(server: RunningServer, token: str, sha: str, *, status: bool = False) -> httpx.Response:
    path = f"/attachments/{sha}/status" if status else f"/attachments/{sha}"
    return httpx.get(server.url + path, headers={"authorization": f"Bearer {token}"}, timeout=10)


@pytest.fixture
def group(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> dict[str, str]:
    """Every role's device, a photo on team A's inspection and one on team B's, both by inspector 1."""
    sup = seeded(server, tmp_path, laptops)
    with sup.store.session() as s:
        s.add(Person(id=LEADER_B, code="TL-B", role="team_leader", team_id=WORLD.team_b, name_zh="乙班长"))
        s.commit()
    sup.sync()
    ins1 = inspector(server, tmp_path, laptops, "ins1", "INS-1")
    inspector(server, tmp_path, laptops, "ins2", "INS-2")
    shas = {
        "photo_a": photo_finding(ins1, tmp_path, WORLD.team_a, "a.jpg", b"\xff\xd8team A " * 400),
        "photo_b": photo_finding(ins1, tmp_path, WORLD.team_b, "b.jpg", b"\xff\xd8team B " * 400),
    }
    report = ins1.sync()
    assert report.uploaded == 2 and report.rejected == 0  # type: ignore[attr-defined]
    server.enroll("tl_a", DeviceRole.TEAM_LEADER, "TL-A")
    server.enroll("tl_b", DeviceRole.TEAM_LEADER, "TL-B")
    server.enroll("aud", DeviceRole.AUDITOR)
    return shas


# Who may read the photo on team A's inspection and the one on team B's (both made by inspector 1).
MATRIX = [
    ("sup", True, True),
    ("aud", True, True),
    ("ins1", True, True),
    ("ins2", False, False),
    ("tl_a", True, False),
    ("tl_b", False, True),
]


@pytest.mark.parametrize("device,sees_a,sees_b", MATRIX)
def test_each_role_reads_only_the_attachments_of_records_it_may_see(
    server: RunningServer, group: dict[str, str], device: str, sees_a: bool, sees_b: bool
) -> None:
    token = server.tokens[device]
    for photo, allowed in (("photo_a", sees_a), ("photo_b", sees_b)):
        sha = group[photo]
        for status in (False, True):
            response = fetch(server, token, sha, status=status)
            if allowed:
                assert response.status_code == 200, (device, photo, status, response.text)
                if status:
                    assert response.json()["complete"] is True
                else:
                    assert hashlib.sha256(response.content).hexdigest() == sha
            else:
                assert response.status_code == 403, (device, photo, status, response.text)
                body = response.json()
                assert body["code"] == "E_FORBIDDEN" and "attachment" in body["message"]
                assert "team A" not in response.text and "team B" not in response.text


def test_another_devices_token_cannot_fetch_an_inspectors_photo_and_unknown_hashes_are_not_found(
    server: RunningServer, group: dict[str, str]
) -> None:
    sha = group["photo_a"]
    assert fetch(server, server.tokens["ins1"], sha).status_code == 200
    assert fetch(server, server.tokens["ins2"], sha).status_code == 403
    unknown = "e" * 64
    assert fetch(server, server.tokens["ins2"], unknown).status_code == 404
    assert fetch(server, server.tokens["ins2"], unknown, status=True).json()["received"] == 0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_team_leader_pulls_its_teams_photos_and_an_upload_in_progress_stays_the_uploaders(
    server: RunningServer, group: dict[str, str], tmp_path: Path, laptops: list[Laptop]
) -> None:
    for name in ("a.jpg", "b.jpg"):  # the leader's laptop is another machine: the inspector's files are not there
        (tmp_path / name).unlink()
    leader = make_laptop(tmp_path, "tl_a_laptop", server, server.tokens["tl_a"], laptops)
    report = leader.sync()
    assert report.downloaded == 1 and report.errors == []  # type: ignore[attr-defined]
    stored = list((tmp_path / "tl_a_laptop" / "attachments").rglob("*.jpg"))
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in stored] == [group["photo_a"]]
    # Inspector 2 begins an upload of a photo no record refers to yet: it may resume it, nobody else but the
    # supervisor's and auditor's devices may look at it.
    content = b"\xff\xd8half way " * 500
    sha = hashlib.sha256(content).hexdigest()
    ins2 = server.client(server.tokens["ins2"])
    ins2.upload_chunk(sha, len(content), 0, content[:1000])
    assert ins2.attachment_status(sha).received == 1000
    assert fetch(server, server.tokens["ins1"], sha, status=True).status_code == 403
    assert fetch(server, server.tokens["sup"], sha, status=True).json()["received"] == 1000
    ins2.close()


def test_an_inspector_sending_content_another_device_uploaded_still_syncs(
    server: RunningServer, group: dict[str, str], tmp_path: Path, laptops: list[Laptop]
) -> None:
    ins2 = make_laptop(tmp_path, "ins2_laptop", server, server.tokens["ins2"], laptops)
    ins2.sync()
    # Inspector 2's own inspection, with a photo identical to inspector 1's (the same spot, the same file).
    inspection = new_inspection(ins2.store, WORLD.inspector_2, WORLD.team_a, answers=1)
    photo = tmp_path / "same.jpg"
    photo.write_bytes(b"\xff\xd8team A " * 400)
    with ins2.store.session() as s:
        s.add(
            Finding(
                inspection_id=inspection,
                description="同一处护栏",
                team_id=WORLD.team_a,
                deadline=date(2022, 6, 9),
                photo_paths=[str(photo)],
            )
        )
        s.commit()
    assert fetch(server, server.tokens["ins2"], group["photo_a"]).status_code == 403
    report = ins2.sync()
    assert report.rejected == 0 and report.errors == []  # type: ignore[attr-defined]
    assert fetch(server, server.tokens["ins2"], group["photo_a"]).status_code == 200


def test_naming_the_record_is_a_shortcut_not_a_way_around_the_rules(
    server: RunningServer, group: dict[str, str]
) -> None:
    records = server_records(server.engine, "finding")
    by_team = {str(r["payload"]["team_id"]): record_id for record_id, r in records.items()}  # type: ignore[index]
    finding_a, finding_b = by_team[str(WORLD.team_a)], by_team[str(WORLD.team_b)]

    def named(device: str, sha: str, record: str) -> int:
        url = f"{server.url}/attachments/{sha}?record={record}"
        return httpx.get(url, headers={"authorization": f"Bearer {server.tokens[device]}"}, timeout=10).status_code

    assert named("tl_a", group["photo_a"], finding_a) == 200
    assert named("tl_a", group["photo_b"], finding_b) == 403  # a record it may not see
    assert named("tl_a", group["photo_b"], finding_a) == 403  # a record it may see, that does not use the photo
    assert named("ins2", group["photo_a"], finding_a) == 403
    assert named("tl_a", group["photo_a"], str(uuid.uuid4())) == 200  # an unknown record: the full check decides
