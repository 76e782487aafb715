"""The append-only, hash-chained audit log of sign-offs, amendments, verifications and award decisions.

Each entry's hash covers its own content and the previous entry's hash, so editing, deleting or reordering any
entry breaks the chain from that point on; :func:`verify_chain` names the first broken entry.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from inspector.models import AuditEntry, utcnow

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """Stable JSON for hashing: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(entry: AuditEntry) -> str:
    """The hash an entry must carry, from its content and its predecessor's hash."""
    body = {
        "id": str(entry.id),
        "at": entry.at.isoformat(),
        "kind": entry.kind,
        "subject_id": str(entry.subject_id),
        "actor_id": str(entry.actor_id) if entry.actor_id else None,
        "payload": entry.payload,
        "prev_hash": entry.prev_hash,
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def append_entry(
    session: Session,
    *,
    kind: str,
    subject_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    payload: dict[str, Any],
) -> AuditEntry:
    """Append an entry to the chain (in the caller's transaction)."""
    last = session.exec(select(AuditEntry).order_by(col(AuditEntry.seq).desc()).limit(1)).first()
    entry = AuditEntry(
        at=utcnow().replace(microsecond=0),
        kind=kind,
        subject_id=subject_id,
        actor_id=actor_id,
        payload=json.loads(canonical_json(payload)),
        prev_hash=last.hash if last else GENESIS_HASH,
        hash="",
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the chain."""

    entries: int
    ok: bool
    broken_seq: int | None = None
    broken_id: uuid.UUID | None = None
    reason: str = ""


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain in order and report the first entry whose hash or link does not hold."""
    previous = GENESIS_HASH
    count = 0
    expected_seq = None
    for entry in session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))):
        count += 1
        if expected_seq is not None and entry.seq != expected_seq:
            return ChainReport(count, False, expected_seq, None, f"entry {expected_seq} is missing (deleted)")
        expected_seq = (entry.seq or 0) + 1
        if entry.prev_hash != previous:
            return ChainReport(count, False, entry.seq, entry.id, "its link to the previous entry does not match")
        if entry_hash(entry) != entry.hash:
            return ChainReport(count, False, entry.seq, entry.id, "its content was changed after it was written")
        previous = entry.hash
    return ChainReport(count, True)
