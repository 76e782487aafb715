"""Whether the signed record still is what was signed: the audit chain, and every signed inspection against it.

The chain alone cannot see a row edited *outside* it (an answer changed with raw SQL after sign-off), nor the last
entries cut off its end. So each signed inspection is also checked: its stored ``content_hash`` must equal the hash
recomputed from its rows now (:func:`inspector.signing.check_content`), and the hash its sign-off entry in the chain
recorded.

Each laptop's chain is its own and is never synced, so only inspections *signed on this laptop* must have an entry
in it. Which those are is read from this laptop's outbox, where every local change is written in the transaction
that makes it and kept after it is sent: a sign-off made here left an entry writing the inspection as signed and
not superseded. (Marking a pulled original as superseded by an amendment made here is not signing it; nor is taking
another device's value for a bundle conflict.) An inspection with no such entry that came from elsewhere — pulled
from the server (it carries a server version) or imported from another device's bundle — is *received*: its
content must still match its hash, but it needs no entry here. A signed inspection with neither (a row written
behind the app's back) is reported as not chained.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from inspector.audit import ChainReport, sign_off_entries, verify_chain
from inspector.models import ImportedChange, Inspection, InspectionStatus, LocalConflict, OutboxEntry
from inspector.signing import check_content

#: Why a signed inspection does not hold.
NOT_CHAINED = "not_chained"
HASH_DIFFERS_FROM_CHAIN = "hash_differs_from_chain"
CONTENT_CHANGED = "content_changed"

#: The bundle-conflict settlement that writes another device's value here (``sync.protocol.Resolution``).
_TAKEN_FROM_DEVICE = "take_device"


@dataclass(frozen=True)
class SignedProblem:
    """A signed inspection whose rows, stored hash or chain entry disagree."""

    inspection_id: uuid.UUID
    problem: str
    #: The hash as signed (chain), as stored on the row, and as recomputed from the rows now.
    chained_hash: str | None
    stored_hash: str | None
    current_hash: str


@dataclass(frozen=True)
class IntegrityReport:
    """The chain's report plus every signed inspection that does not hold (in signing order)."""

    chain: ChainReport
    signed_checked: int
    problems: list[SignedProblem] = field(default_factory=list)
    #: Signed inspections received from the server or another device's bundle whose content matches their hash
    #: (they have no entry in this laptop's chain, and need none), in signing order.
    received: list[uuid.UUID] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems


def check_signed(
    session: Session, inspection: Inspection, chained_hash: str | None, *, received: bool = False
) -> SignedProblem | None:
    """The problem with one signed inspection, or ``None`` when its rows, stored hash and chain entry agree.

    ``received``: the inspection was not signed on this laptop, so no chain entry is expected (if there is one, it
    must still agree)."""
    content = check_content(session, inspection, inspection.content_hash)
    problem: str | None = None
    if not content.matches:
        problem = CONTENT_CHANGED
    elif chained_hash is None:
        problem = None if received else NOT_CHAINED
    elif chained_hash != inspection.content_hash:
        problem = HASH_DIFFERS_FROM_CHAIN
    if problem is None:
        return None
    return SignedProblem(inspection.id, problem, chained_hash, inspection.content_hash, content.current_hash)


def signed_here(session: Session) -> set[uuid.UUID]:
    """Inspections this laptop's outbox shows were signed here: an entry writing the inspection as signed and not
    superseded, other than one that wrote the very value taken from another device in a settled bundle conflict."""
    payload = col(OutboxEntry.payload)
    query = select(OutboxEntry.entity_id, sa.func.json_extract(payload, "$.content_hash")).where(
        OutboxEntry.entity == "inspection",
        OutboxEntry.op == "upsert",
        sa.func.json_extract(payload, "$.status") == InspectionStatus.SIGNED.value,
        sa.func.json_extract(payload, "$.superseded_by_id").is_(None),
    )
    written = {(entity_id, str(content_hash)) for entity_id, content_hash in session.exec(query.distinct()).all()}
    if not written:
        return set()
    settled = session.exec(
        select(LocalConflict.record_id, LocalConflict.device_payload).where(
            LocalConflict.entity == "inspection", LocalConflict.resolution == _TAKEN_FROM_DEVICE
        )
    ).all()
    taken = {
        (record_id, str(value.get("content_hash")))
        for record_id, value in settled
        if value.get("status") == InspectionStatus.SIGNED.value
    }
    return {entity_id for entity_id, content_hash in written - taken}


def came_from_elsewhere(session: Session) -> set[uuid.UUID]:
    """Inspections that reached this laptop from another device: imported from a bundle, or part of a conflict
    with one. (Pulled ones are told by their server version.)"""
    imported = select(ImportedChange.entity_id).where(ImportedChange.entity == "inspection")
    conflicted = select(LocalConflict.record_id).where(LocalConflict.entity == "inspection")
    return set(session.exec(imported.distinct()).all()) | set(session.exec(conflicted.distinct()).all())


def check_integrity(session: Session) -> IntegrityReport:
    """Walk the chain, then check every signed inspection against its rows and, when it was signed on this
    laptop, its sign-off entry.

    Read-only: call it on a session with no pending changes.
    """
    chain = verify_chain(session)
    chained = sign_off_entries(session)
    signed = session.exec(
        select(Inspection)
        .where(Inspection.status == InspectionStatus.SIGNED)
        .order_by(col(Inspection.signed_at), col(Inspection.id))
    ).all()
    here = signed_here(session)
    elsewhere = came_from_elsewhere(session)
    problems: list[SignedProblem] = []
    received: list[uuid.UUID] = []
    for inspection in signed:
        entry = chained.get(inspection.id)
        chained_hash = entry.payload.get("content_hash") if entry is not None else None
        is_received = (
            entry is None
            and inspection.id not in here
            and (inspection.server_version is not None or inspection.id in elsewhere)
        )
        found = check_signed(session, inspection, str(chained_hash) if chained_hash else None, received=is_received)
        if found is not None:
            problems.append(found)
        elif is_received:
            received.append(inspection.id)
    return IntegrityReport(chain=chain, signed_checked=len(signed), problems=problems, received=received)
