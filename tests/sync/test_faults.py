"""Fault injection: duplicates, concurrent pushes, lost replies, poison changes, revoked tokens, captive portals."""

from __future__ import annotations

import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session
from sqlmodel import col, select

from inspector.models import Inspection, OutboxEntry
from inspector.models.enums import OutboxStatus
from inspector.store import Store
from sync.client.engine import SyncReport
from sync.client.http import Offline, SyncClient, SyncError
from sync.protocol import Change, ChangeStatus, DeviceRole, Op
from sync.server import tables
from sync.server.devices import revoke
from tests.sync.conftest import Laptop, RunningServer, make_laptop
from tests.sync.helpers import FaultyTransport, outbox_states, server_count, server_records
from tests.sync.world import WORLD, new_inspection, seed_reference


def seeded(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> Laptop:
    sup = make_laptop(tmp_path, "sup", server, server.enroll("sup", DeviceRole.SUPERVISOR, "SUP"), laptops)
    seed_reference(sup.store)
    sup.sync()
    return sup


def inspector(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], name: str = "ins", person: str = "INS-1"
) -> Laptop:
    laptop = make_laptop(tmp_path, name, server, server.enroll(name, DeviceRole.INSPECTOR, person), laptops)
    laptop.sync()
    return laptop


def sign_in_one_change(store: Store, inspection_id: uuid.UUID) -> None:
    """Sign a world inspection (5 yes/no answers: no, yes, no, yes, no) in one change, with what the server reruns:
    a team leader's acknowledgement and the score its answers give (10 of 25 points: 40 %, "fail")."""
    with store.session() as s:
        row = s.get(Inspection, inspection_id)
        assert row is not None
        row.status, row.acknowledged_by_id, row.content_hash = "signed", WORLD.leader_a, "a" * 64
        row.score_earned, row.score_possible, row.score_percent, row.grade = 10.0, 25.0, 40.0, "fail"
        s.add(row)
        s.commit()


def pending_changes(laptop: Laptop) -> list[Change]:
    with laptop.store.session() as s:
        entries = s.exec(
            select(OutboxEntry).where(OutboxEntry.status == OutboxStatus.PENDING).order_by(col(OutboxEntry.seq))
        ).all()
        return [
            Change(
                change_id=e.change_id,
                seq=e.seq or 0,
                entity=e.entity,
                entity_id=e.entity_id,
                op=Op(e.op),
                payload=e.payload,
                base_version=e.base_version,
                schema_version=e.schema_version,
            )
            for e in entries
        ]


def test_the_same_batch_pushed_twice_stores_each_record_once(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a)
    changes = pending_changes(ins)
    first = ins.client.push(changes)
    second = ins.client.push(changes)
    assert {r.status for r in first.results} == {ChangeStatus.APPLIED}
    assert {r.status for r in second.results} == {ChangeStatus.DUPLICATE}
    assert [r.version for r in first.results] == [r.version for r in second.results]
    assert len(server_records(server.engine, "answer")) == 5
    assert (
        server_count(
            server.engine, tables.applied_change, tables.applied_change.c.device_id == ins_device(server, "ins")
        )
        == 6
    )


def ins_device(server: RunningServer, name: str) -> uuid.UUID:
    with Session(server.engine) as s:
        import sqlalchemy as sa

        found: uuid.UUID = s.execute(sa.select(tables.device.c.id).where(tables.device.c.name == name)).scalar_one()
        return found


