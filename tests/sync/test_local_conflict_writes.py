"""Settling a conflict kept on this laptop while the app's background sync (or another terminal) writes.

The settle reads the conflict and then writes; in a deferred SQLite transaction that write fails at once with
"database is locked" when another connection holds the write lock, and the Conflicts screen's worker only reports
InspectorError, so the supervisor's choice was lost without a word. It must wait for the other writer instead.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from bench.fixtures import BenchWorld, build_world
from inspector.models import LocalConflict
from sync.client.local_conflicts import open_local_conflicts, settle_local_conflict
from sync.protocol import Resolution
from tests.inspector.test_concurrent_writers import another_writer


@pytest.fixture
def world(tmp_path: Path) -> BenchWorld:
    return build_world(tmp_path / "w.db", items=3)


def test_settling_a_local_conflict_waits_for_another_writer(world: BenchWorld) -> None:
    kept = LocalConflict(
        entity="localsetting",
        record_id=uuid.uuid4(),
        device_id=uuid.uuid4(),
        device_name="LAPTOP-07",
        change_id=uuid.uuid4(),
        local_payload={"value": "here"},
        device_payload={"value": "there"},
        reason="local_edit",
    )
    with world.store.session(skip_outbox=True, write=True) as session:
        session.add(kept)
        session.commit()
    assert [c.id for c in open_local_conflicts(world.store)] == [kept.id]

    with another_writer(world.store.path):
        settle_local_conflict(world.store, kept.id, Resolution.KEEP_SERVER)

    assert open_local_conflicts(world.store) == []
    with world.store.session() as session:
        settled = session.get(LocalConflict, kept.id)
        assert settled is not None and settled.status == "resolved" and settled.resolution == "keep_server"
