"""A save made while another connection writes waits for it instead of failing with "database is locked".

SQLite fails a deferred transaction at its first write, without waiting, when it already read and another
connection holds the write lock (a sync storing pulled records, a command run in a second terminal). Every write
path of the app begins its transaction IMMEDIATE, so it waits under busy_timeout instead.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import select

from bench.fixtures import BenchWorld, build_world
from inspector.autosave import save_answer
from inspector.models import Answer, LocalSetting
from sync.client.engine import remote_session

HOLD_SECONDS = 0.3


@pytest.fixture
def world(tmp_path: Path) -> BenchWorld:
    return build_world(tmp_path / "w.db", items=3)


@contextmanager
def another_writer(path: Path) -> Iterator[threading.Event]:
    """Another connection holds SQLite's write lock for a moment, then commits; yields once it holds it."""
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO localsetting (key, value) VALUES ('other-writer', 'x')")
            holding.set()
            done.wait(HOLD_SECONDS)  # released after a moment, or as soon as the test is through
            conn.execute("COMMIT")
        finally:
            conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(10)
    try:
        yield holding
    finally:
        done.set()
        thread.join()


def test_keypress_save_waits_for_another_writer(world: BenchWorld) -> None:
    inspection_id = world.new_inspection()
    with another_writer(world.store.path), world.store.raw_connection() as conn:
        saved = save_answer(conn, inspection_id=inspection_id, item_id=world.item_ids[0], choice="no")
    with world.store.session() as session:
        answer = session.exec(select(Answer).where(Answer.id == saved.answer_id)).one()
        assert answer.choice == "no"
        assert session.get(LocalSetting, "other-writer") is not None  # both writes committed


def test_write_session_reads_then_writes_while_another_writer_holds_the_lock(world: BenchWorld) -> None:
    with another_writer(world.store.path), world.store.session(write=True) as session:
        assert session.exec(select(LocalSetting)).all() is not None  # a read first…
        session.add(LocalSetting(key="mine", value="1"))  # …then a write, as a sign-off does
        session.commit()
    with world.store.session() as session:
        assert session.get(LocalSetting, "mine") is not None


def test_a_deferred_session_would_have_failed(world: BenchWorld) -> None:
    """Why the write paths say write=True: the same unit of work in a read-only session fails at once."""
    with another_writer(world.store.path), world.store.session() as session:
        session.exec(select(LocalSetting)).all()
        session.add(LocalSetting(key="mine", value="1"))
        with pytest.raises(Exception, match="locked"):
            session.commit()


def test_keypress_save_waits_for_a_pull_storing_records(world: BenchWorld) -> None:
    """The app's sync worker stores pulled records while the inspector keeps scoring."""
    inspection_id = world.new_inspection()
    stored = threading.Event()
    release = threading.Event()

    def pull() -> None:
        with remote_session(world.store) as session:
            session.add(LocalSetting(key="pulled", value="1"))
            session.flush()  # the pull's transaction now holds the write lock
            stored.set()
            release.wait(HOLD_SECONDS)
            session.commit()

    thread = threading.Thread(target=pull)
    thread.start()
    assert stored.wait(10)
    try:
        with world.store.raw_connection() as conn:
            saved = save_answer(conn, inspection_id=inspection_id, item_id=world.item_ids[1], choice="yes")
    finally:
        release.set()
        thread.join()
    with world.store.session() as session:
        assert session.exec(select(Answer).where(Answer.id == saved.answer_id)).one().choice == "yes"
        assert session.get(LocalSetting, "pulled") is not None
