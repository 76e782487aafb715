"""``GET /pull``: everything the device's role may see since an opaque cursor, in commit order.

The cursor carries the epoch, the last change sequence delivered and the role it was made for; a cursor from
another epoch or role, or one from the future, is unusable: 410 ``E_CURSOR_RESET`` and the device resyncs.

A pull applies only the pulling device's own logged batches before it reads, never another device's backlog: a
change applied later is numbered above every cursor served before it, so a later pull delivers it exactly once
(the argument is in :mod:`sync.server.ingest`).
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query

from sync import errors
from sync.errors import SyncProtocolError
from sync.protocol import MAX_PAGE, AttachmentRef, DeviceRole, PulledRecord, PullResponse
from sync.server import ingest, tables
from sync.server.access import Actor
from sync.server.db import get_meta, high_water
from sync.server.deps import CurrentDevice, SessionDep

router = APIRouter(tags=["pull"])


def encode_cursor(epoch: str, seq: int, actor: Actor) -> str:
    raw = json.dumps({"e": epoch, "s": seq, "r": _audience(actor)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, epoch: str, hw: int, actor: Actor) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        seq = int(data["s"])
        same = data["e"] == epoch and data["r"] == _audience(actor)
    except (ValueError, KeyError, TypeError):
        raise SyncProtocolError(errors.E_CURSOR_RESET, "The sync position is not readable; resync.") from None
    if not same or seq < 0 or seq > hw:
        raise SyncProtocolError(errors.E_CURSOR_RESET, "The sync position belongs to another server state; resync.")
    return seq


def _audience(actor: Actor) -> str:
    return f"{actor.role.value}:{actor.person_id or ''}:{actor.team_id or ''}"


def visible(actor: Actor) -> Any:
    r = tables.record.c
    if actor.reads_everything:
        return sa.true()
    if actor.role == DeviceRole.INSPECTOR and actor.person_id is not None:
        return sa.or_(r.scope == "ref", r.owner_person_id == actor.person_id)
    if actor.role == DeviceRole.TEAM_LEADER and actor.team_id is not None:
        return sa.or_(r.scope == "ref", sa.and_(r.scope.in_(("owned", "team")), r.team_id == actor.team_id))
    return r.scope == "ref"


@router.get("/pull", response_model=PullResponse)
def pull(
    actor: CurrentDevice,
    session: SessionDep,
    cursor: Annotated[str, Query(max_length=400)] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1000,
) -> PullResponse:
    """The next page after ``cursor``. Store the records and the new cursor in one transaction."""
    # This device's own received batches first (it reads its writes); other devices' batches are applied by the
    # background applier and come in a later pull, above this cursor (see sync.server.ingest: why none is skipped).
    ingest.drain(ingest.engine_of(session), actor.device_id)
    epoch = get_meta(session, "epoch") or ""
    hw = high_water(session)  # read first: rows committed later get higher numbers and come next time
    after = decode_cursor(cursor, epoch, hw, actor)
    r = tables.record.c
    query = (
        sa.select(r.entity, r.id, r.version, r.deleted, r.payload, r.attachments, r.log_seq)
        .where(r.log_seq > after, r.log_seq <= hw, visible(actor))
        .order_by(r.log_seq)
        .limit(limit)
    )
    rows = session.execute(query).all()
    session.rollback()
    more = len(rows) == limit
    last = rows[-1].log_seq if more else hw
    records = [
        PulledRecord(
            entity=row.entity,
            id=row.id,
            version=row.version,
            deleted=row.deleted,
            payload=row.payload,
            attachments=[AttachmentRef.model_validate(a) for a in row.attachments],
        )
        for row in rows
    ]
    return PullResponse(
        records=records, cursor=encode_cursor(epoch, last, actor), more=more, epoch=epoch, high_water=hw
    )
