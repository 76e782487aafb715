"""Readers never wait for another device's received backlog: a pull, a conflict list and a settle apply only their
own device's logged batches; the rest is applied a chunk at a time, device by device, and still reaches every pull
exactly once and every conflict by versions (see sync/server/ingest.py)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from textual.widgets import Static

from inspector.local_settings import get_setting
from inspector.models import Inspection
from screens.app import create_app
from screens.conflicts import ConflictsScreen
from sync.client.credentials import Credentials, save_credentials
from sync.client.engine import CURSOR_KEY
from sync.client.http import SyncClient
from sync.protocol import PullResponse, Resolution, ResolveRequest
from sync.server import ingest, tables
from sync.server.db import lock_writes
from tests.sync.conftest import Laptop, RunningServer
from tests.sync.helpers import outbox_states, server_count, server_records
from tests.sync.test_app_sync import UTC_MAX, _network_done
from tests.sync.test_conflicts import edit_note
from tests.sync.test_faults import inspector, seeded
from tests.sync.test_push_log import LOGGED, logged_push, run_background_applier_until_idle
from tests.sync.world import WORLD, new_inspection


def device_id(server: RunningServer, name: str) -> uuid.UUID:
    with server.engine.connect() as conn:
        found: uuid.UUID = conn.execute(sa.select(tables.device.c.id).where(tables.device.c.name == name)).scalar_one()
    return found


def pull_all(client: SyncClient, cursor: str) -> tuple[list[PullResponse], str]:
    """Every page after ``cursor`` (small pages, so the cursor moves inside a pull too)."""
    pages = []
    while True:
        page = client.pull(cursor, limit=5)
        pages.append(page)
        cursor = page.cursor
        if not page.more:
            return pages, cursor


def delivered(pages: list[PullResponse]) -> list[tuple[str, uuid.UUID, int]]:
    return [(r.entity, r.id, r.version) for page in pages for r in page.records]


def logged_rows(server: RunningServer, device: uuid.UUID) -> list[tuple[int, int, int | None]]:
    p = tables.push_log.c
    with server.engine.connect() as conn:
        rows = conn.execute(sa.select(p.first_seq, p.last_seq, p.applied_upto).where(p.device_id == device))
        return [(int(f), int(last), None if upto is None else int(upto)) for f, last, upto in rows]


def test_a_pull_skips_another_devices_backlog_and_a_later_pull_gets_it_exactly_once(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "CHUNK", 4)  # several chunks per logged batch of 7
    sup = seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    made = {new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=5) for _ in range(5)}
    report = logged_push(ins)
    assert report.received == 30 and server_count(server.engine, tables.push_log) == 5
    a = device_id(server, "ins")
    backlog = logged_rows(server, a)

    # The supervisor's pull returns without any of it and without applying any of it.
    pages, cursor = pull_all(sup.client, "")
    seen = delivered(pages)
    assert not {record_id for _e, record_id, _v in seen} & made
    assert logged_rows(server, a) == backlog

    # Part of the backlog is applied (two chunks: the first batch), with a small push of the supervisor's own in
    # between; the next pull gets what is applied so far.
    assert ingest.apply_next(server.engine, device_id=a)
    assert logged_rows(server, a)[0] == (1, 7, 4)  # the first batch part way through
    with sup.store.session() as s:
        sup_inspection = Inspection(
            campaign_id=WORLD.campaign,
            template_version_id=WORLD.version,
            workshop_id=WORLD.workshop,
            team_id=WORLD.team_a,
            inspector_id=WORLD.inspector_1,
            note="the supervisor's own, pushed inline between two chunks",
        )
        s.add(sup_inspection)
        s.commit()
    assert sup.engine().run().pushed == 1
    assert ingest.apply_next(server.engine, device_id=a)
    assert logged_rows(server, a) == backlog[1:]
    pages, cursor = pull_all(sup.client, cursor)
    seen += delivered(pages)

    # The inspector's own pull applies all of its own batches first: it reads every change it sent.
    own = delivered(pull_all(ins.client, "")[0])
    assert made <= {record_id for entity, record_id, _v in own if entity == "inspection"}
    assert sum(1 for entity, *_ in own if entity == "answer") == 25
    assert server_count(server.engine, tables.push_log) == 0

    # The supervisor's next pull gets the rest: every record of the backlog exactly once, none skipped.
    pages, cursor = pull_all(sup.client, cursor)
    seen += delivered(pages)
    backlog_records = {rid for rid, row in server_records(server.engine).items() if row["entity"] == "answer"}
    backlog_records |= set(map(str, made))
    counts = Counter(str(record_id) for _e, record_id, _v in seen)
    assert {rid: counts[rid] for rid in backlog_records} == dict.fromkeys(backlog_records, 1)
    assert counts[str(sup_inspection.id)] == 1
    assert not delivered(pull_all(sup.client, cursor)[0])  # nothing more, nothing again
    # And the inspector learns every outcome once.
    report = ins.engine(**LOGGED).run()
    assert report.pushed == 30 and report.rejected == 0 and report.conflicts == 0
    assert outbox_states(ins.store) == {"acked": 30}


def test_the_background_applier_takes_one_chunk_of_each_waiting_device_in_turn(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "CHUNK", 3)
    monkeypatch.setattr(ingest, "QUIET_SECONDS", 0.0)
    seeded(server, tmp_path, laptops)
    big = inspector(server, tmp_path, laptops, "ins-big", "INS-1")
    small = inspector(server, tmp_path, laptops, "ins-small", "INS-2")
    for _ in range(4):
        new_inspection(big.store, WORLD.inspector_1, WORLD.team_a, answers=5)  # 24 changes: 4 batches, 8 chunks
    assert logged_push(big).received == 24
    small_inspection = new_inspection(small.store, WORLD.inspector_2, WORLD.team_a, answers=1)
    assert logged_push(small).received == 2  # received after the whole backlog
    big_id, small_id = device_id(server, "ins-big"), device_id(server, "ins-small")

    ready, uploading = ingest.ready_devices(server.engine)
    assert set(ready) == {big_id, small_id} and not uploading
    assert ingest.apply_round(server.engine, ready)
    # One round: the small batch is applied, the backlog has had one chunk (its first batch part way through).
    assert logged_rows(server, small_id) == []
    assert str(small_inspection) in server_records(server.engine, "inspection")
    assert logged_rows(server, big_id)[0] == (1, 7, 3) and len(logged_rows(server, big_id)) == 4

    run_background_applier_until_idle(server)
    assert server_count(server.engine, tables.push_log) == 0
    report = big.engine(**LOGGED).run()
    assert report.pushed == 24 and report.rejected == 0 and report.conflicts == 0
    assert len(server_records(server.engine, "answer")) == 21


def test_a_batch_that_fails_part_way_is_answered_for_the_rest_only(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chunks applied before the batch's device became unknown keep their answers; the rest of the batch is
    answered as failed for its remaining range, never half-applied."""
    monkeypatch.setattr(ingest, "CHUNK", 4)
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=5)  # 6 changes: one batch, two chunks
    logged_push(ins)
    a = device_id(server, "ins")
    assert ingest.apply_next(server.engine, device_id=a)
    assert logged_rows(server, a) == [(1, 6, 4)]
    monkeypatch.setattr(ingest, "_actor_of", lambda _session, _device: None)  # the device is no longer known
    assert ingest.apply_next(server.engine, device_id=a)
    assert logged_rows(server, a) == []
    f = tables.push_failure.c
    with server.engine.connect() as conn:
        failures = conn.execute(sa.select(f.first_seq, f.last_seq, f.code).where(f.device_id == a)).all()
        applied = conn.execute(
            sa.select(tables.applied_change.c.seq).where(tables.applied_change.c.device_id == a)
        ).scalars()
        assert sorted(applied) == [1, 2, 3, 4]
    assert [tuple(row) for row in failures] == [(5, 6, "E_AUTH_INVALID")]


