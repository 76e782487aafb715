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
from sync.server.bulk import insert_rows


class AuditChain:
    """The entries one write transaction appends (it holds the write lock, so nobody else extends the chain
    meanwhile): the chain's last entry is read once, each new entry links to the one before it in memory, and
    :meth:`flush` inserts them together. A batch with hundreds of sign-offs costs two statements, not two each."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._last: tuple[int, str] | None = None
        self._pending: list[dict[str, Any]] = []

    def append(self, *, kind: str, subject_id: uuid.UUID, actor_id: uuid.UUID | None, payload: dict[str, Any]) -> None:
        """Chain one entry (inserted by :meth:`flush`, in the caller's transaction)."""
        if self._last is None:
            a = tables.audit_log.c
            found = self.session.execute(sa.select(a.seq, a.hash).order_by(a.seq.desc()).limit(1)).first()
            self._last = (int(found[0]), str(found[1])) if found is not None else (0, GENESIS_HASH)
        seq, prev_hash = self._last
        entry = AuditEntry(
            seq=seq + 1,
            at=utcnow().replace(microsecond=0),
            kind=kind,
            subject_id=subject_id,
            actor_id=actor_id,
            payload=json.loads(canonical_json(payload)),
            prev_hash=prev_hash,
            hash="",
        )
        entry.hash = entry_hash(entry)
        self._last = (seq + 1, entry.hash)
        self._pending.append(
            {
                "seq": entry.seq,
                "id": entry.id,
                "at": entry.at,
                "kind": entry.kind,
                "subject_id": entry.subject_id,
                "actor_id": entry.actor_id,
                "payload": entry.payload,
                "prev_hash": entry.prev_hash,
                "hash": entry.hash,
            }
        )

    def flush(self) -> None:
        """Insert the entries chained so far."""
        pending, self._pending = self._pending, []
        insert_rows(self.session, tables.audit_log, pending)


def append_audit(
    session: Session, *, kind: str, subject_id: uuid.UUID, actor_id: uuid.UUID | None, payload: dict[str, Any]
) -> None:
    """Append one entry (the caller holds the write lock and commits)."""
    chain = AuditChain(session)
    chain.append(kind=kind, subject_id=subject_id, actor_id=actor_id, payload=payload)
    chain.flush()


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
