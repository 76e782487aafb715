"""Conflicts are kept with both values and settled by a supervisor; duplicates by key are 409-style, never 500."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from inspector.models import Inspection, Person, RectificationOrder
from sync.client.http import SyncError
from sync.protocol import ChangeStatus, DeviceRole, Resolution, ResolveRequest
from tests.sync.conftest import Laptop, RunningServer, make_laptop
from tests.sync.helpers import outbox_states, server_records
from tests.sync.test_faults import inspector, seeded
from tests.sync.world import WORLD, new_inspection, raise_finding


def edit_note(laptop: Laptop, inspection: uuid.UUID, note: str) -> None:
    with laptop.store.session() as s:
        row = s.get(Inspection, inspection)
        assert row is not None
        row.note = note
        s.add(row)
        s.commit()


def test_concurrent_edits_of_a_draft_are_kept_and_settled_by_a_supervisor(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    sup = seeded(server, tmp_path, laptops)
    first = inspector(server, tmp_path, laptops, "ins-a")
    second = inspector(server, tmp_path, laptops, "ins-b")  # the same inspector's second laptop
    inspection = new_inspection(first.store, WORLD.inspector_1, WORLD.team_a)
    first.sync()
    second.sync()
    edit_note(first, inspection, "furnace door open")
    edit_note(second, inspection, "door closed, guard missing")
    assert first.sync().pushed == 1  # type: ignore[attr-defined]
    report = second.sync()
    assert report.conflicts == 1  # type: ignore[attr-defined]
    assert outbox_states(second.store).get("conflict") == 1
    with second.store.session() as s:  # the server's value is shown locally until the supervisor decides
        assert s.get(Inspection, inspection).note == "furnace door open"  # type: ignore[union-attr]
    with pytest.raises(SyncError) as caught:
        second.client.conflicts()
    assert caught.value.code == "E_FORBIDDEN"
    [conflict] = sup.client.conflicts()
    assert conflict.server_payload["note"] == "furnace door open"
    assert conflict.device_payload["note"] == "door closed, guard missing"
    assert conflict.device_name == "ins-b" and conflict.person_code == "INS-1" and conflict.made_at is not None
    answer = sup.client.resolve(conflict.id, ResolveRequest(resolution=Resolution.TAKE_DEVICE))
    assert answer.version == 3
    with pytest.raises(SyncError) as again:
        sup.client.resolve(conflict.id, ResolveRequest(resolution=Resolution.KEEP_SERVER))
    assert again.value.code == "E_CONFLICT_SETTLED"
    for laptop in (first, second, sup):
        laptop.sync()
        with laptop.store.session() as s:
            row = s.get(Inspection, inspection)
            assert row is not None and row.note == "door closed, guard missing" and row.server_version == 3
    assert sup.client.conflicts() == []


def test_team_leader_and_supervisor_editing_one_order_conflict(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    sup = seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    inspection = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a)
    _finding, order = raise_finding(ins.store, inspection, WORLD.team_a)
    ins.sync()
    leader = make_laptop(tmp_path, "tl", server, server.enroll("tl", DeviceRole.TEAM_LEADER, "TL-A"), laptops)
    leader.sync()
    sup.sync()
    with leader.store.session() as s:
        row = s.get(RectificationOrder, order)
        assert row is not None
        row.status, row.action_taken = "answered", "报警已加装"
        s.add(row)
        s.commit()
    with sup.store.session() as s:
        row = s.get(RectificationOrder, order)
        assert row is not None
        row.status, row.action_taken = "answered", "由主管代填"
        s.add(row)
        s.commit()
    assert leader.sync().pushed == 1  # type: ignore[attr-defined]
    assert sup.sync().conflicts == 1  # type: ignore[attr-defined]
    [conflict] = sup.client.conflicts()
    assert (conflict.server_payload["action_taken"], conflict.device_payload["action_taken"]) == (
        "报警已加装",
        "由主管代填",
    )
    merged = dict(conflict.server_payload, action_taken="报警已加装（主管核实）")
    sup.client.resolve(conflict.id, ResolveRequest(resolution=Resolution.MERGED, payload=merged))
    leader.sync()
    with leader.store.session() as s:
        assert s.get(RectificationOrder, order).action_taken == "报警已加装（主管核实）"  # type: ignore[union-attr]


def test_a_second_record_with_the_same_key_is_a_conflict_not_a_server_error(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    sup = seeded(server, tmp_path, laptops)
    other = make_laptop(tmp_path, "sup2", server, server.enroll("sup2", DeviceRole.SUPERVISOR, "SUP"), laptops)
    with other.store.session() as s:  # made offline, before this laptop ever synced: the same code, another id
        s.add(Person(code="INS-1", role="inspector", name_zh="重复的检查员"))
        s.commit()
    report = other.sync()
    assert report.conflicts == 1  # type: ignore[attr-defined]
    persons = [r for r in server_records(server.engine, "person").values() if r["payload"]["code"] == "INS-1"]  # type: ignore[index]
    assert len(persons) == 1
    [conflict] = sup.client.conflicts()
    assert conflict.reason if hasattr(conflict, "reason") else True
    assert conflict.device_payload["name_zh"] == "重复的检查员"


def test_a_change_id_reused_with_another_body_is_rejected(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=0)
    from tests.sync.test_faults import pending_changes

    [change] = pending_changes(ins)
    assert ins.client.push([change]).results[0].status == ChangeStatus.APPLIED
    altered = change.model_copy(update={"payload": dict(change.payload, note="something else")})
    result = ins.client.push([altered]).results[0]
    assert (result.status, result.code) == (ChangeStatus.REJECTED, "E_CHANGE_REUSED")