def test_concurrent_pushes_of_the_same_changes_store_exactly_one_row_each(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    for _ in range(3):
        new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a)
    changes = pending_changes(ins)
    outcomes: list[set[ChangeStatus]] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(4)

    def push() -> None:
        with server.client(server.tokens["ins"], attempts=5) as client:
            barrier.wait()
            try:
                outcomes.append({r.status for r in client.push(changes).results})
            except BaseException as exc:  # collected and asserted below
                failures.append(exc)

    threads = [threading.Thread(target=push) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(len(o) for o in outcomes) == [1, 1, 1, 1]
    assert sum(1 for o in outcomes if o == {ChangeStatus.APPLIED}) == 1  # exactly one push applied, three repeated
    assert len(server_records(server.engine, "inspection")) == 3
    assert len(server_records(server.engine, "answer")) == 15


def test_a_reply_lost_after_the_server_committed_is_retried_without_duplicates(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    token = server.enroll("ins", DeviceRole.INSPECTOR, "INS-1")
    dropped: list[int] = []

    def decide(request: httpx.Request, _n: int) -> str | None:
        if request.url.path == "/push" and not dropped:
            dropped.append(1)
            return "drop_reply"
        return None

    transport = FaultyTransport(decide)
    ins = make_laptop(tmp_path, "ins", server, token, laptops)
    ins.client = SyncClient(server.url, token, transport=transport, attempts=3, max_wait=0.1)
    ins.sync()  # reference data first; nothing to push yet
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a)
    report = ins.sync()
    assert isinstance(report, SyncReport)
    assert dropped == [1]
    assert [entry[2] for entry in transport.log if entry[1] == "/push"] == ["drop_reply", None]
    assert report.duplicates == 6 and report.pushed == 6
    assert outbox_states(ins.store) == {"acked": 6}
    assert len(server_records(server.engine, "answer")) == 5


def test_a_poison_change_is_rejected_and_does_not_block_later_ones(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    with ins.store.session() as s:  # a change no server can ever accept (an answer without its inspection id)
        s.add(
            OutboxEntry(
                entity="answer",
                entity_id=uuid.uuid4(),
                op="upsert",
                payload={"item_id": str(WORLD.item(0)), "choice": "yes"},
            )
        )
        s.add(OutboxEntry(entity="no_such_table", entity_id=uuid.uuid4(), op="upsert", payload={}))
        s.commit()
    inspection = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a)
    report = ins.sync()
    assert report.rejected == 2 and report.pushed == 6  # type: ignore[attr-defined]
    assert outbox_states(ins.store) == {"acked": 6, "rejected": 2}
    with ins.store.session() as s:
        errors = [e.error for e in s.exec(select(OutboxEntry).where(OutboxEntry.status == "rejected")).all()]
    assert any("E_PAYLOAD_INVALID" in e and "inspection_id" in e for e in errors)
    assert any("E_UNKNOWN_ENTITY" in e for e in errors)
    assert str(inspection) in server_records(server.engine, "inspection")


def test_a_revoked_token_stops_sync_clearly_and_keeps_the_outbox(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    for _ in range(4):
        new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a)
    engine = ins.engine(batch=6)
    seen: list[int] = []

    def progress(stage: str, done: int, _total: int | None) -> None:
        if stage == "push" and done == 6 and not seen:  # after the first batch: the supervisor revokes the device
            seen.append(done)
            with Session(server.engine) as s:
                revoke(s, ins_device(server, "ins"))
                s.commit()

    engine.progress = progress
    with pytest.raises(SyncError) as caught:
        engine.run()
    assert caught.value.code == "E_AUTH_REVOKED"
    assert "revoked" in caught.value.message and "stay on this laptop" in caught.value.message
    assert outbox_states(ins.store) == {"acked": 6, "pending": 18}


def test_a_captive_portal_page_is_offline_not_success(tmp_path: Path, store: object) -> None:
    class Portal(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html><body>Welcome to the plant Wi-Fi. Log in.</body></html>"
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            self.do_GET()

        def log_message(self, *_args: object) -> None:
            return

    portal = HTTPServer(("127.0.0.1", 0), Portal)
    thread = threading.Thread(target=portal.serve_forever, daemon=True)
    thread.start()
    try:
        from inspector.store import Store

        assert isinstance(store, Store)
        new_inspection_store = store
        with new_inspection_store.session() as s:
            s.add(OutboxEntry(entity="group", entity_id=uuid.uuid4(), op="upsert", payload={}))
            s.commit()
        client = SyncClient(f"http://127.0.0.1:{portal.server_address[1]}", "insp_x", attempts=1)
        laptop = Laptop(store, client, tmp_path / "att")
        with pytest.raises(Offline) as caught:
            laptop.engine().run()
        assert "captive portal" in caught.value.message
        assert outbox_states(store) == {"pending": 1}
        client.close()
    finally:
        portal.shutdown()


def test_an_unreachable_server_is_offline(tmp_path: Path, store: object) -> None:
    from inspector.store import Store
    from tests.sync.pgcluster import free_port

    assert isinstance(store, Store)
    with (
        SyncClient(f"http://127.0.0.1:{free_port()}", "insp_x", attempts=2, max_wait=0.05) as client,
        pytest.raises(Offline),
    ):
        Laptop(store, client, tmp_path).engine().run()


def test_a_signed_inspection_is_immutable_on_the_server(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    inspection = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a)
    sign_in_one_change(ins.store, inspection)
    assert ins.sync().pushed == 7  # type: ignore[attr-defined]
    with ins.store.session() as s:  # edited behind the app's back: the server refuses
        row = s.get(Inspection, inspection)
        assert row is not None
        row.note = "changed after signing"
        s.add(row)
        s.commit()
    report = ins.sync()
    assert report.rejected == 1  # type: ignore[attr-defined]
    assert server_records(server.engine, "inspection")[str(inspection)]["payload"]["note"] == ""  # type: ignore[index]
    with Session(server.engine) as s:
        from sync.server.audit import verify_audit

        chain = verify_audit(s)
    assert chain.ok and chain.entries == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_change_the_server_fails_on_is_isolated_and_later_ones_go_through(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sync.server.apply as apply_module

    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    original = apply_module.normalise

    def faulty(entity: str, payload: dict[str, object]) -> dict[str, object]:
        if payload.get("note") == "trips a server bug":
            raise RuntimeError("a bug in the server")
        return original(entity, payload)

    monkeypatch.setattr(apply_module, "normalise", faulty)
    good_before = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=0, note="trips a server bug")
    good_after = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2)
    report = ins.sync()
    assert report.rejected == 1 and report.pushed == 6  # type: ignore[attr-defined]
    assert {str(good_before), str(good_after)} <= set(server_records(server.engine, "inspection"))
    monkeypatch.setattr(apply_module, "normalise", original)  # the server is fixed
    engine = ins.engine()
    assert engine.retry_rejected() == 1
    assert engine.run().pushed == 1
    assert outbox_states(ins.store) == {"acked": 7}
