"""The laptop store: a durable single-answer save, and a bulk import of 100,000 answers.

Baselines: the bare ``sqlite3`` module with the same pragmas (WAL, synchronous=FULL, foreign keys) doing the same
inserts into a table of the same shape — one commit per row for the save, one ``executemany`` for the import.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from bench.common import Result, percentile, time_each
from bench.fixtures import build_world
from inspector.bulk import insert_rows
from inspector.inspections import AnswerInput, commit_answer
from inspector.models import Answer, utcnow

SAVES = 2_000
BULK = 100_000

ANSWER_DDL = """
CREATE TABLE answer (
    id CHAR(32) PRIMARY KEY, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL, server_version INTEGER,
    inspection_id CHAR(32) NOT NULL, item_id CHAR(32) NOT NULL, choice VARCHAR(8), score INTEGER,
    measurement FLOAT, text VARCHAR(4000) NOT NULL, photo_path VARCHAR(1000) NOT NULL, occurrences INTEGER NOT NULL,
    note VARCHAR(4000) NOT NULL, answered_at DATETIME NOT NULL, UNIQUE (inspection_id, item_id)
)
"""


def _raw_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(ANSWER_DDL)
    return conn


def _raw_row(inspection: str, item: str) -> tuple[object, ...]:
    now = utcnow().replace(tzinfo=None).isoformat(" ")
    return (uuid.uuid4().hex, now, now, None, inspection, item, "yes", None, None, "", "", 1, "", now)


INSERT = "INSERT INTO answer VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


def _raw_same_work(path: Path) -> Callable[[uuid.UUID, uuid.UUID], None]:
    """The same transaction as :func:`save_answer`, written against bare ``sqlite3`` on an identical schema."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")

    def save(inspection_id: uuid.UUID, item_id: uuid.UUID) -> None:
        now = utcnow().replace(tzinfo=None).isoformat(" ")
        conn.execute("BEGIN")
        conn.execute("SELECT status FROM inspection WHERE id = ?", (inspection_id.hex,)).fetchone()
        answer = conn.execute(
            "INSERT INTO answer VALUES (?, ?, ?, NULL, ?, ?, 'yes', NULL, NULL, '', '', 1, '', ?) "
            "ON CONFLICT (inspection_id, item_id) DO UPDATE SET updated_at = excluded.updated_at RETURNING id",
            (uuid.uuid4().hex, now, now, inspection_id.hex, item_id.hex, now),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO outboxentry (change_id, entity, entity_id, op, payload, base_version, schema_version, "
            "created_at, status, error) VALUES (?, 'answer', ?, 'upsert', ?, NULL, 1, ?, 'pending', '')",
            (uuid.uuid4().hex, answer, json.dumps({"id": answer, "choice": "yes", "at": now}), now),
        )
        conn.execute(  # where the inspector is, so the draft reopens there
            "UPDATE inspection SET current_item_code = ? WHERE id = ? AND current_item_code IS NOT ?",
            (item_id.hex[:8], inspection_id.hex, item_id.hex[:8]),
        )
        conn.execute("COMMIT")

    return save


def bench_single_save(tmp: Path) -> list[Result]:
    world = build_world(tmp / "ours.db", items=300)
    same = build_world(tmp / "same.db", items=300)
    count = len(world.item_ids)
    inspections = [world.new_inspection() for _ in range(SAVES // count + 1)]
    same_inspections = [same.new_inspection() for _ in range(SAVES // count + 1)]
    same.store.close()
    raw_same = _raw_same_work(tmp / "same.db")
    raw = _raw_connection(tmp / "raw.db")
    raw_targets = [(uuid.uuid4().hex, uuid.uuid4().hex) for _ in range(SAVES)]

    answer = AnswerInput(choice="yes")

    def ours(i: int) -> None:
        # Exactly what the walk's writer does for a keypress: a session (left unused), the save, its commit.
        with world.store.session() as session:
            commit_answer(
                session, inspection_id=inspections[i // count], item_id=world.item_ids[i % count], value=answer
            )
            session.commit()

    def same_work(i: int) -> None:
        raw_same(same_inspections[i // count], same.item_ids[i % count])

    def single_row(i: int) -> None:
        raw.execute("BEGIN")
        raw.execute(INSERT, _raw_row(*raw_targets[i]))
        raw.execute("COMMIT")

    # Rounds of 100 interleaved, so drift in the machine's load hits all three alike.
    ours_t: list[float] = []
    same_t: list[float] = []
    single_t: list[float] = []
    for start in range(0, SAVES, 100):
        ours_t += time_each(lambda i, s=start: ours(s + i), 100)
        same_t += time_each(lambda i, s=start: same_work(s + i), 100)
        single_t += time_each(lambda i, s=start: single_row(s + i), 100)
    raw.close()
    world.store.close()
    results = []
    for pct in (50, 99):
        results.append(
            Result(
                name=f"store.single_answer_save.p{pct}",
                value=percentile(ours_t, pct),
                unit="s",
                baseline=percentile(same_t, pct),
                target=1.5,
                note=f"{SAVES} durable saves as the walk makes them (session, draft/item check, answer upsert, outbox entry, "
                "cursor, one commit each) vs bare "
                "sqlite3 running the same statements in one transaction on the same schema and pragmas",
            )
        )
        results.append(
            Result(
                name=f"store.single_answer_save_vs_single_row.p{pct}",
                value=percentile(ours_t, pct),
                unit="s",
                baseline=percentile(single_t, pct),
                note="the same saves vs bare sqlite3 committing one row into an answer-shaped table (no outbox, "
                "no draft check): the price of the outbox and the guard",
            )
        )
    return results


def bench_bulk_import(tmp: Path) -> list[Result]:
    import time

    world = build_world(tmp / "bulk.db", items=1_000)
    inspections = [world.new_inspection() for _ in range(BULK // len(world.item_ids))]
    pairs = [(ins, item) for ins in inspections for item in world.item_ids][:BULK]

    start = time.perf_counter()
    with world.store.session() as session:
        insert_rows(
            session,
            Answer,
            ({"inspection_id": ins, "item_id": item, "choice": "yes"} for ins, item in pairs),
        )
        session.commit()
    ours = time.perf_counter() - start
    world.store.close()

    raw = _raw_connection(tmp / "bulk-raw.db")
    raw_pairs = [(ins.hex, item.hex) for ins, item in pairs]
    start = time.perf_counter()
    raw.execute("BEGIN")
    raw.executemany(INSERT, (_raw_row(ins, item) for ins, item in raw_pairs))
    raw.execute("COMMIT")
    bare = time.perf_counter() - start
    raw.close()
    return [
        Result(
            name="store.bulk_import_100k_answers",
            value=ours,
            unit="s",
            baseline=bare,
            target=3.0,
            note="inspector.bulk.insert_rows (SQLAlchemy Core executemany, model defaults) vs raw sqlite3.executemany",
        )
    ]


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        return bench_single_save(Path(tmp)) + bench_bulk_import(Path(tmp))
