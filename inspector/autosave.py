"""The durable single-answer save: the one write an inspector makes hundreds of times a walk.

Every keypress that changes an answer must be on disk before the next one (a dead battery must never cost an
answer), so this path is kept as close to bare SQLite as it can be: one transaction on the pooled DBAPI connection
with three statements — check the inspection is still a draft, upsert the answer, append the outbox entry — and one
fsync at COMMIT. The ORM (``StoreSession``) is the right tool everywhere else; here its per-object bookkeeping would
cost several times the disk write itself (see ``bench/bench_store.py``). A test checks that what this writes is
exactly what the ORM would have written.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime

from inspector.errors import NotFoundError, RuleViolation
from inspector.models import SCHEMA_VERSION, InspectionStatus, utcnow

_UPSERT = """
INSERT INTO answer (id, created_at, updated_at, server_version, inspection_id, item_id, choice, score, measurement,
                    text, photo_path, occurrences, note, answered_at)
VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (inspection_id, item_id) DO UPDATE SET
    updated_at = excluded.updated_at, choice = excluded.choice, score = excluded.score,
    measurement = excluded.measurement, text = excluded.text, photo_path = excluded.photo_path,
    occurrences = excluded.occurrences, note = excluded.note, answered_at = excluded.answered_at
RETURNING id, created_at, server_version
"""
_OUTBOX = """
INSERT INTO outboxentry (change_id, entity, entity_id, op, payload, base_version, schema_version, created_at,
                         status, error)
VALUES (?, 'answer', ?, 'upsert', ?, ?, ?, ?, 'pending', '')
"""


@dataclass(frozen=True)
class SavedAnswer:
    """What was stored."""

    answer_id: uuid.UUID
    saved_at: datetime
    outbox_seq: int


def _sql_time(value: datetime) -> str:
    # SQLAlchemy's SQLite DATETIME storage format, naive UTC (see inspector.models.base.UTCDateTime).
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _json_time(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def save_answer(
    connection: sqlite3.Connection,
    *,
    inspection_id: uuid.UUID,
    item_id: uuid.UUID,
    choice: str | None = None,
    score: int | None = None,
    measurement: float | None = None,
    text: str = "",
    photo_path: str = "",
    occurrences: int = 1,
    note: str = "",
    current_item_code: str | None = None,
) -> SavedAnswer:
    """Store one answer (insert or replace) and its outbox entry in one durable transaction.

    ``connection`` is a DBAPI connection of the store (``store.engine.raw_connection()``); it is committed here.
    Raises :class:`RuleViolation` when the inspection is signed (only an amendment can change it).
    """
    now = utcnow()
    stamp = _sql_time(now)
    cursor = connection.cursor()
    try:
        cursor.execute("BEGIN")  # the store's connections run in autocommit mode; one explicit transaction here
        row = cursor.execute("SELECT status FROM inspection WHERE id = ?", (inspection_id.hex,)).fetchone()
        if row is None:
            raise NotFoundError("E_INSPECTION_NOT_FOUND", f"inspection {inspection_id} does not exist")
        if row[0] != InspectionStatus.DRAFT:
            raise RuleViolation(
                "E_INSPECTION_SIGNED", "this inspection is signed and cannot be changed; make an amendment instead"
            )
        answer_hex, created, server_version = cursor.execute(
            _UPSERT,
            (
                uuid.uuid4().hex,
                stamp,
                stamp,
                inspection_id.hex,
                item_id.hex,
                choice,
                score,
                measurement,
                text,
                photo_path,
                occurrences,
                note,
                stamp,
            ),
        ).fetchone()
        answer_id = uuid.UUID(answer_hex)
        created_at = datetime.fromisoformat(created).replace(tzinfo=now.tzinfo)
        payload = {
            "id": str(answer_id),
            "created_at": _json_time(created_at),
            "updated_at": _json_time(now),
            "server_version": server_version,
            "inspection_id": str(inspection_id),
            "item_id": str(item_id),
            "choice": choice,
            "score": score,
            "measurement": measurement,
            "text": text,
            "photo_path": photo_path,
            "occurrences": occurrences,
            "note": note,
            "answered_at": _json_time(now),
        }
        cursor.execute(
            _OUTBOX,
            (
                uuid.uuid4().hex,
                answer_id.hex,
                json.dumps(payload, ensure_ascii=False),
                server_version,
                SCHEMA_VERSION,
                stamp,
            ),
        )
        seq = cursor.lastrowid or 0
        if current_item_code is not None:
            cursor.execute(
                "UPDATE inspection SET current_item_code = ? WHERE id = ?", (current_item_code, inspection_id.hex)
            )
        cursor.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.rollback()
        raise
    finally:
        cursor.close()
    return SavedAnswer(answer_id=answer_id, saved_at=now, outbox_seq=seq)