def second_laptop_in_conflict(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> tuple[Laptop, Laptop, uuid.UUID]:
    """The same inspector's two laptops edit one draft's note; the first syncs first, so the second's edit is a
    conflict on the server (version 2 is the first laptop's). Returns the supervisor's laptop, the second laptop and
    the draft."""
    sup = seeded(server, tmp_path, laptops)
    first = inspector(server, tmp_path, laptops, "ins-a")
    second = inspector(server, tmp_path, laptops, "ins-b")
    inspection = new_inspection(first.store, WORLD.inspector_1, WORLD.team_a)
    first.sync()
    second.sync()
    edit_note(first, inspection, "furnace door open")
    edit_note(second, inspection, "door closed, guard missing")
    first.sync()
    assert second.sync().conflicts == 1  # type: ignore[attr-defined]
    return sup, second, inspection


def test_a_waiting_change_to_a_settled_record_becomes_a_new_conflict_not_an_overwrite(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    sup, second, inspection = second_laptop_in_conflict(server, tmp_path, laptops)
    # The second laptop edits the record again; its change is received and waits to be applied.
    edit_note(second, inspection, "guard fitted on Tuesday")
    assert logged_push(second).received == 1
    listed = sup.client.conflict_list()
    assert len(listed.conflicts) == 1 and listed.changes_waiting == 1
    [conflict] = listed.conflicts
    # The supervisor takes the device's first value: a new version (3), made by the supervisor's device.
    settled = sup.client.resolve(conflict.id, ResolveRequest(resolution=Resolution.TAKE_DEVICE))
    assert settled.version == 3
    assert server_count(server.engine, tables.push_log) == 1  # settling did not wait for the other laptop's batch

    ingest.drain(server.engine)  # the waiting change (made from version 2) is applied after the settle
    stored = server_records(server.engine, "inspection")[str(inspection)]
    assert stored["version"] == 3
    assert stored["payload"]["note"] == "door closed, guard missing"  # type: ignore[index]
    listed = sup.client.conflict_list()
    assert listed.changes_waiting == 0
    [again] = listed.conflicts
    assert again.id != conflict.id and again.record_id == inspection
    assert again.base_version == 2 and again.server_version == 3
    assert again.server_payload["note"] == "door closed, guard missing"
    assert again.device_payload["note"] == "guard fitted on Tuesday"
    assert second.engine(**LOGGED).run().conflicts == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("lang", "said"),
    [("en", "6 received changes are still being applied"), ("zh", "服务器仍在处理已收到的 6 条更改")],
)
def test_the_conflicts_screen_says_how_many_received_changes_are_still_being_applied(
    server: RunningServer,
    tmp_path: Path,
    laptops: list[Laptop],
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    said: str,
) -> None:
    sup = seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=5)
    assert logged_push(ins).received == 6
    me = sup.client.me()
    data = tmp_path / "sup-data"
    credentials = Credentials(
        server.url, me.device_id, server.tokens["sup"], "sup", "supervisor", None, me.expires_at or UTC_MAX
    )
    save_credentials(data / "sync-device.json", credentials)
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(data))

    async def run() -> str:
        app = create_app(sup.store.path, lang, store=sup.store)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.switch_mode("conflicts")
            await pilot.pause()
            await _network_done(app)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ConflictsScreen)
            return str(screen.query_one("#conflicts-status", Static).render())

    assert said in asyncio.run(run())
    assert server_count(server.engine, tables.push_log) == 1  # listing applied nothing of the inspector's


