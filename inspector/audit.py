"""The append-only, hash-chained audit log of sign-offs, amendments, verifications and award decisions.

Each entry's hash covers its own content and the previous entry's hash, so editing, deleting or reordering any
entry breaks the chain from that point on; :func:`verify_chain` names the first broken entry.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from inspector.models import AuditEntry, AwardDecision, Inspection, InspectionStatus, RectificationOrder, utcnow

GENESIS_HASH = "0" * 64

#: The kinds of entry the chain holds.
SIGN_OFF = "sign_off"
AMENDMENT = "amendment"
VERIFICATION = "verification"
AWARD_DECISION = "award_decision"
KINDS = (SIGN_OFF, AMENDMENT, VERIFICATION, AWARD_DECISION)


def canonical_json(value: Any) -> str:
    """Stable JSON for hashing: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(entry: AuditEntry | ChainRow) -> str:
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
    at: datetime | None = None,
) -> AuditEntry:
    """Append an entry to the chain (in the caller's transaction), stamped now unless ``at`` is given (seed data
    recorded after the fact, such as the demo group's history, keeps the time it happened)."""
    last = session.exec(select(AuditEntry).order_by(col(AuditEntry.seq).desc()).limit(1)).first()
    entry = AuditEntry(
        at=(at or utcnow()).replace(microsecond=0),
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


def record_sign_off(
    session: Session, *, inspection: Inspection, actor_id: uuid.UUID | None, at: datetime | None = None
) -> AuditEntry:
    """Chain the sign-off of ``inspection`` (an amendment when it amends another), after its ``content_hash`` is set.

    Call it in the transaction that signs the inspection, so the signature and its chain entry commit together.
    """
    if inspection.status != InspectionStatus.SIGNED or not inspection.content_hash:
        raise ValueError(f"inspection {inspection.id} is not signed (status and content_hash must be set first)")
    kind = AMENDMENT if inspection.amends_id else SIGN_OFF
    payload: dict[str, Any] = {
        "inspection_id": str(inspection.id),
        "content_hash": inspection.content_hash,
        "signed_at": inspection.signed_at.isoformat() if inspection.signed_at else None,
        "inspector_id": str(inspection.inspector_id),
        "acknowledged_by_id": str(inspection.acknowledged_by_id) if inspection.acknowledged_by_id else None,
        "score_percent": inspection.score_percent,
        "grade": inspection.grade,
    }
    if inspection.amends_id:
        payload["amends_id"] = str(inspection.amends_id)
        payload["reason"] = inspection.amendment_reason
    return append_entry(session, kind=kind, subject_id=inspection.id, actor_id=actor_id, payload=payload, at=at)


def record_verification(
    session: Session, *, order: RectificationOrder, actor_id: uuid.UUID | None, accepted: bool, note: str = ""
) -> AuditEntry:
    """Chain the on-site verification (验收) of a rectification order: closed (accepted) or reopened."""
    payload: dict[str, Any] = {
        "order_id": str(order.id),
        "finding_id": str(order.finding_id),
        "team_id": str(order.team_id),
        "accepted": accepted,
        "status": order.status,
        "action_taken": order.action_taken,
        "evidence_paths": list(order.evidence_paths),
        "note": note,
    }
    return append_entry(session, kind=VERIFICATION, subject_id=order.id, actor_id=actor_id, payload=payload)


def record_award_decision(session: Session, *, decision: AwardDecision, actor_id: uuid.UUID | None) -> AuditEntry:
    """Chain an award decision with every criterion's figure, threshold and outcome."""
    payload: dict[str, Any] = {
        "decision_id": str(decision.id),
        "campaign_id": str(decision.campaign_id),
        "ruleset_id": str(decision.ruleset_id),
        "award": decision.award,
        "level": decision.level,
        "subject_id": str(decision.subject_id),
        "eligible": decision.eligible,
        "rank": decision.rank,
        "nominated": decision.nominated,
        "final": decision.final,
        "criteria": list(decision.criteria),
    }
    return append_entry(
        session, kind=AWARD_DECISION, subject_id=decision.subject_id, actor_id=actor_id, payload=payload
    )


def sign_off_entries(session: Session) -> dict[uuid.UUID, ChainRow]:
    """The newest readable sign-off or amendment entry of each inspection, by inspection id."""
    found: dict[uuid.UUID, ChainRow] = {}
    for _seq, entry in _entries_in_order(session):
        if entry is not None and entry.kind in (SIGN_OFF, AMENDMENT):
            found[entry.subject_id] = entry
    return found


#: Why an entry breaks the chain (the CLI and screens say it in the reader's language).
MISSING = "missing"
LINK = "link"
CONTENT = "content"
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the chain: ``ok``, or the first broken entry (its ``seq``, id when known, problem)."""

    entries: int
    ok: bool
    broken_seq: int | None = None
    broken_id: uuid.UUID | None = None
    problem: str = ""

    @property
    def reason(self) -> str:
        """The problem in plain English (for logs; people read :func:`describe_problem`)."""
        return {
            MISSING: "the entry is missing (deleted)",
            LINK: "its link to the previous entry does not match (entries removed or reordered before it)",
            CONTENT: "its content was changed after it was written",
            UNREADABLE: "it cannot be read (its stored data was altered)",
        }.get(self.problem, "")


@dataclass(frozen=True)
class ChainRow:
    """An entry as read back for verification (the columns of :class:`AuditEntry`, without ORM tracking)."""

    seq: int
    id: uuid.UUID
    at: datetime
    kind: str
    subject_id: uuid.UUID
    actor_id: uuid.UUID | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str


#: The columns of :class:`ChainRow`, in order, with their types' conversions (UUID, UTC timestamp, JSON).
_COLUMN_NAMES = ("seq", "id", "at", "kind", "subject_id", "actor_id", "payload", "prev_hash", "hash")
_CHUNK = 1000


def _rows(session: Session, first: int, last: int) -> list[ChainRow]:
    table: sa.Table = AuditEntry.__table__  # type: ignore[attr-defined]
    query = sa.select(*(table.c[name] for name in _COLUMN_NAMES)).where(table.c.seq >= first, table.c.seq <= last)
    return [ChainRow(*row) for row in session.connection().execute(query.order_by(table.c.seq)).all()]


def _entries_in_order(session: Session) -> Iterator[tuple[int, ChainRow | None]]:
    """Every entry by ``seq``; an entry whose stored data no longer parses comes back as ``None``."""
    seqs = [int(seq) for seq in session.exec(select(AuditEntry.seq).order_by(col(AuditEntry.seq))) if seq is not None]
    for start in range(0, len(seqs), _CHUNK):
        chunk = seqs[start : start + _CHUNK]
        try:
            rows: list[ChainRow] | None = _rows(session, chunk[0], chunk[-1])
        except (ValueError, TypeError, sa.exc.StatementError):
            session.rollback()
            rows = None
        if rows is not None:
            yield from ((row.seq, row) for row in rows)
            continue
        for seq in chunk:  # one row of the chunk is damaged: find which
            try:
                yield seq, _rows(session, seq, seq)[0]
            except (ValueError, TypeError, sa.exc.StatementError):
                session.rollback()
                yield seq, None


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain in order and report the first entry whose hash or link does not hold.

    Catches an edited entry (its hash no longer matches its content), a deleted one (a gap in the numbering, or
    the next entry's link pointing at nothing) and reordered ones (links out of order).
    """
    previous = GENESIS_HASH
    count = 0
    expected_seq = 1
    for seq, entry in _entries_in_order(session):
        count += 1
        if seq != expected_seq:
            return ChainReport(count, False, expected_seq, None, MISSING)
        expected_seq = seq + 1
        if entry is None:
            return ChainReport(count, False, seq, None, UNREADABLE)
        if entry.prev_hash != previous:
            return ChainReport(count, False, seq, entry.id, LINK)
        if entry_hash(entry) != entry.hash:
            return ChainReport(count, False, seq, entry.id, CONTENT)
        previous = entry.hash
    return ChainReport(count, True)
