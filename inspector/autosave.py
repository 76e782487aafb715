"""The durable single-answer save: the one write an inspector makes hundreds of times a walk.

Every keypress that changes an answer must be on disk before the next one (a dead battery must never cost an
answer), so this path is kept close to bare SQLite: one look-up that checks the inspection is a draft and the item
belongs to its checklist, the answer upsert, the outbox entry and the cursor position, then one fsync at COMMIT.
The ORM is the right tool everywhere else; here its per-object bookkeeping would cost several times the disk write
itself (see ``bench/bench_store.py``). A test checks that what this writes is exactly what the ORM would write.

:func:`write_answer` runs inside a transaction someone else opened (``inspections.save_answer`` uses the session's
own); :func:`save_answer` is the same on a bare DBAPI connection, with its own transaction.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from inspector.errors import NotFoundError, RuleViolation
from inspector.models import SCHEMA_VERSION, InspectionStatus, utcnow

_LOOKUP = """
SELECT inspection.status, templateitem.code, templateitem.kind, templateitem.max_score,
       templateitem.version_id = inspection.template_version_id
FROM inspection LEFT JOIN templateitem ON templateitem.id = ?
WHERE inspection.id = ?
"""
_UPSERT = """
INSERT INTO answer (id, created_at, updated_at, server_version, inspection_id, item_id, choice, score, measurement,
                    text, photo_path, occurrences, note, answered_at)
VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, ''), ?)
ON CONFLICT (inspection_id, item_id) DO UPDATE SET
    updated_at = excluded.updated_at, choice = excluded.choice, score = excluded.score,
    measurement = excluded.measurement, text = excluded.text, photo_path = excluded.photo_path,
    occurrences = excluded.occurrences, answered_at = excluded.answered_at,
    note = CASE WHEN ? IS NULL THEN answer.note ELSE excluded.note END
RETURNING id, created_at, server_version, note
"""
_OUTBOX = """
INSERT INTO outboxentry (change_id, entity, entity_id, op, payload, base_version, schema_version, created_at,
                         status, error)
VALUES (?, 'answer', ?, 'upsert', ?, ?, ?, ?, 'pending', '')
"""


@dataclass(frozen=True)
class ItemFacts:
    """What the answer's item is, as the save found it (for the caller's value checks)."""

    code: str
    kind: str
    max_score: int | None


@dataclass(frozen=True)
class SavedAnswer:
    """What was stored."""

    answer_id: uuid.UUID
    saved_at: datetime
    outbox_seq: int
    item: ItemFacts


def _sql_time(value: datetime) -> str:
    # SQLAlchemy's SQLite DATETIME storage format, naive UTC (see inspector.models.base.UTCDateTime).
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _json_time(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def lookup_item(cursor: sqlite3.Cursor, inspection_id: uuid.UUID, item_id: uuid.UUID) -> ItemFacts:
    """Check the inspection exists and is a draft and the item is on its checklist; return the item's facts."""
    row = cursor.execute(_LOOKUP, (item_id.hex, inspection_id.hex)).fetchone()
    if row is None:
        raise NotFoundError(
            "E_INSPECTION_NOT_FOUND", f"Inspection {inspection_id} does not exist.", "该检查记录不存在。"
        )
    status, code, kind, max_score, same_version = row
    if status != InspectionStatus.DRAFT:
        raise RuleViolation(
            "E_INSPECTION_SIGNED",
            f"Inspection {inspection_id} is signed and locked; correct it with an amendment.",
            "该检查已签字锁定，不能修改；如需更正，请做补正（amendment）。",
        )
    if code is None or not same_version:
        raise NotFoundError(
            "E_ITEM_NOT_FOUND",
            f"Item {item_id} is not on this inspection's checklist.",
            "该检查项不在本次检查的检查表中。",
        )
    return ItemFacts(code=code, kind=kind, max_score=max_score)


def write_answer(
    cursor: sqlite3.Cursor,
    item: ItemFacts,
    *,
    inspection_id: uuid.UUID,
    item_id: uuid.UUID,
    choice: str | None = None,
    score: int | None = None,
    measurement: float | None = None,
    text: str = "",
    photo_path: str = "",
    occurrences: int = 1,
    note: str | None = None,
    current_item_code: str | None = None,
    now: datetime | None = None,
) -> SavedAnswer:
    """Upsert one answer, append its outbox entry and record the cursor, in the caller's open transaction.

    ``note=None`` keeps the stored note. The caller has checked the item with :func:`lookup_item`.
    """
    now = now or utcnow()
    stamp = _sql_time(now)
    answer_hex, created, server_version, stored_note = cursor.execute(
        _UPSERT,
        (
            uuid.uuid4().hex, stamp, stamp, inspection_id.hex, item_id.hex, choice, score, measurement,
            text, photo_path, occurrences, note, stamp, note,
        ),
    ).fetchone()  # fmt: skip
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
        "note": stored_note,
        "answered_at": _json_time(now),
    }
    cursor.execute(
        _OUTBOX,
        (uuid.uuid4().hex, answer_id.hex, json.dumps(payload, ensure_ascii=False), server_version, SCHEMA_VERSION,
         stamp),
    )  # fmt: skip
    seq = cursor.lastrowid or 0
    # Where the inspector is: local state for resuming the draft, not a change to sync.
    cursor.execute(
        "UPDATE inspection SET current_item_code = ? WHERE id = ? AND current_item_code IS NOT ?",
        (current_item_code or item.code, inspection_id.hex, current_item_code or item.code),
    )
    return SavedAnswer(answer_id=answer_id, saved_at=now, outbox_seq=seq, item=item)


@contextmanager
def durable_transaction(connection: Any) -> Iterator[sqlite3.Cursor]:
    """One explicit transaction on a bare DBAPI connection of the store (which runs in autocommit mode):
    committed when the block ends, rolled back if it raises.

    IMMEDIATE: the transaction reads before it writes, and a deferred one would fail at its first write if another
    writer (a sync storing what it pulled) held the lock; this one waits for it under busy_timeout instead."""
    cursor = cast(sqlite3.Cursor, connection.cursor())
    try:
        cursor.execute("BEGIN IMMEDIATE")
        yield cursor
        cursor.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.rollback()
        raise
    finally:
        cursor.close()


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
    note: str | None = None,
    current_item_code: str | None = None,
) -> SavedAnswer:
    """Store one answer and its outbox entry in one durable transaction on a bare DBAPI connection of the store
    (``store.raw_connection()``)."""
    with durable_transaction(connection) as cursor:
        item = lookup_item(cursor, inspection_id, item_id)
        return write_answer(
            cursor,
            item,
            inspection_id=inspection_id,
            item_id=item_id,
            choice=choice,
            score=score,
            measurement=measurement,
            text=text,
            photo_path=photo_path,
            occurrences=occurrences,
            note=note,
            current_item_code=current_item_code,
        )
