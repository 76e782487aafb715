"""What the server's domain rules (:mod:`sync.server.rules`) read: the batch being applied, then the ``record`` table.

A :class:`ServerFacts` lives for ONE ``BatchApplier.apply``: the stored records it reads are kept for that batch
only. That is safe because the batch writes nothing to ``record`` until its very end (its newer values live in its
rows, which every look-up consults first), and a later batch, or a later chunk of one logged batch, starts with a
new ``ServerFacts`` and reads again what the earlier ones wrote. So a batch of answers costs one query per checklist
version, not one per answer; the sign-offs of a batch read their inspections' stored answers together
(:meth:`ServerFacts.preload_answers`), and a record outside the batch (a team leader, a checklist version) is read
once per batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.server import tables
from sync.server.bulk import where_in


class KnownRow(Protocol):
    """A record as the batch applier holds it (see ``sync.server.apply.Row``)."""

    entity: str
    payload: dict[str, Any]
    deleted: bool


#: The stored answers of one inspection, as the sign-off check narrows them: (inspection id, its inspector or None).
AnswerScope = tuple[uuid.UUID, uuid.UUID | None]


class ServerFacts:
    """Facts from the batch's rows first (they hold its newest values), then the ``record`` table (read once per
    batch: create one per ``BatchApplier.apply``, never keep one across batches)."""

    def __init__(self, session: Session, rows: Mapping[uuid.UUID, KnownRow | None]) -> None:
        self.session = session
        self.rows = rows
        self._stored: dict[uuid.UUID, tuple[str, dict[str, Any]] | None] = {}
        self._versions: dict[tuple[str, uuid.UUID], dict[str, dict[str, Any]]] = {}
        self._answers: dict[AnswerScope, dict[str, dict[str, Any]]] = {}

    def record(self, record_id: uuid.UUID) -> tuple[str, dict[str, Any]] | None:
        if record_id in self.rows:
            row = self.rows[record_id]
            return None if row is None or row.deleted else (row.entity, row.payload)
        if record_id in self._stored:
            return self._stored[record_id]
        r = tables.record.c
        found = self.session.execute(
            sa.select(r.entity, r.payload).where(r.id == record_id, r.deleted.is_(False))
        ).first()
        value = (found.entity, dict(found.payload)) if found is not None else None
        self._stored[record_id] = value
        return value

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
        stored = self._answers.get((inspection_id, owner))
        if stored is None:
            self.preload_answers([(inspection_id, owner)])
            stored = self._answers[(inspection_id, owner)]
        return self._overlaid("answer", "inspection_id", inspection_id, stored)

    def preload_answers(self, scopes: Iterable[AnswerScope]) -> None:
        """Read the stored answers of several inspections at once (a batch's sign-offs): one query per inspector
        (``owner``, indexed) instead of one per inspection. ``owner`` narrows an inspection's answers to its
        inspector's, as :meth:`answers_of` always has."""
        wanted = {scope for scope in scopes if scope not in self._answers}
        if not wanted:
            return
        by_owner: dict[uuid.UUID | None, set[uuid.UUID]] = {}
        for inspection_id, owner in wanted:
            by_owner.setdefault(owner, set()).add(inspection_id)
            self._answers[(inspection_id, owner)] = {}
        r = tables.record.c
        link = r.payload["inspection_id"].as_string()
        for owner, inspections in by_owner.items():
            base = sa.select(r.id, r.payload).where(r.entity == "answer", r.deleted.is_(False))
            if owner is not None:
                base = base.where(r.owner_person_id == owner)  # indexed: reads only this inspector's answers
            for condition in where_in(self.session, link, sorted(str(i) for i in inspections)):
                for row in self.session.execute(base.where(condition)):
                    payload = dict(row.payload)
                    inspection_id = uuid.UUID(str(payload["inspection_id"]))
                    self._answers[(inspection_id, owner)][str(row.id)] = payload

    def _of_version(self, entity: str, version_id: uuid.UUID) -> dict[str, dict[str, Any]]:
        """The stored records of ``entity`` in a checklist version (by id), read once per batch."""
        found = self._versions.get((entity, version_id))
        if found is None:
            r = tables.record.c
            query = sa.select(r.id, r.payload).where(
                r.entity == entity,
                r.deleted.is_(False),
                r.payload["version_id"].as_string() == str(version_id),
            )
            found = {str(row.id): dict(row.payload) for row in self.session.execute(query)}
            self._versions[(entity, version_id)] = found
        return found

    def _overlaid(
        self, entity: str, link: str, parent: uuid.UUID, stored: Mapping[str, dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """``stored`` with this batch's newer values of the same records (and its new or deleted ones).

        Runs for every sign-off over all of the batch's rows, so it compares texts without making any: a row's
        link is already the parent's id as text (payloads are normalised JSON), and its own id is turned into
        text only when it is kept.
        """
        merged = dict(stored)
        parent_text = str(parent)
        stored_ids: dict[uuid.UUID, str] | None = None
        for record_id, row in self.rows.items():
            if row is None or row.entity != entity:
                continue
            value = row.payload.get(link)
            if not isinstance(value, str) and value is not None:
                value = str(value)
            if not row.deleted and value == parent_text:
                merged[str(record_id)] = row.payload
                continue
            # Not (or no longer) this parent's: drop it if it was stored as one of them.
            if stored_ids is None:
                stored_ids = {uuid.UUID(key): key for key in stored}
            key = stored_ids.get(record_id)
            if key is not None:
                merged.pop(key, None)
        return list(merged.values())
