"""The push log: large batches stored as received, applied afterwards in order with every rule of a push."""

from __future__ import annotations

import signal
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from inspector.models import Inspection, OutboxEntry, OutboxReceipt
from inspector.models.enums import OutboxStatus
from inspector.store import open_store
from sync.client.engine import SyncReport
from sync.client.http import SyncClient, SyncError
from sync.protocol import DeviceRole
from sync.server import ingest, tables
from tests.sync.conftest import Laptop, RunningServer
from tests.sync.helpers import FaultyTransport, integrity_ok, outbox_states, server_count, server_records
from tests.sync.test_crashes import run_client
from tests.sync.test_faults import inspector, pending_changes, seeded
from tests.sync.world import WORLD, new_inspection

#: Every batch without attachments goes through the log in these tests.
LOGGED = {"log_threshold": 1, "log_batch": 7}


def logged_push(laptop: Laptop) -> SyncReport:
    report = SyncReport()
    laptop.engine(**LOGGED).push(report)
    return report


def test_a_backlog_is_received_then_applied_and_every_outcome_recorded(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    sup = seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    made = [new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=5) for _ in range(4)]
    report = logged_push(ins)
    assert report.received == 24 and report.pushed == 0
    assert outbox_states(ins.store) == {"pending": 24}  # stay pending, covered by receipts: not sent again
    assert receipts(ins) == [(1 + n * 7, min(24, 7 + n * 7)) for n in range(4)] or len(receipts(ins)) == 4
    assert ins.engine(**LOGGED).pending_count() == 0
    assert server_count(server.engine, tables.push_log) == 4  # 24 changes in batches of 7: durable, not applied
    # Another device's pull does not wait for this backlog: it reads what is applied so far.
    sup.sync()
    assert server_count(server.engine, tables.push_log) == 4
    assert not set(map(str, made)) & set(server_records(server.engine, "inspection"))
    # Once the backlog is applied (the background applier's work), the supervisor's next pull gets every record.
    ingest.drain(server.engine)
    sup_report = sup.sync()
    assert sup_report.pulled >= 24  # type: ignore[attr-defined]
    assert server_count(server.engine, tables.push_log) == 0
    assert set(map(str, made)) <= set(server_records(server.engine, "inspection"))
    # The inspector learns the outcomes on its next sync and records the server versions.
    report = ins.engine(**LOGGED).run()
    assert report.pushed == 24 and report.rejected == 0 and report.conflicts == 0
    assert outbox_states(ins.store) == {"acked": 24}
    assert receipts(ins) == []
    with ins.store.session() as s:
        versions = set(s.exec(select(Inspection.server_version)).all())
    assert versions == {1}


def test_the_same_batch_logged_twice_is_stored_once_and_applied_once(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=3)
    batch = ins.engine(**LOGGED)._next_batch(0)
    assert batch is not None
    header = {
        "first_seq": batch.first_seq,
        "last_seq": batch.last_seq,
        "count": batch.count,
        "schema_version": batch.schema_version,
    }
    first = ins.client.push_log(batch.body, **header)
    again = ins.client.push_log(batch.body, **header)
    assert not first.duplicate and again.duplicate and again.received_seq == batch.last_seq
    assert server_count(server.engine, tables.push_log) == 1
    ingest.drain(server.engine)
    # Logged again after it was applied (a retry that came late): applied again, answered as the same results.
    ins.client.push_log(batch.body, **header)
    report = ins.engine(**LOGGED).run()
    assert report.pushed == 4
    assert len(server_records(server.engine, "answer")) == 3
    assert len(server_records(server.engine, "inspection")) == 1


def test_a_reply_lost_after_the_log_committed_is_retried_without_duplicates(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    for _ in range(2):
        new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=5)

    def decide(request: httpx.Request, n: int) -> str | None:
        return "drop_reply" if request.url.path == "/push/log" and n == 1 else None

    ins.client = SyncClient(server.url, server.tokens["ins"], transport=FaultyTransport(decide), max_wait=0.05)
    report = ins.engine(**LOGGED).run()
    assert report.pushed == 12
    assert outbox_states(ins.store) == {"acked": 12}
    assert len(server_records(server.engine, "answer")) == 10


