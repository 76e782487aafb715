"""Kept conflicts: listed for supervisors (and auditors) with both values, who and when; settled by a supervisor."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from sync import errors
from sync.errors import SyncProtocolError
from sync.protocol import ConflictOut, ResolveRequest, ResolveResponse
from sync.server import ingest
from sync.server.conflicts import list_conflicts, settle
from sync.server.deps import CurrentDevice, SessionDep, SupervisorDevice

router = APIRouter(prefix="/conflicts", tags=["conflicts"])


@router.get("", response_model=list[ConflictOut])
def conflicts(
    actor: CurrentDevice,
    session: SessionDep,
    status: Annotated[str, Query(pattern="^(open|resolved|all)$")] = "open",
) -> list[ConflictOut]:
    """Conflicts waiting to be settled (or settled ones), oldest first."""
    if not actor.reads_everything:
        raise SyncProtocolError(errors.E_FORBIDDEN, "Only supervisors and auditors see conflicts.")
    ingest.drain(ingest.engine_of(session))  # conflicts from batches received so far are listed too
    found = list_conflicts(session, status)
    session.rollback()
    return found


@router.post("/{conflict_id}/resolve", response_model=ResolveResponse)
def resolve(
    conflict_id: uuid.UUID, request: ResolveRequest, actor: SupervisorDevice, session: SessionDep
) -> ResolveResponse:
    """Settle a conflict: keep the server's value, take the device's, or store a merged value."""
    ingest.drain(ingest.engine_of(session))  # settle against the state every received batch made
    answer = settle(session, actor, conflict_id, request)
    session.commit()
    return answer
