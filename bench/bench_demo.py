"""The demo group: ``create_demo`` on a fresh (migrated) database, committed.

Baseline: the bare ``sqlite3`` module with the same pragmas writing exactly the rows the demo produced (copied
beforehand from the demo database) into an empty database of the same schema: one ``executemany`` per table, one
commit. The difference is what the demo adds on top of writing: generating and scoring the history, hashing every
signed inspection and chaining the audit log.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Result
from inspector.demo import create_demo
from inspector.store import open_store

SEED = 2022


def _create(path: Path) -> tuple[float, float]:
    """Seconds for the demo on a fresh database, and for the idempotent re-run on it."""
    store = open_store(path)
    try:
        start = time.perf_counter()
        with store.session(skip_outbox=True) as session:
            create_demo(session, seed=SEED)
            session.commit()
        created = time.perf_counter() - start
        start = time.perf_counter()
        with store.session(skip_outbox=True) as session:
            create_demo(session, seed=SEED)
            session.commit()
        return created, time.perf_counter() - start
    finally:
        store.close()


def _rows(path: Path) -> tuple[list[str], dict[str, tuple[str, list[tuple[Any, ...]]]]]:
    with sqlite3.connect(path) as conn:
        schema = [sql for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")]
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        data = {}
        for table in tables:
            rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                data[table] = (f'INSERT INTO "{table}" VALUES ({marks})', rows)
    return schema, data


def _raw_write(path: Path, schema: list[str], data: dict[str, tuple[str, list[tuple[Any, ...]]]]) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        for statement in schema:
            conn.execute(statement)
        conn.execute("PRAGMA foreign_keys=ON")
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("PRAGMA defer_foreign_keys=ON")
        for insert, rows in data.values():
            conn.executemany(insert, rows)
        conn.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        conn.close()


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as folder:
        demo_path = Path(folder) / "demo.db"
        created, rerun = _create(demo_path)
        schema, data = _rows(demo_path)
        rows = sum(len(r) for _, r in data.values())
        baseline = _raw_write(Path(folder) / "raw.db", schema, data)
    note = f"{rows} rows; the rest of the time is generating, scoring, hashing and chaining"
    return [
        Result("demo.create", created, "s", baseline, note=note, extra={"rows": rows}),
        Result("demo.rerun_idempotent", rerun, "s", None, note="second run on the same database: adds nothing"),
    ]
