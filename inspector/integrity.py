"""Whether the signed record still is what was signed: the audit chain, and every signed inspection against it.

The chain alone cannot see a row edited *outside* it (an answer changed with raw SQL after sign-off), nor the last
entries cut off its end. So each signed inspection is also checked: its stored ``content_hash`` must equal the hash
recomputed from its rows now, and the hash its sign-off entry in the chain recorded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from inspector.audit import ChainReport, sign_off_entries, verify_chain
from inspector.models import Inspection, InspectionStatus
from inspector.signing import inspection_hash

#: Why a signed inspection does not hold.
NOT_CHAINED = "not_chained"
HASH_DIFFERS_FROM_CHAIN = "hash_differs_from_chain"
CONTENT_CHANGED = "content_changed"


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

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems


def check_signed(session: Session, inspection: Inspection, chained_hash: str | None) -> SignedProblem | None:
    """The problem with one signed inspection, or ``None`` when its rows, stored hash and chain entry agree."""
    current = inspection_hash(session, inspection)
    problem: str | None = None
    if current != inspection.content_hash:
        problem = CONTENT_CHANGED
    elif chained_hash is None:
        problem = NOT_CHAINED
    elif chained_hash != inspection.content_hash:
        problem = HASH_DIFFERS_FROM_CHAIN
    if problem is None:
        return None
    return SignedProblem(inspection.id, problem, chained_hash, inspection.content_hash, current)


def check_integrity(session: Session) -> IntegrityReport:
    """Walk the chain, then check every signed inspection against its rows and its sign-off entry.

    Read-only: call it on a session with no pending changes.
    """
    chain = verify_chain(session)
    chained = sign_off_entries(session)
    signed = session.exec(
        select(Inspection)
        .where(Inspection.status == InspectionStatus.SIGNED)
        .order_by(col(Inspection.signed_at), col(Inspection.id))
    ).all()
    problems: list[SignedProblem] = []
    for inspection in signed:
        entry = chained.get(inspection.id)
        chained_hash = entry.payload.get("content_hash") if entry is not None else None
        found = check_signed(session, inspection, str(chained_hash) if chained_hash else None)
        if found is not None:
            problems.append(found)
    return IntegrityReport(chain=chain, signed_checked=len(signed), problems=problems)
