"""Restore from backup (epoch), the late-committing change and the pull cursor, unusable cursors, old clients."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import select

from inspector.local_settings import set_setting
from inspector.models import OutboxEntry, utcnow
from sync.client.engine import CURSOR_KEY, SyncReport
from sync.client.http import SyncError
from sync.server import tables
from sync.server.db import lock_writes, make_engine, new_epoch, set_high_water
from tests.sync.conftest import Laptop, RunningServer
from tests.sync.helpers import outbox_states, server_records
from tests.sync.pgcluster import PostgresCluster
from tests.sync.test_faults import inspector, seeded
from tests.sync.world import WORLD, new_inspection


def backup(server: RunningServer, postgres: PostgresCluster | None, where: Path) -> str:
    """Copy the server's database now; returns what restore() needs."""
    if server.settings.is_sqlite():
        path = server.settings.sqlite_path()
        assert path is not None
        with sqlite3.connect(path) as source, sqlite3.connect(where) as copy:
            source.backup(copy)
        return str(where)
    assert postgres is not None
    name = "bak_" + uuid.uuid4().hex[:8]
    server.stop()
    server.engine.dispose()
    admin = sa.create_engine(postgres.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{server.engine.url.database}"')
    admin.dispose()
    server.start()
    return name


def restore(server: RunningServer, postgres: PostgresCluster | None, saved: str) -> None:
    server.stop()
    server.engine.dispose()
    if server.settings.is_sqlite():
        path = server.settings.sqlite_path()
        assert path is not None
        with sqlite3.connect(saved) as source, sqlite3.connect(path) as live:
            source.backup(live)
    else:
        assert postgres is not None
        target = server.engine.url.database
        admin = sa.create_engine(postgres.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{target}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{target}" TEMPLATE "{saved}"')
        admin.dispose()
    server.engine = make_engine(server.settings.database_url)


@pytest.mark.parametrize("announce", [True, False], ids=["new-epoch", "high-water-went-back"])
def test_a_server_restored_from_backup_gets_everything_back(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], request: pytest.FixtureRequest, announce: bool
) -> None:
    postgres = None if server.settings.is_sqlite() else request.getfixturevalue("postgres")
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    before = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a)
    ins.sync()
    saved = backup(server, postgres, tmp_path / "backup.db")
    lost = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, note="made after the backup")
    ins.sync()
    assert str(lost) in server_records(server.engine, "inspection")
    restore(server, postgres, saved)
    if announce:
        new_epoch(server.engine)  # what the restore procedure in docs/sync.md says to run
    server.start()
    assert str(lost) not in server_records(server.engine, "inspection")
    report = ins.sync()
    assert report.resynced and report.resent >= 12  # type: ignore[attr-defined]
    records = server_records(server.engine, "inspection")
    assert {str(before), str(lost)} <= set(records)
    assert records[str(lost)]["payload"]["note"] == "made after the backup"  # type: ignore[index]
    assert len(server_records(server.engine, "answer")) == 10
    assert outbox_states(ins.store) == {"acked": 12}


def test_a_late_commit_is_neither_skipped_nor_duplicated_by_the_cursor(
    pg_server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    server = pg_server
    sup = seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    late_id = uuid.uuid4()
    # A writer that took its sequence numbers first but commits last.
    slow = Session(server.engine)
    hw = lock_writes(slow)
    slow.execute(
        sa.insert(tables.record).values(
            id=late_id,
            entity="group",
            version=1,
            payload={"id": str(late_id), "code": "LATE", "name_zh": "迟到", "name_en": ""},
            deleted=False,
            log_seq=hw + 1,
            scope="ref",
            attachments=[],
            streak_base=0,
            updated_at=utcnow(),
        )
    )
    set_high_water(slow, hw + 1)
    pushed = SyncReport()
    pusher = threading.Thread(target=lambda: ins.engine().push(pushed))
    pusher.start()  # blocks on the write lock behind the slow writer
    early = sup.engine()
    before = early.client.pull("", 1000)
    ids_before = {str(r.id) for r in before.records}
    assert str(late_id) not in ids_before
    slow.commit()
    slow.close()
    pusher.join(timeout=60)
    assert not pusher.is_alive()
    after = sup.client.pull(before.cursor, 1000)
    ids_after = [str(r.id) for r in after.records]
    assert str(late_id) in ids_after  # not skipped
    assert len(ids_after) == len(set(ids_after)) and not (set(ids_after) & ids_before)  # not duplicated
    assert sum(1 for r in after.records if r.entity == "inspection") == 1


def test_an_unusable_cursor_forces_a_clean_resync(server: RunningServer, tmp_path: Path, laptops: list[Laptop]) -> None:
    sup = seeded(server, tmp_path, laptops)
    with sup.store.session(skip_outbox=True) as s:
        set_setting(s, CURSOR_KEY, "not-a-cursor")
        s.commit()
    report = sup.sync()
    assert report.resynced and report.pulled > 0  # type: ignore[attr-defined]
    with pytest.raises(SyncError) as caught:
        sup.client.pull("eyJlIjoib3RoZXIiLCJzIjo1LCJyIjoic3VwZXJ2aXNvcjo6In0", 10)
    assert caught.value.code == "E_CURSOR_RESET" and caught.value.status == 410


def test_an_old_client_with_a_three_week_backlog_and_a_wrong_clock(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    ids = [new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=2) for _ in range(21)]
    with ins.store.session(skip_outbox=True) as s:
        entries = s.exec(select(OutboxEntry).where(OutboxEntry.status == "pending")).all()
        for n, entry in enumerate(entries):
            payload = dict(entry.payload)
            payload.pop("current_item_code", None)  # written before these fields existed (schema 1 still)
            payload.pop("note", None)
            # A clock reset to 2001 after a flat battery, or hours ahead: stamps are for people only.
            skew = timedelta(days=-9000) if n % 2 else timedelta(hours=7)
            payload["updated_at"] = (utcnow() + skew).isoformat()
            entry.payload = payload
            entry.created_at = utcnow() - timedelta(days=21) + timedelta(hours=n)
            s.add(entry)
        s.commit()
    report = ins.sync()
    assert report.pushed == 63 and report.rejected == 0  # type: ignore[attr-defined]
    stored = server_records(server.engine, "inspection")
    assert all(stored[str(i)]["payload"]["note"] == "" for i in ids)  # type: ignore[index]


def test_a_newer_schema_is_refused_clearly_and_nothing_is_dropped(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop]
) -> None:
    seeded(server, tmp_path, laptops)
    ins = inspector(server, tmp_path, laptops)
    new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    with ins.store.session(skip_outbox=True) as s:
        for entry in s.exec(select(OutboxEntry).where(OutboxEntry.status == "pending")).all():
            entry.schema_version = 99
            s.add(entry)
        s.commit()
    with pytest.raises(SyncError) as caught:
        ins.sync()
    assert caught.value.code == "E_SCHEMA_TOO_NEW" and "Update the server" in caught.value.message
    assert outbox_states(ins.store) == {"pending": 2}
    assert server_records(server.engine, "inspection") == {}
