"""Listing and settling kept conflicts. Settling writes the chosen value as a new server version that every
device then pulls, and leaves an audit entry."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session

from inspector.models import utcnow
from sync import errors
from sync.errors import SyncProtocolError
from sync.protocol import ConflictOut, Resolution, ResolveRequest, ResolveResponse
from sync.server import tables
from sync.server.access import Actor, derive
from sync.server.apply import BatchApplier, natural_keys, normalise
from sync.server.audit import append_audit
from sync.server.db import lock_writes, set_high_water


def list_conflicts(session: Session, status: str) -> list[ConflictOut]:
    c = tables.conflict.c
    d = tables.device.c
    query = (
        sa.select(tables.conflict, d.name.label("device_name"), d.person_code)
        .join(tables.device, d.id == c.device_id)
        .order_by(c.received_at)
    )
    if status != "all":
        query = query.where(c.status == status)
    names = dict(session.execute(sa.select(d.id, d.name)).all())
    found = []
    for row in session.execute(query).mappings():
        found.append(
            ConflictOut(
                id=row["id"],
                entity=row["entity"],
                record_id=row["record_id"],
                status=row["status"],
                base_version=row["base_version"],
                server_version=row["server_version"],
                server_payload=row["server_payload"],
                device_payload=row["device_payload"],
                device_name=row["device_name"],
                person_code=row["person_code"],
                made_at=row["made_at"],
                received_at=row["received_at"],
                resolution=row["resolution"],
                resolved_by=names.get(row["resolved_by"]) if row["resolved_by"] else None,
                resolved_at=row["resolved_at"],
            )
        )
    return found


def settle(session: Session, actor: Actor, conflict_id: uuid.UUID, request: ResolveRequest) -> ResolveResponse:
    """Apply the supervisor's choice under the write lock (the caller commits)."""
    hw = lock_writes(session)
    c = tables.conflict.c
    row = session.execute(sa.select(tables.conflict).where(c.id == conflict_id)).mappings().first()
    if row is None:
        raise SyncProtocolError(errors.E_NOT_FOUND, "No such conflict.")
    if row["status"] != "open":
        raise SyncProtocolError(errors.E_CONFLICT_SETTLED)
    applier = BatchApplier(session, actor)
    applier._load([row["record_id"]])
    current = applier.rows.get(row["record_id"])
    version = current.version if current is not None else 0
    chosen: dict[str, Any] | None = None
    if request.resolution == Resolution.TAKE_DEVICE:
        chosen = dict(row["device_payload"])
    elif request.resolution == Resolution.MERGED:
        if request.payload is None:
            raise SyncProtocolError(errors.E_VALIDATION, "A merged resolution needs the merged payload.")
        chosen = dict(request.payload)
    if chosen is not None and current is not None:
        chosen["id"] = str(current.id)
        try:
            payload = normalise(current.entity, chosen)
        except (ValidationError, TypeError, ValueError) as exc:
            raise SyncProtocolError(
                errors.E_VALIDATION, f"The chosen value is not a valid {current.entity}: {exc}"
            ) from None
        applier.next_seq = hw
        current.payload = payload
        current.deleted = False
        current.version += 1
        current.derived = derive(current.entity, payload, applier._parent(current.entity, payload), actor)
        current.last_device_id = actor.device_id
        current.streak_base = current.version
        current.keys = natural_keys(current.entity, payload)
        current.dirty = True
        current.log_seq = applier._allocate()
        applier._flush()
        set_high_water(session, applier.next_seq)
        version = current.version
    session.execute(
        sa.update(tables.conflict)
        .where(c.id == conflict_id)
        .values(
            status="resolved", resolution=request.resolution.value, resolved_by=actor.device_id, resolved_at=utcnow()
        )
    )
    append_audit(
        session,
        kind="conflict_settled",
        subject_id=row["record_id"],
        actor_id=actor.person_id,
        payload={"conflict": str(conflict_id), "resolution": request.resolution.value, "version": version},
    )
    return ResolveResponse(conflict_id=conflict_id, version=version)
