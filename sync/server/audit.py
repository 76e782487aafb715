"""The server's append-only, hash-chained audit log, hashed exactly like the laptop's (:mod:`inspector.audit`).

Entries are appended inside write transactions, which hold the server-wide write lock, so the chain never forks.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspector.audit import GENESIS_HASH, ChainReport, canonical_json, entry_hash
from inspector.models import AuditEntry, utcnow
from sync.server import tables


def append_audit(
    session: Session, *, kind: str, subject_id: uuid.UUID, actor_id: uuid.UUID | None, payload: dict[str, Any]
) -> None:
    """Append one entry (the caller holds the write lock and commits)."""
    a = tables.audit_log.c
    last = session.execute(sa.select(a.seq, a.hash).order_by(a.seq.desc()).limit(1)).first()
    entry = AuditEntry(
        seq=(last[0] + 1) if last else 1,
        at=utcnow().replace(microsecond=0),
        kind=kind,
        subject_id=subject_id,
        actor_id=actor_id,
        payload=json.loads(canonical_json(payload)),
        prev_hash=last[1] if last else GENESIS_HASH,
        hash="",
    )
    entry.hash = entry_hash(entry)
    session.execute(
        sa.insert(tables.audit_log).values(
            seq=entry.seq,
            id=entry.id,
            at=entry.at,
            kind=entry.kind,
            subject_id=entry.subject_id,
            actor_id=entry.actor_id,
            payload=entry.payload,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )
    )


def verify_audit(session: Session) -> ChainReport:
    """Walk the server's chain and report the first entry whose hash or link does not hold."""
    previous = GENESIS_HASH
    count = 0
    expected: int | None = None
    for row in session.execute(sa.select(tables.audit_log).order_by(tables.audit_log.c.seq)).mappings():
        count += 1
        if expected is not None and row["seq"] != expected:
            return ChainReport(count, False, expected, None, f"entry {expected} is missing (deleted)")
        expected = row["seq"] + 1
        entry = AuditEntry(
            **{k: row[k] for k in ("seq", "id", "at", "kind", "subject_id", "actor_id", "payload", "prev_hash", "hash")}
        )
        if entry.prev_hash != previous:
            return ChainReport(count, False, entry.seq, entry.id, "its link to the previous entry does not match")
        if entry_hash(entry) != entry.hash:
            return ChainReport(count, False, entry.seq, entry.id, "its content was changed after it was written")
        previous = entry.hash
    return ChainReport(count, True)
