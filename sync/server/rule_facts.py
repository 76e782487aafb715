"""What the server's domain rules (:mod:`sync.server.rules`) read: the batch being applied, then the ``record`` table.

Checklist items and sections are read a version at a time and kept for the rest of the batch (in ``session.info``;
each ``BatchApplier.apply`` starts afresh, as a logged batch's chunks share one transaction), so a batch of answers costs one query per checklist version, not one per answer. A sign-off reads
its inspection's answers (narrowed by the owner index) once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.server import tables


class KnownRow(Protocol):
    """A record as the batch applier holds it (see ``sync.server.apply.Row``)."""

    entity: str
    payload: dict[str, Any]
    deleted: bool


class ServerFacts:
    """Facts from the batch's rows first (they hold its newest values), then the ``record`` table."""

    CACHE = "sync.rules.versions"

    def __init__(self, session: Session, rows: Mapping[uuid.UUID, KnownRow | None]) -> None:
        self.session = session
        self.rows = rows

    def record(self, record_id: uuid.UUID) -> tuple[str, dict[str, Any]] | None:
        if record_id in self.rows:
            row = self.rows[record_id]
            return None if row is None or row.deleted else (row.entity, row.payload)
        r = tables.record.c
        found = self.session.execute(
            sa.select(r.entity, r.payload).where(r.id == record_id, r.deleted.is_(False))
        ).first()
        return (found.entity, dict(found.payload)) if found is not None else None

    def item(self, version_id: uuid.UUID, item_id: uuid.UUID) -> dict[str, Any] | None:
        if item_id in self.rows:
            found = self.record(item_id)
            return found[1] if found is not None and found[0] == "templateitem" else None
        items = self._of_version("templateitem", version_id)
        if str(item_id) in items:
            return items[str(item_id)]
        found = self.record(item_id)  # an item of another version: the caller reports where it belongs
        return found[1] if found is not None and found[0] == "templateitem" else None

    def items_of(self, version_id: uuid.UUID) -> list[dict[str, Any]]:
        return self._overlaid("templateitem", "version_id", version_id, self._of_version("templateitem", version_id))

    def sections_of(self, version_id: uuid.UUID) -> list[dict[str, Any]]:
        stored = self._of_version("templatesection", version_id)
        return self._overlaid("templatesection", "version_id", version_id, stored)

    def answers_of(self, inspection_id: uuid.UUID, owner: uuid.UUID | None) -> list[dict[str, Any]]:
        r = tables.record.c
        query = sa.select(r.id, r.payload).where(
            r.entity == "answer",
            r.deleted.is_(False),
            r.payload["inspection_id"].as_string() == str(inspection_id),
        )
        if owner is not None:
            query = query.where(r.owner_person_id == owner)  # indexed: reads only this inspector's answers
        stored = {str(row.id): dict(row.payload) for row in self.session.execute(query)}
        return self._overlaid("answer", "inspection_id", inspection_id, stored)

    def _of_version(self, entity: str, version_id: uuid.UUID) -> dict[str, dict[str, Any]]:
        """The stored records of ``entity`` in a checklist version (by id), kept for the current transaction."""
        transaction = self.session.get_transaction()
        held = self.session.info.get(self.CACHE)
        if held is None or held[0] is not transaction:
            held = (transaction, {})
            self.session.info[self.CACHE] = held
        cache: dict[tuple[str, uuid.UUID], dict[str, dict[str, Any]]] = held[1]
        found = cache.get((entity, version_id))
        if found is None:
            r = tables.record.c
            query = sa.select(r.id, r.payload).where(
                r.entity == entity,
                r.deleted.is_(False),
                r.payload["version_id"].as_string() == str(version_id),
            )
            found = {str(row.id): dict(row.payload) for row in self.session.execute(query)}
            cache[(entity, version_id)] = found
        return found

    def _overlaid(
        self, entity: str, link: str, parent: uuid.UUID, stored: Mapping[str, dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """``stored`` with this batch's newer values of the same records (and its new or deleted ones)."""
        merged = dict(stored)
        for record_id, row in _batch(self.rows):
            if row.entity != entity:
                continue
            key = str(record_id)
            if row.deleted or str(row.payload.get(link)) != str(parent):
                merged.pop(key, None)
            else:
                merged[key] = row.payload
        return list(merged.values())


def forget_versions(session: Session) -> None:
    """Drop the checklist records kept for the transaction: a new batch (or a later chunk of one logged batch,
    applied in the same transaction) reads them again, with what the earlier chunks added."""
    session.info.pop(ServerFacts.CACHE, None)


def _batch(rows: Mapping[uuid.UUID, KnownRow | None]) -> Iterable[tuple[uuid.UUID, KnownRow]]:
    return ((record_id, row) for record_id, row in rows.items() if row is not None)
