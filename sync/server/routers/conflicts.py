"""Kept conflicts: listed for supervisors (and auditors) with both values, who and when; settled by a supervisor.

Neither route waits for another device's received backlog (that can take minutes). The list shows the conflicts
found so far and says in the ``Inspector-Changes-Waiting`` header how many received changes are still being
applied (they may add conflicts). Settling is judged by versions like any other write: a waiting change to the
settled record that was made from an older version than the settled one becomes a new conflict when it is applied,
never a silent overwrite.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from sync import errors
from sync.errors import SyncProtocolError
from sync.protocol import CHANGES_WAITING_HEADER, ConflictOut, ResolveRequest, ResolveResponse
from sync.server import ingest
from sync.server.conflicts import list_conflicts, settle
from sync.server.deps import CurrentDevice, SessionDep, SupervisorDevice

router = APIRouter(prefix="/conflicts", tags=["conflicts"])

WAITING_DOC = {
    CHANGES_WAITING_HEADER: {
        "description": "How many received changes (of every device) are still being applied; they may add conflicts.",
        "schema": {"type": "integer", "minimum": 0},
    }
}


@router.get("", response_model=list[ConflictOut], responses={200: {"headers": WAITING_DOC}})
def conflicts(
    actor: CurrentDevice,
    session: SessionDep,
    response: Response,
    status: Annotated[str, Query(pattern="^(open|resolved|all)$")] = "open",
) -> list[ConflictOut]:
    """Conflicts waiting to be settled (or settled ones), oldest first, as applied so far."""
    if not actor.reads_everything:
        raise SyncProtocolError(errors.E_FORBIDDEN, "Only supervisors and auditors see conflicts.")
    ingest.drain(ingest.engine_of(session), actor.device_id)  # this device's own batches (it reads its writes)
    found = list_conflicts(session, status)
    response.headers[CHANGES_WAITING_HEADER] = str(ingest.waiting_changes(session))
    session.rollback()
    return found


@router.post("/{conflict_id}/resolve", response_model=ResolveResponse)
def resolve(
    conflict_id: uuid.UUID, request: ResolveRequest, actor: SupervisorDevice, session: SessionDep
) -> ResolveResponse:
    """Settle a conflict: keep the server's value, take the device's, or store a merged value."""
    ingest.drain(ingest.engine_of(session), actor.device_id)  # the supervisor's own batches come first
    answer = settle(session, actor, conflict_id, request)
    session.commit()
    return answer