def test_a_waiting_edit_made_from_the_kept_server_value_is_an_ordinary_edit(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    """Keeping the server's value writes no version: a waiting change made from that very version (the laptop was
    shown it after its conflict) is applied as an edit of it, like any other; versions decide, not the order."""
    sup, second, inspection = second_laptop_in_conflict(server, tmp_path, laptops)
    edit_note(second, inspection, "furnace door open, guard fitted on Tuesday")
    assert logged_push(second).received == 1
    [conflict] = sup.client.conflicts()
    assert sup.client.resolve(conflict.id, ResolveRequest(resolution=Resolution.KEEP_SERVER)).version == 2
    ingest.drain(server.engine)
    stored = server_records(server.engine, "inspection")[str(inspection)]
    assert stored["version"] == 3
    assert stored["payload"]["note"] == "furnace door open, guard fitted on Tuesday"  # type: ignore[index]
    assert sup.client.conflict_list().conflicts == []
    report = second.engine(**LOGGED).run()
    assert report.conflicts == 0 and report.rejected == 0


def test_a_pull_and_a_conflict_list_answer_while_another_devices_chunk_holds_the_write_lock(
    pg_server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    """PostgreSQL: an applier in the middle of a chunk holds the write lock (held here by the test); the
    supervisor's pull and conflict list still answer, because they take it only for their own device's batches."""
    server = pg_server
    sup = seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=5)
    assert logged_push(ins).received == 6
    with Session(server.engine) as held:
        lock_writes(held)  # as an applier does for each chunk, until its commit
        with SyncClient(server.url, server.tokens["sup"], attempts=1, timeout=20) as client:
            assert not client.pull(sup_cursor(sup), limit=100).records
            assert client.conflict_list().changes_waiting == 6
        held.rollback()
    assert server_count(server.engine, tables.push_log) == 1


def sup_cursor(sup: Laptop) -> str:
    """Where the supervisor's laptop stopped pulling (so the pull below has nothing old to return)."""
    with sup.store.session() as s:
        return get_setting(s, CURSOR_KEY, "") or ""
