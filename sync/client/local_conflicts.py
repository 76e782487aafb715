"""Conflicts kept on this laptop by a bundle import, for the supervisor to settle in the Conflicts screen.

Keeping this laptop's value just closes the conflict. Taking the device's value writes it here as the supervisor's
own change (it goes to the server in the outbox, like any edit on this laptop); a deleting change deletes.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col, select

import sync.messages  # noqa: F401  (registers the texts)
from inspector.errors import InspectorError, NotFoundError
from inspector.models import SYNCED_MODELS, LocalConflict, utcnow
from inspector.store import Store
from sync import errors
from sync.protocol import ConflictOut, Resolution

#: ``ConflictOut.status`` of a conflict kept on this laptop (the server's are "open").
LOCAL = "local"


def open_local_conflicts(store: Store) -> list[ConflictOut]:
    """Every open conflict kept on this laptop, oldest first, in the server's conflict shape."""
    with store.session() as session:
        rows = session.exec(
            select(LocalConflict).where(LocalConflict.status == "open").order_by(col(LocalConflict.received_at))
        ).all()
        return [
            ConflictOut(
                id=row.id,
                entity=row.entity,
                record_id=row.record_id,
                status=LOCAL,
                base_version=row.base_version,
                server_version=row.local_version or 0,
                server_payload=row.local_payload,
                device_payload=row.device_payload,
                device_name=row.device_name,
                person_code=row.person_code,
                made_at=row.made_at,
                received_at=row.received_at,
            )
            for row in rows
        ]


def settle_local_conflict(store: Store, conflict_id: uuid.UUID, resolution: Resolution) -> None:
    """Apply the supervisor's choice for a conflict kept on this laptop (one transaction, begun IMMEDIATE: it reads
    then writes while a background sync may be writing, so it waits for that instead of failing)."""
    with store.session(write=True) as session:
        kept = session.get(LocalConflict, conflict_id)
        if kept is None:
            raise NotFoundError("E_NOT_FOUND", "No such conflict on this laptop.", "本机没有这条冲突。")
        if kept.status != "open":
            entry = errors.E_CONFLICT_SETTLED
            raise InspectorError(entry.code, entry.en, entry.zh)
        if resolution == Resolution.TAKE_DEVICE:
            model = SYNCED_MODELS[kept.entity]
            row = session.get(model, kept.record_id)
            if not kept.device_payload:
                if row is not None:
                    session.delete(row)
            else:
                data: dict[str, Any] = dict(kept.device_payload)
                data["id"] = str(kept.record_id)
                data["server_version"] = row.server_version if row is not None else None
                fresh = model.model_validate(data)
                if row is None:
                    session.add(fresh)
                else:
                    for name in model.model_fields:
                        if name not in ("id", "created_at"):
                            setattr(row, name, getattr(fresh, name))
                    session.add(row)
        elif resolution != Resolution.KEEP_SERVER:
            raise InspectorError(
                "E_VALIDATION",
                "A conflict on this laptop keeps either value; merge by editing the record afterwards.",
                "本机的冲突只能保留其中一个值；如需合并，请之后再修改该记录。",
            )
        kept.status = "resolved"
        kept.resolution = resolution.value
        kept.resolved_at = utcnow()
        session.add(kept)
        session.commit()