def test_a_small_push_after_logged_batches_is_applied_after_them(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    inspection = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=5)
    logged_push(ins)  # 6 changes logged, not applied yet
    with ins.store.session() as s:
        row = s.get(Inspection, inspection)
        assert row is not None
        row.note = "edited after the backlog left"
        s.add(row)
        s.commit()
    # The edit goes through /push (one change: below the threshold); the server applies the log first, so the edit
    # lands on version 1 made by the same device: no conflict.
    report = ins.engine().run()
    assert report.conflicts == 0 and report.rejected == 0
    stored = server_records(server.engine, "inspection")[str(inspection)]
    assert stored["version"] == 2
    assert stored["payload"]["note"] == "edited after the backlog left"  # type: ignore[index]
    assert outbox_states(ins.store) == {"acked": 7}


def test_a_logged_change_is_authorised_and_a_forbidden_one_rejected_without_blocking(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    foreign = new_inspection(ins.store, WORLD.inspector_2, WORLD.team_a, answers=0)  # someone else's
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    report = ins.engine(**LOGGED).run()
    assert report.rejected == 1 and report.pushed == 6
    assert str(foreign) not in server_records(server.engine, "inspection")
    with ins.store.session() as s:
        entry = s.exec(select(OutboxEntry).where(OutboxEntry.entity_id == foreign)).one()
    assert entry.status == OutboxStatus.REJECTED and entry.error.startswith("E_FORBIDDEN")


def push_around_a_failing_change(
    server: RunningServer, ins: Laptop, monkeypatch: pytest.MonkeyPatch, error: Callable[[], Exception]
) -> uuid.UUID:
    """The server's applier raises ``error()`` on one inspection (made between two others); a logged push sends all
    three: the failing change alone is rejected, the ones around it are applied. Returns the failing inspection."""
    import sync.server.apply as apply_module

    original = apply_module.normalise

    def failing(entity: str, payload: dict[str, object]) -> dict[str, object]:
        if payload.get("note") == "fails on the server":
            raise error()
        return original(entity, payload)

    monkeypatch.setattr(apply_module, "normalise", failing)
    before = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    failed = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=0, note="fails on the server")
    after = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    report = ins.engine(**LOGGED).run()
    assert report.rejected == 1 and report.pushed == 6
    assert {str(before), str(after)} <= set(server_records(server.engine, "inspection"))
    assert str(failed) not in server_records(server.engine, "inspection")
    return failed


