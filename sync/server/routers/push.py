"""``POST /push``: apply a device's ordered batch of changes; the reply is sent only after the commit."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter

from sync import errors
from sync.errors import SyncProtocolError
from sync.protocol import PushRequest, PushResponse
from sync.server import tables
from sync.server.apply import BatchApplier, missing_attachments
from sync.server.deps import CurrentDevice, SessionDep

router = APIRouter(tags=["push"])


@router.post("/push", response_model=PushResponse)
def push(request: PushRequest, actor: CurrentDevice, session: SessionDep) -> PushResponse:
    """Apply the changes in order. One result per change: applied, duplicate, conflict or rejected."""
    missing = missing_attachments(session, request.changes)
    if missing:
        session.rollback()
        raise SyncProtocolError(
            errors.E_ATTACHMENT_MISSING,
            f"{len(missing)} attachment(s) are not completely uploaded; upload them and push again.",
            missing=missing,
        )
    results = BatchApplier(session, actor).apply(request.changes)
    last_seq = session.execute(
        sa.select(tables.device.c.last_seq).where(tables.device.c.id == actor.device_id)
    ).scalar_one()
    session.commit()
    return PushResponse(results=results, last_seq=last_seq)
