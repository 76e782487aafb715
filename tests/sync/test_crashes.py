"""kill -9 of the client at every step of save and sync, the server restarted mid-push, large attachments resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from inspector.store import open_store
from sync.client.http import Offline, SyncClient
from sync.protocol import DeviceRole
from sync.server import tables
from tests.sync.conftest import Laptop, RunningServer, make_laptop
from tests.sync.helpers import FaultyTransport, integrity_ok, outbox_states, server_count, server_records
from tests.sync.pgcluster import free_port
from tests.sync.test_faults import inspector, seeded
from tests.sync.world import WORLD, new_inspection

ROOT = Path(__file__).resolve().parents[2]
CRASH_POINTS = [
    "before_push",
    "after_push_reply",
    "after_ack_commit",
    "mid_upload",
    "after_pull_received",
    "after_pull_commit",
]


def run_client(
    db: Path,
    data: Path,
    server: RunningServer,
    token: str,
    step: str,
    crash: str | None = None,
    *,
    log_threshold: int | None = None,
) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("INSPECTOR_SYNC_CRASH_AT", None)
    if crash:
        env["INSPECTOR_SYNC_CRASH_AT"] = crash
    done = subprocess.run(
        [sys.executable, "-m", "tests.sync.client_process", str(db), str(data), server.url, token, step]
        + ([str(log_threshold)] if log_threshold is not None else []),
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    return done.returncode


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_kill_9_at_every_step_of_save_and_sync_loses_nothing(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    token = server.enroll("ins", DeviceRole.INSPECTOR, "INS-1")
    data = tmp_path / "ins"
    data.mkdir()
    db = data / "inspector.db"
    assert run_client(db, data, server, token, "sync") == 0  # reference data
    saved = 0
    for point in CRASH_POINTS:
        assert run_client(db, data, server, token, "save") == 0
        saved += 1
        assert run_client(db, data, server, token, "sync", crash=point) == -signal.SIGKILL, point
        store = open_store(db)
        assert integrity_ok(store), point
        store.close()
    assert run_client(db, data, server, token, "sync") == 0
    store = open_store(db)
    try:
        assert integrity_ok(store)
        assert outbox_states(store) == {"acked": saved * 5}
    finally:
        store.close()
    assert len(server_records(server.engine, "inspection")) == saved
    assert len(server_records(server.engine, "answer")) == saved * 4
    assert server_count(server.engine, tables.attachment, tables.attachment.c.complete.is_(True)) == saved


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_large_attachment_interrupted_is_resumed_where_it_stopped(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    sup = seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    photo = tmp_path / "evidence.jpg"
    content = os.urandom(5 * 1024 * 1024 + 123)
    photo.write_bytes(content)
    inspection = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=0)
    from inspector.models import Finding

    with ins.store.session() as s:
        s.add(
            Finding(
                inspection_id=inspection,
                description="护栏缺失",
                team_id=WORLD.team_a,
                deadline=__import__("datetime").date(2022, 6, 9),
                photo_paths=[str(photo)],
            )
        )
        s.commit()
    puts = 0

    def cut_after_two_chunks(request: httpx.Request, _n: int) -> str | None:
        nonlocal puts
        if request.method == "PUT":
            puts += 1
            if puts == 3:
                return "refuse"
        return None

    transport = FaultyTransport(cut_after_two_chunks)
    ins.client = SyncClient(server.url, server.tokens["ins"], transport=transport, attempts=1)
    with pytest.raises(Offline):
        ins.sync()
    assert outbox_states(ins.store) == {"pending": 2}
    status = ins.client.attachment_status(__import__("hashlib").sha256(content).hexdigest())
    assert status.received == 2 * 1024 * 1024 and not status.complete
    ins.client = server.client(server.tokens["ins"], transport=transport)
    report = ins.sync()
    offsets = [path for method, path, _ in transport.log if method == "PUT"][3:]
    assert offsets[0].endswith(f"offset={2 * 1024 * 1024}")  # resumed, not restarted
    assert report.uploaded == 1 and outbox_states(ins.store) == {"acked": 2}  # type: ignore[attr-defined]
    photo.unlink()  # the supervisor's laptop is another machine: it has no such file
    report = sup.sync()
    assert report.downloaded == 1  # type: ignore[attr-defined]
    with sup.store.session() as s:
        [finding_id] = server_records(server.engine, "finding")
        finding = s.get(Finding, uuid.UUID(finding_id))
        assert finding is not None
        local = Path(finding.photo_paths[0])
    assert local.read_bytes() == content and local.is_relative_to(sup.attachments)


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("path", ["push", "log"])
def test_the_server_killed_and_restarted_mid_push_loses_and_duplicates_nothing(
    database_url: str, tmp_path: Path, laptops: list[Laptop], path: str
) -> None:
    from tests.sync.conftest import start_server

    port = free_port()
    env = {**os.environ, "INSPECTOR_SERVER_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "sync.server.app:app_from_env",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    helper = start_server(database_url)  # migrates the database and enrols devices; its own uvicorn is not used
    helper.stop()
    helper.port = port
    seeded_server = helper
    proc = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        sup = make_laptop(
            tmp_path, "sup", seeded_server, seeded_server.enroll("sup", DeviceRole.SUPERVISOR, "SUP"), laptops
        )
        sup.client = SyncClient(seeded_server.url, seeded_server.tokens["sup"], attempts=40, max_wait=0.3)
        from tests.sync.world import seed_reference

        seed_reference(sup.store)
        sup.sync()
        ins = make_laptop(
            tmp_path, "ins", seeded_server, seeded_server.enroll("ins", DeviceRole.INSPECTOR, "INS-1"), laptops
        )
        ins.client = SyncClient(seeded_server.url, seeded_server.tokens["ins"], attempts=60, max_wait=0.3)
        ins.sync()
        for _ in range(40):
            new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a)
        # Through /push (applied before each answer) or through the push log (stored, applied before the outcomes).
        engine = ins.engine(batch=10, log_threshold=10**9) if path == "push" else ins.engine(log_batch=10)
        killed: list[int] = []

        def progress(stage: str, done: int, _total: int | None) -> None:
            nonlocal proc
            if stage == "push" and done == 60 and not killed:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                killed.append(done)
                proc = subprocess.Popen(command, env=env, cwd=ROOT)

        engine.progress = progress
        report = engine.run()
        assert killed == [60]
        assert report.pushed + report.duplicates >= 240
        assert outbox_states(ins.store) == {"acked": 240}
        assert len(server_records(seeded_server.engine, "inspection")) == 40
        assert len(server_records(seeded_server.engine, "answer")) == 200
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        seeded_server.engine.dispose()