def test_a_change_the_applier_fails_on_is_isolated_and_sent_again_once_fixed(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sync.server.apply as apply_module

    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    original = apply_module.normalise
    poison = push_around_a_failing_change(server, ins, monkeypatch, lambda: RuntimeError("a bug in the server"))
    monkeypatch.setattr(apply_module, "normalise", original)  # the server is fixed
    engine = ins.engine(**LOGGED)
    assert engine.retry_rejected() == 1
    assert engine.run().pushed == 1
    assert str(poison) in server_records(server.engine, "inspection")
    assert outbox_states(ins.store) == {"acked": 7}


def test_a_batch_that_cannot_be_read_is_answered_for_its_whole_range(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    receipt = ins.client.push_log(
        b'{"changes": [{"seq": "nonsense"', first_seq=900, last_seq=901, count=2, schema_version=1
    )
    assert receipt.status == "received"
    outcomes = ins.client.outcomes(899)
    assert outcomes.results == [] and not outcomes.pending
    [failure] = outcomes.failures
    assert (failure.first_seq, failure.last_seq, failure.code) == (900, 901, "E_VALIDATION")
    assert server_count(server.engine, tables.push_log) == 0


def test_a_batch_header_is_checked_on_receipt(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    body = b'{"changes": []}'
    with pytest.raises(SyncError) as too_new:
        ins.client.push_log(body, first_seq=1, last_seq=1, count=1, schema_version=99)
    assert too_new.value.code == "E_SCHEMA_TOO_NEW" and "nothing was dropped" in too_new.value.message
    with pytest.raises(SyncError) as crooked:
        ins.client.push_log(body, first_seq=5, last_seq=6, count=3, schema_version=1)
    assert crooked.value.code == "E_VALIDATION"
    with pytest.raises(SyncError) as anonymous:
        SyncClient(server.url, None, attempts=1).push_log(body, first_seq=1, last_seq=1, count=1, schema_version=1)
    assert anonymous.value.code == "E_AUTH_MISSING"
    assert server_count(server.engine, tables.push_log) == 0


def test_received_entries_are_sent_again_after_a_restore(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    from sync.server.db import new_epoch

    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=4)
    logged_push(ins)
    assert outbox_states(ins.store) == {"pending": 5} and len(receipts(ins)) == 1
    with server.engine.begin() as conn:  # the server is restored from a backup taken before the batch came
        conn.execute(sa.delete(tables.push_log))
        conn.execute(sa.delete(tables.device_received))
    new_epoch(server.engine)
    report = ins.engine(**LOGGED).run()
    assert report.resent == 5 and report.pushed == 5
    assert outbox_states(ins.store) == {"acked": 5}
    assert len(server_records(server.engine, "answer")) == 4


def test_entries_the_server_never_answered_go_back_to_pending(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    logged_push(ins)
    with server.engine.begin() as conn:  # lost on the server without an epoch change (the worst case)
        conn.execute(sa.delete(tables.push_log))
    engine = ins.engine(**LOGGED)
    assert engine.pending_count() == 0
    engine.collect_outcomes(SyncReport())
    assert outbox_states(ins.store) == {"pending": 3} and receipts(ins) == []
    assert engine.pending_count() == 3
    assert engine.run().pushed == 3
    assert outbox_states(ins.store) == {"acked": 3}


def test_logged_changes_are_answered_in_seq_order_and_pushed_changes_match(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    for _ in range(2):
        new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=5)
    sent = pending_changes(ins)
    batch = ins.engine(**LOGGED)._next_batch(0)
    assert batch is not None
    from sync.protocol import PushRequest

    # The SQL-built body says exactly what the ORM-built changes say.
    encoded = PushRequest.model_validate_json(batch.body).changes
    assert [c.body_hash() for c in encoded] == [c.body_hash() for c in sent[: len(encoded)]]
    assert [c.seq for c in encoded] == sorted(c.seq for c in encoded)
    logged_push(ins)
    outcomes = ins.client.outcomes(0)
    assert [r.seq for r in outcomes.results] == [c.seq for c in sent]


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_kill_9_at_every_step_of_a_logged_sync_loses_nothing(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    token = server.enroll("ins", DeviceRole.INSPECTOR, "INS-1")
    data = tmp_path / "ins"
    data.mkdir()
    db = data / "inspector.db"
    assert run_client(db, data, server, token, "sync", log_threshold=1) == 0  # reference data
    saved = 0
    for point in ("before_push", "after_push_reply", "after_ack_commit", "after_outcomes_reply", "after_pull_commit"):
        assert run_client(db, data, server, token, "save") == 0
        saved += 1
        assert run_client(db, data, server, token, "sync", crash=point, log_threshold=1) == -signal.SIGKILL, point
        store = open_store(db)
        assert integrity_ok(store), point
        store.close()
    assert run_client(db, data, server, token, "sync", log_threshold=1) == 0
    store = open_store(db)
    try:
        assert outbox_states(store) == {"acked": saved * 5}
        with store.session() as s:
            assert s.exec(select(OutboxEntry).where(col(OutboxEntry.status) != "acked")).all() == []
    finally:
        store.close()
    assert len(server_records(server.engine, "inspection")) == saved
    assert len(server_records(server.engine, "answer")) == saved * 4
    assert server_count(server.engine, tables.push_log) == 0


def run_background_applier_until_idle(server: RunningServer) -> None:
    """A background applier of the server's engine, started and stopped once a pass found nothing more to apply."""
    applier = ingest.BackgroundApplier(server.engine)
    applier.start()
    try:
        assert applier.wait_idle(60)
    finally:
        applier.stop()


def test_the_background_applier_applies_what_waits(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=3)
    logged_push(ins)
    monkeypatch.setattr(ingest, "QUIET_SECONDS", 0.0)
    assert ingest.ready_devices(server.engine) == ([ins_device_id(server)], False)
    run_background_applier_until_idle(server)
    assert server_count(server.engine, tables.push_log) == 0
    assert len(server_records(server.engine, "answer")) == 3


def receipts(laptop: Laptop) -> list[tuple[int, int]]:
    with laptop.store.session() as s:
        rows = s.exec(select(OutboxReceipt.first_seq, OutboxReceipt.last_seq).order_by(col(OutboxReceipt.first_seq)))
        return [(int(f), int(last)) for f, last in rows.all()]


def ins_device_id(server: RunningServer) -> uuid.UUID:
    with server.engine.connect() as conn:
        found: uuid.UUID = conn.execute(sa.select(tables.device.c.id).where(tables.device.c.name == "ins")).scalar_one()
    return found


def test_a_batch_naming_files_goes_through_push_with_its_uploads(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    from inspector.models import Answer

    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    inspection = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    photo = tmp_path / "evidence.jpg"
    photo.write_bytes(b"\xff\xd8 a photo of the missing guard rail")
    with ins.store.session() as s:
        s.add(Answer(inspection_id=inspection, item_id=WORLD.item(3), choice="no", photo_path=str(photo)))
        s.commit()
    engine = ins.engine(log_threshold=1, log_batch=3)
    first = engine._next_batch(0)
    assert first is not None and not first.needs_files  # the inspection and two answers without photos
    second = engine._next_batch(first.last_seq)
    assert second is not None and second.needs_files  # the answer naming its photo
    report = engine.run()
    assert report.pushed == 4 and report.uploaded == 1 and report.received == 3
    assert server_count(server.engine, tables.attachment, tables.attachment.c.complete.is_(True)) == 1


class NoPushLog(httpx.HTTPTransport):
    """A server from before the push log: ``/push/log`` is not found."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/push/log":
            return httpx.Response(404, json={"code": "E_NOT_FOUND", "message": "Not found.", "detail": {}})
        return super().handle_request(request)


def test_a_server_without_the_push_log_gets_the_backlog_through_push(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    for _ in range(3):
        new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=5)
    ins.client = SyncClient(server.url, server.tokens["ins"], transport=NoPushLog())
    report = ins.engine(**LOGGED).run()
    assert report.pushed == 18 and report.received == 0
    assert outbox_states(ins.store) == {"acked": 18} and receipts(ins) == []


def test_a_repeatable_database_error_on_one_change_is_isolated_not_retried_forever(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement timeout on one change fails the same way every time: it is answered as failed like any other
    server failure, and the changes around it are applied (the batch does not stay logged)."""
    import psycopg.errors

    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)

    def timeout() -> Exception:
        cause = psycopg.errors.QueryCanceled("canceling statement due to statement timeout")
        return sa.exc.OperationalError("UPDATE record", {}, cause)

    push_around_a_failing_change(server, ins, monkeypatch, timeout)
    assert server_count(server.engine, tables.push_log) == 0


@pytest.mark.parametrize(
    ("sqlstate", "lost"),
    [
        ("08006", True),
        ("40001", True),
        ("40P01", True),
        ("57P01", True),
        ("53100", True),  # disk full: kept logged, retried once there is room
        ("57014", False),
        ("54000", False),
    ],
)
def test_only_a_lost_connection_keeps_a_batch_logged(sqlstate: str, lost: bool) -> None:
    import psycopg.errors

    cause = psycopg.errors.lookup(sqlstate)("from the database")
    assert ingest.connection_lost(sa.exc.OperationalError("SELECT 1", {}, cause)) is lost
    invalidated = sa.exc.OperationalError("SELECT 1", {}, cause, connection_invalidated=True)
    assert ingest.connection_lost(invalidated)
