"""Sync on loopback against PostgreSQL: a 100,000-answer backlog vs the transport limit, one inspection's round
trip, and 50 devices syncing at once (also while another laptop's 100,000-answer backlog is being applied).

The server runs under uvicorn in its own processes (2 workers sharing one PostgreSQL), with one extra route,
``POST /discard``, that reads a request body and throws it away: posting the very same bytes there is the
transport limit our push is measured against.

The backlog goes through the push log, so it has two figures, both against the same transport baseline: the push
(every batch stored durably as received: what the laptop waits for) and the backlog applied and visible to pulls
(push, then every change applied with every rule and its outcome recorded on the laptop). Read them together.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import psycopg
import sqlalchemy as sa
from fastapi import FastAPI, Request, Response
from sqlalchemy.orm import Session

from bench.common import Result, median, percentile
from inspector.models import (
    Answer,
    Campaign,
    ChecklistTemplate,
    Group,
    Inspection,
    OutboxEntry,
    Person,
    Team,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
    Unit,
    Workshop,
    stable_id,
    utcnow,
)
from inspector.store import Store, open_store
from sync.client.engine import SyncEngine, SyncReport
from sync.client.http import SyncClient
from sync.protocol import DeviceRole, PushRequest
from sync.server.app import create_app
from sync.server.db import make_engine, migrate
from sync.server.devices import create_enrolment, redeem
from sync.server.ingest import waiting_changes
from sync.server.settings import ServerSettings

ROOT = Path(__file__).resolve().parents[1]
ITEMS = 50
BACKLOG_ANSWERS = int(os.environ.get("BENCH_SYNC_ANSWERS", "100000"))
DEVICES = 50
BATCH = 2000
LOG_BATCH = int(os.environ.get("BENCH_SYNC_LOG_BATCH", "5000"))


def bench_app() -> FastAPI:
    """The real server app plus the discard route (uvicorn factory for the benchmark only)."""
    app = create_app(ServerSettings())

    @app.post("/discard", include_in_schema=False)
    async def discard(request: Request) -> Response:
        async for _chunk in request.stream():
            pass
        return Response(status_code=204)

    return app


def _seed(store: Store) -> dict[str, Any]:
    ids: dict[str, Any] = {
        name: stable_id("bench", name)
        for name in ("group", "unit", "workshop", "team", "campaign", "template", "version", "section")
    }
    items = [stable_id("bench-item", n) for n in range(ITEMS)]
    with store.session() as s:
        s.add(Group(id=ids["group"], code="BG", name_zh="集团"))
        s.add(Unit(id=ids["unit"], group_id=ids["group"], code="BU", name_zh="分厂"))
        s.add(Workshop(id=ids["workshop"], unit_id=ids["unit"], code="BW", name_zh="挤压车间"))
        s.add(Team(id=ids["team"], workshop_id=ids["workshop"], code="BT", name_zh="甲班"))
        for n in range(DEVICES + 1):
            s.add(Person(id=stable_id("bench-person", n), code=f"BI-{n}", role="inspector", name_zh=f"检查员{n}"))
        s.add(
            Campaign(
                id=ids["campaign"],
                code="B-SPM",
                name_zh="安全生产月",
                starts_on=date(2022, 6, 1),
                ends_on=date(2022, 6, 30),
            )
        )
        s.add(ChecklistTemplate(id=ids["template"], code="BSAFE", name_zh="安全检查表"))
        s.add(TemplateVersion(id=ids["version"], template_id=ids["template"], version=1))
        s.add(TemplateSection(id=ids["section"], version_id=ids["version"], code="S", position=1, title_zh="通用"))
        for n, item in enumerate(items):
            s.add(
                TemplateItem(
                    id=item,
                    version_id=ids["version"],
                    section_id=ids["section"],
                    code=f"I{n}",
                    position=n,
                    text_zh=f"检查项{n}",
                    points=2,
                )
            )
        s.commit()
    ids["items"] = items
    return ids


def _inspection(store: Store, ids: dict[str, Any], person: uuid.UUID, answers: int) -> None:
    with store.session() as s:
        inspection = Inspection(
            campaign_id=ids["campaign"],
            template_version_id=ids["version"],
            workshop_id=ids["workshop"],
            team_id=ids["team"],
            inspector_id=person,
        )
        s.add(inspection)
        s.flush()
        for item in ids["items"][:answers]:
            s.add(Answer(inspection_id=inspection.id, item_id=item, choice="yes", note="符合要求"))
        s.commit()


def _backlog(store: Store, ids: dict[str, Any], person: uuid.UUID, answers: int) -> None:
    """Inspections and answers with their outbox entries, written in bulk (as many saves would have written them)."""
    now = utcnow()
    records: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []
    inspections: list[dict[str, Any]] = []
    for _ in range(answers // ITEMS):
        inspection = Inspection(
            campaign_id=ids["campaign"],
            template_version_id=ids["version"],
            workshop_id=ids["workshop"],
            team_id=ids["team"],
            inspector_id=person,
        )
        inspections.append(inspection.model_dump())
        outbox.append(
            {
                "change_id": uuid.uuid4(),
                "entity": "inspection",
                "entity_id": inspection.id,
                "op": "upsert",
                "payload": inspection.model_dump(mode="json"),
                "base_version": None,
                "schema_version": 1,
                "created_at": now,
                "status": "pending",
                "error": "",
            }
        )
        for item in ids["items"]:
            answer = Answer(
                inspection_id=inspection.id, item_id=item, choice="no", occurrences=1, note="冷却水压力报警未联锁"
            )
            records.append(answer.model_dump())
            outbox.append(
                {
                    "change_id": uuid.uuid4(),
                    "entity": "answer",
                    "entity_id": answer.id,
                    "op": "upsert",
                    "payload": answer.model_dump(mode="json"),
                    "base_version": None,
                    "schema_version": 1,
                    "created_at": now,
                    "status": "pending",
                    "error": "",
                }
            )
    with store.session(skip_outbox=True) as s:
        s.execute(sa.insert(Inspection.__table__), inspections)  # type: ignore[attr-defined]
        s.execute(sa.insert(Answer.__table__), records)  # type: ignore[attr-defined]
        s.execute(sa.insert(OutboxEntry.__table__), outbox)  # type: ignore[attr-defined]
        s.commit()


def _token(engine: sa.Engine, name: str, role: DeviceRole, person: str | None) -> str:
    with Session(engine) as s:
        enrolment = create_enrolment(s, name=name, role=role, person_code=person, hours=1)
        token = redeem(s, code=enrolment.code, label=name, days=1)
        s.commit()
    return token.token


def _wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the benchmark server exited")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the benchmark server did not start")


def run() -> list[Result]:
    from tests.sync.pgcluster import available, free_port, start_cluster

    if not available():
        raise RuntimeError("PostgreSQL 15 is needed for the sync benchmark (.ci/install-system-deps installs it)")
    cluster = start_cluster(fsync=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    proc: subprocess.Popen[bytes] | None = None
    try:
        url_db = cluster.create_database()
        engine = make_engine(url_db)
        migrate(engine)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "INSPECTOR_SERVER_DATABASE_URL": url_db,
            "INSPECTOR_SERVER_MAX_REQUEST_BYTES": str(64 * 1024 * 1024),
            "PYTHONPATH": str(ROOT),
        }
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "bench.bench_sync:bench_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "2",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
            cwd=ROOT,
        )
        _wait_up(url, proc)
        return _measure(engine, url, folder)
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        cluster.stop()


def _measure(engine: sa.Engine, url: str, folder: Path) -> list[Result]:
    sup = open_store(folder / "sup.db")
    ids = _seed(sup)
    with SyncClient(url, _token(engine, "sup", DeviceRole.SUPERVISOR, None)) as client:
        SyncEngine(sup, client, attachment_dir=folder / "att").run()
    results: list[Result] = []

    # 1. A backlog of 100,000 answers against the same bytes posted to /discard.
    laptop = open_store(folder / "backlog.db")
    token = _token(engine, "backlog", DeviceRole.INSPECTOR, "BI-0")
    with SyncClient(url, token, timeout=300) as client:
        SyncEngine(laptop, client, attachment_dir=folder / "att").pull(SyncReport())
        _backlog(laptop, ids, stable_id("bench-person", 0), BACKLOG_ANSWERS)
        sync_engine = SyncEngine(laptop, client, attachment_dir=folder / "att", batch=BATCH, log_batch=LOG_BATCH)
        bodies = _bodies(sync_engine)
        start = time.perf_counter()
        for body in bodies:
            client.http.post("/discard", content=body, headers={"content-type": "application/json"}).raise_for_status()
        transport = time.perf_counter() - start
        bare_read, bare_store = _bare_read(folder / "backlog.db"), _bare_store(engine, bodies)
        floor = bare_read + transport + bare_store
        report = SyncReport()
        start = time.perf_counter()
        sync_engine.push(report)
        pushed = time.perf_counter() - start
        sync_engine.collect_outcomes(report)
        applied = time.perf_counter() - start
    changes = BACKLOG_ANSWERS + BACKLOG_ANSWERS // ITEMS
    assert report.received == changes and report.pushed == changes, report
    megabytes = sum(len(b) for b in bodies) / 1e6
    results.append(
        Result(
            "sync push 100k-answer backlog",
            pushed,
            "s",
            transport,
            target=2.0,
            note=(
                f"{megabytes:.1f} MB in {len(bodies)} requests, stored durably as received (/push/log); "
                "baseline: same bytes to /discard"
            ),
            extra={"changes": report.received},
        )
    )
    results.append(
        Result(
            "sync push 100k-answer backlog vs bare parts in series",
            pushed,
            "s",
            floor,
            note=(
                "baseline: bare sqlite3 reading the same outbox rows + the same bytes to /discard + bare psycopg "
                "storing the same bodies durably (one INSERT and COMMIT each, same table storage); no target, it "
                "shows what the push adds to the work it cannot avoid"
            ),
            extra={"sqlite3_read_s": bare_read, "transport_s": transport, "psycopg_store_s": bare_store},
        )
    )
    results.append(
        Result(
            "sync backlog applied and visible to pulls",
            applied,
            "s",
            transport,
            note=(
                "push + every change applied with all rules (versions, authorisation, conflicts, audit) and its "
                "outcome recorded on the laptop; no target, the ratio is against the same transport baseline"
            ),
            extra={"changes": report.pushed},
        )
    )

    # 2. Round trip of syncing one new inspection (10 answers): health, push, pull.
    one = open_store(folder / "one.db")
    with SyncClient(url, _token(engine, "one", DeviceRole.INSPECTOR, "BI-1")) as client:
        sync_one = SyncEngine(one, client, attachment_dir=folder / "att")
        sync_one.run()
        samples, bare = [], []
        for _ in range(15):
            _inspection(one, ids, stable_id("bench-person", 1), 10)
            body = PushRequest(changes=[]).model_dump_json().encode()
            start = time.perf_counter()
            sync_one.run()
            samples.append(time.perf_counter() - start)
            start = time.perf_counter()
            client.http.get("/health")
            client.http.post("/discard", content=body)
            client.http.get("/health")
            bare.append(time.perf_counter() - start)
    results.append(
        Result(
            "sync round trip of one new inspection",
            median(samples),
            "s",
            median(bare),
            note="median of 15; baseline: 3 bare requests; the target is absolute (under 0.2 s), not a ratio",
            extra={"p_max": max(samples)},
        )
    )

    # 3. 50 devices syncing at once.
    laptops = []
    for n in range(DEVICES):
        store = open_store(folder / f"dev{n}.db")
        client = SyncClient(url, _token(engine, f"dev{n}", DeviceRole.INSPECTOR, f"BI-{n + 1}"), timeout=120)
        SyncEngine(store, client, attachment_dir=folder / "att").pull(SyncReport())
        _inspection(store, ids, stable_id("bench-person", n + 1), 10)
        laptops.append((store, client))

    def sync_device(pair: tuple[Store, SyncClient]) -> tuple[float, str | None]:
        store, client = pair
        start = time.perf_counter()
        try:
            SyncEngine(store, client, attachment_dir=folder / "att").run()
            return time.perf_counter() - start, None
        except Exception as exc:  # counted and reported: the figure is "no errors"
            return time.perf_counter() - start, f"{type(exc).__name__}: {exc}"

    with ThreadPoolExecutor(DEVICES) as pool:
        outcomes = list(pool.map(sync_device, laptops))
    latencies = [t for t, _ in outcomes]
    failures = [e for _, e in outcomes if e]
    with ThreadPoolExecutor(DEVICES) as pool:
        body = b"{}" * 2000
        bare_latencies = list(pool.map(lambda pair: _timed_post(pair[1], body), laptops))

    # 4. The same 50 devices at once while another laptop's 100k backlog, just received through the log, is being
    # applied by the servers' background appliers; the baseline is figure 3 (the same syncs without a backlog).
    busy_store = open_store(folder / "busy.db")
    with SyncClient(url, _token(engine, "busy", DeviceRole.INSPECTOR, "BI-0"), timeout=300) as client:
        busy = SyncEngine(busy_store, client, attachment_dir=folder / "att", batch=BATCH, log_batch=LOG_BATCH)
        busy.pull(SyncReport())
        _backlog(busy_store, ids, stable_id("bench-person", 0), BACKLOG_ANSWERS)
        for n, (store, _client) in enumerate(laptops):
            _inspection(store, ids, stable_id("bench-person", n + 1), 10)
        busy_report = SyncReport()
        busy.push(busy_report)  # received; applied from now on
        with ThreadPoolExecutor(DEVICES) as pool:
            busy_outcomes = list(pool.map(sync_device, laptops))
        with Session(engine) as s:
            waiting = waiting_changes(s)  # still to apply when the last device finished
        busy.collect_outcomes(busy_report)
    busy_store.close()
    for store, client in laptops:
        client.close()
        store.close()
    results.append(
        Result(
            "sync 50 devices at once p50",
            percentile(latencies, 50),
            "s",
            percentile(bare_latencies, 50),
            note=f"errors: {len(failures)}",
            extra={"errors": failures[:3]},
        )
    )
    results.append(
        Result(
            "sync 50 devices at once p99",
            percentile(latencies, 99),
            "s",
            percentile(bare_latencies, 99),
            note=f"errors: {len(failures)}",
        )
    )
    busy_latencies = [t for t, _ in busy_outcomes]
    busy_failures = [e for _, e in busy_outcomes if e]
    for pct in (50, 99):
        results.append(
            Result(
                f"sync 50 devices at once while a 100k backlog is applied p{pct}",
                percentile(busy_latencies, pct),
                "s",
                percentile(latencies, pct),
                note=(
                    f"errors: {len(busy_failures)}; {waiting} of {busy_report.received} received changes still "
                    "waiting when the last device finished; baseline: the same syncs without the backlog (above)"
                ),
                extra={"errors": busy_failures[:3], "waiting": waiting},
            )
        )
    return results


def _timed_post(client: SyncClient, body: bytes) -> float:
    start = time.perf_counter()
    client.http.post("/discard", content=body)
    return time.perf_counter() - start


def _bare_read(path: Path) -> float:
    """Bare sqlite3 reading every pending outbox row's fields (what any push has to read), in order."""
    conn = sqlite3.connect(path)
    try:
        start = time.perf_counter()
        conn.execute(
            "SELECT change_id, seq, entity, entity_id, op, payload, base_version, schema_version, created_at "
            "FROM outboxentry WHERE status = 'pending' ORDER BY seq"
        ).fetchall()
        return time.perf_counter() - start
    finally:
        conn.close()


def _bare_store(engine: sa.Engine, bodies: list[bytes]) -> float:
    """Bare psycopg storing the same bodies durably, one INSERT (with its SHA-256) and COMMIT each, into a table
    stored like ``push_log`` (body compressed with lz4)."""
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE bare_log (id bigserial PRIMARY KEY, sha256 text NOT NULL, body bytea NOT NULL)")
        conn.execute("ALTER TABLE bare_log ALTER COLUMN body SET COMPRESSION lz4")
        conn.commit()
        start = time.perf_counter()
        for body in bodies:
            conn.execute(
                "INSERT INTO bare_log (sha256, body) VALUES (%s, %s)", (hashlib.sha256(body).hexdigest(), body)
            )
            conn.commit()
        elapsed = time.perf_counter() - start
        conn.execute("DROP TABLE bare_log")
        conn.commit()
    return elapsed


def _bodies(sync_engine: SyncEngine) -> list[bytes]:
    """The very bytes the push sends, encoded by the client's own outbox query."""
    bodies = []
    batch = sync_engine._next_batch(0)
    while batch is not None:
        bodies.append(batch.body)
        batch = sync_engine._next_batch(batch.last_seq)
    return bodies
