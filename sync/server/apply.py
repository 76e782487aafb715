"""Applying a device's batch of changes: idempotent, ordered, versioned, authorised, in one transaction.

The whole batch is applied under the server-wide write lock (see :mod:`sync.server.db`) and committed before
the reply is sent. Each change gets exactly one result; a change already applied (same ``change_id``) repeats its
original result; a change that can never succeed is acknowledged as rejected so later ones are never blocked.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, ValidationError, create_model
from sqlalchemy.orm import Session

from inspector.models import SYNCED_MODELS, utcnow
from sync import errors
from sync.errors import SyncProtocolError
from sync.protocol import CANONICAL_ENCODER, PROTOCOL_SCHEMA_VERSION, Change, ChangeResult, ChangeStatus, Op
from sync.server import tables
from sync.server.access import PARENT, Actor, Derived, as_uuid, derive, may_write
from sync.server.audit import AuditChain
from sync.server.bulk import insert_rows, where_in
from sync.server.db import lock_writes, set_high_water
from sync.server.rule_facts import ServerFacts
from sync.server.rules import check_change

#: Fields that differ between two sends of the same content (stamps, the device's idea of the version).
VOLATILE = frozenset({"updated_at", "server_version"})
#: On a signed inspection, the one field a later amendment may still set.
SIGNED_MUTABLE = frozenset({"superseded_by_id"})


#: Upgrades of older payload schemas, ``{from_version: fn(entity, payload) -> payload}``; applied in turn.
#: Version 1 is the first published schema; fields added since are filled from the model defaults.
UPGRADES: dict[int, Callable[[str, dict[str, Any]], dict[str, Any]]] = {}


@dataclass
class Row:
    """A record's state during the batch."""

    id: uuid.UUID
    entity: str
    version: int
    payload: dict[str, Any]
    deleted: bool
    derived: Derived
    attachments: list[dict[str, Any]]
    last_device_id: uuid.UUID | None
    streak_base: int
    is_new: bool = False
    dirty: bool = False
    log_seq: int = 0
    keys: list[str] = field(default_factory=list)


@dataclass
class Prepared:
    """A change checked before the batch is applied: its normalised payload (empty for a delete) and natural keys."""

    payload: dict[str, Any]
    keys: list[str]


@cache
def unique_sets(entity: str) -> tuple[tuple[str, ...], ...]:
    """The record's unique column sets (a person's code, an answer's inspection+item, …), each once."""
    model = SYNCED_MODELS[entity]
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    sets: list[tuple[str, ...]] = []
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            sets.append(tuple(c.name for c in constraint.columns))
    for column in table.columns:
        if column.unique and not column.primary_key:
            sets.append((column.name,))
    return tuple(dict.fromkeys(sets))  # a unique column also shows up as a constraint: count it once


def natural_keys(entity: str, payload: dict[str, Any]) -> list[str]:
    """Hashes of the record's natural keys; a second record with one of them is a kept conflict."""
    keys = []
    for names in unique_sets(entity):
        values = [payload.get(n) for n in names]
        if any(v is None for v in values):
            continue  # NULLs never collide
        keys.append(hashlib.sha256(CANONICAL_ENCODER.encode([entity, list(names), values]).encode()).hexdigest())
    return keys


def _parent_id(entity: str, payload: dict[str, Any]) -> uuid.UUID | None:
    """The record an owned child hangs off (an answer's inspection, …), if the payload names one."""
    link = PARENT.get(entity)
    return as_uuid(payload.get(link[1])) if link else None


@cache
def payload_model(entity: str) -> type[BaseModel]:
    """A plain pydantic model with the table model's fields: validates like it, without ORM instrumentation."""
    model = SYNCED_MODELS[entity]
    fields: dict[str, Any] = {name: (info.annotation, info) for name, info in model.model_fields.items()}
    return create_model(f"{model.__name__}Payload", __config__=ConfigDict(extra="ignore"), **fields)


def upgrade_payload(entity: str, payload: dict[str, Any], schema_version: int) -> dict[str, Any]:
    for version in range(schema_version, PROTOCOL_SCHEMA_VERSION):
        upgrade = UPGRADES.get(version)
        if upgrade is not None:
            payload = upgrade(entity, payload)
    return payload


def normalise(entity: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Validate through the domain model and return the canonical JSON form (defaults filled in)."""
    data = payload_model(entity).model_validate(payload).model_dump(mode="json")
    data.pop("server_version", None)
    return data


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = (set(a) | set(b)) - VOLATILE
    return all(a.get(k) == b.get(k) for k in keys)


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "payload"
    return f"{where}: {first.get('msg', 'invalid')}"


def check_batch(changes: list[Change]) -> None:
    """Batch-level checks done before anything is written (nothing is applied when one fails)."""
    previous = 0
    for change in changes:
        if change.schema_version > PROTOCOL_SCHEMA_VERSION:
            raise SyncProtocolError(
                errors.E_SCHEMA_TOO_NEW,
                f"Change {change.seq} uses data format {change.schema_version}; this server knows up to "
                f"{PROTOCOL_SCHEMA_VERSION}. Update the server; nothing was dropped.",
                seq=change.seq,
                schema_version=change.schema_version,
            )
        if change.seq <= previous:
            raise SyncProtocolError(errors.E_ORDER, f"Change {change.seq} follows change {previous}.", seq=change.seq)
        previous = change.seq


def missing_attachments(session: Session, changes: Iterable[Change]) -> list[str]:
    wanted = {ref.sha256 for c in changes for ref in c.attachments}
    if not wanted:
        return []
    query = sa.select(tables.attachment.c.sha256).where(
        tables.attachment.c.sha256.in_(wanted), tables.attachment.c.complete.is_(True)
    )
    have = set(session.execute(query).scalars())
    return sorted(wanted - have)


class BatchApplier:
    """Applies one batch for one device inside the caller's transaction."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.now = utcnow()
        self.rows: dict[uuid.UUID, Row | None] = {}
        self.keys: dict[tuple[str, str], uuid.UUID] = {}
        self.applied: list[dict[str, Any]] = []
        self.next_seq = 0
        # Both live for this one batch: what they read from the database stays true until ``_flush`` writes.
        self.facts = ServerFacts(session, self.rows)
        self.audit = AuditChain(session)

    # -- loading ---------------------------------------------------------------------------------------------
    def _load(self, ids: Iterable[uuid.UUID]) -> None:
        wanted = {i for i in ids if i not in self.rows}
        if not wanted:
            return
        r = tables.record.c
        for condition in where_in(self.session, r.id, list(wanted)):
            for found in self.session.execute(sa.select(tables.record).where(condition)).mappings():
                self.rows[found["id"]] = Row(
                    id=found["id"],
                    entity=found["entity"],
                    version=found["version"],
                    payload=dict(found["payload"]),
                    deleted=found["deleted"],
                    derived=Derived(found["scope"], found["owner_person_id"], found["team_id"]),
                    attachments=list(found["attachments"]),
                    last_device_id=found["last_device_id"],
                    streak_base=found["streak_base"],
                )
        for missing in wanted:
            self.rows.setdefault(missing, None)

    def _load_keys(self, hashes: set[tuple[str, str]]) -> None:
        wanted = {k for k in hashes if k not in self.keys}
        k = tables.record_key.c
        by_entity: dict[str, list[str]] = {}
        for entity, key_hash in wanted:
            by_entity.setdefault(entity, []).append(key_hash)
        for entity, hashes_ in by_entity.items():
            for condition in where_in(self.session, k.key_hash, hashes_):
                query = sa.select(k.key_hash, k.record_id).where(k.entity == entity, condition)
                for key_hash, record_id in self.session.execute(query):
                    self.keys[(entity, key_hash)] = record_id

    def _preload(self, changes: list[Change], prepared: list[Prepared | ChangeResult | None]) -> None:
        """Read what the batch's changes to apply will look at, a query per table and level: their records,
        their parents, their natural keys and (for sign-offs) the stored answers. Changes already applied and
        changes rejected before the batch look at nothing."""
        todo = [(c, ready) for c, ready in zip(changes, prepared, strict=True) if isinstance(ready, Prepared)]
        self._load(c.entity_id for c, _ready in todo)
        # The parents named by the changes and by the stored records, then theirs, three levels up:
        # answer → inspection; order → finding → inspection; event → order → finding.
        wanted = {pid for c, _ready in todo if (pid := _parent_id(c.entity, c.payload)) is not None}
        loaded = [row for row in self.rows.values() if row is not None]
        for _level in range(3):
            wanted.update(pid for row in loaded if (pid := _parent_id(row.entity, row.payload)) is not None)
            wanted.difference_update(self.rows)
            if not wanted:
                break
            self._load(wanted)
            loaded = [row for pid in wanted if (row := self.rows.get(pid)) is not None]
            wanted = set()
        self._load_keys({(c.entity, h) for c, ready in todo for h in ready.keys})
        signing = [
            (record_id, as_uuid(ready.payload.get("inspector_id")))
            for c, ready in todo
            if c.entity == "inspection"
            and ready.payload.get("status") == "signed"
            and (record_id := as_uuid(ready.payload.get("id"))) is not None
        ]
        self.facts.preload_answers(signing)

    def _parent(self, entity: str, payload: dict[str, Any]) -> Derived | None:
        link = PARENT.get(entity)
        if not link:
            return None
        pid = as_uuid(payload.get(link[1]))
        if pid is None:
            return None
        if pid not in self.rows:
            self._load([pid])
        row = self.rows.get(pid)
        return row.derived if row is not None else None

    def _signed_parent(self, entity: str, payload: dict[str, Any]) -> bool:
        if entity not in ("answer", "finding"):
            return False
        pid = as_uuid(payload.get("inspection_id"))
        row = self.rows.get(pid) if pid else None
        return row is not None and row.payload.get("status") == "signed"

    # -- applying --------------------------------------------------------------------------------------------
    def apply(self, changes: list[Change]) -> list[ChangeResult]:
        check_batch(changes)
        hw = lock_writes(self.session)
        self.next_seq = hw
        known = self._known_changes([c.change_id for c in changes])
        prepared = [None if c.change_id in known else self._prepare(c) for c in changes]
        self._preload(changes, prepared)
        results = []
        for change, ready in zip(changes, prepared, strict=True):
            previous = known.get(change.change_id)
            if previous is not None:
                results.append(self._repeat(change, previous))
                continue
            assert ready is not None  # only changes known before the batch were not prepared
            result = ready if isinstance(ready, ChangeResult) else self._apply_one(change, ready)
            results.append(result)
            hashed = change.body_hash()
            known[change.change_id] = {
                "body_hash": hashed,
                "status": result.status,
                "version": result.version,
                "code": result.code,
                "message": result.message,
                "conflict_id": result.conflict_id,
            }
            self.applied.append(
                {
                    "change_id": change.change_id,
                    "device_id": self.actor.device_id,
                    "seq": change.seq,
                    "entity_id": change.entity_id,
                    "body_hash": hashed,
                    "status": result.status.value,
                    "version": result.version,
                    "code": result.code,
                    "message": result.message[:2000],
                    "conflict_id": result.conflict_id,
                    "schema_version": change.schema_version,
                    "received_at": self.now,
                }
            )
        self._flush()
        last = max((c.seq for c in changes), default=0)
        d = tables.device.c
        self.session.execute(
            sa.update(tables.device)
            .where(d.id == self.actor.device_id)
            .values(last_seq=sa.case((d.last_seq < last, last), else_=d.last_seq), last_seen_at=self.now)
        )
        set_high_water(self.session, self.next_seq)
        return results

    def _known_changes(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        a = tables.applied_change.c
        found: dict[uuid.UUID, dict[str, Any]] = {}
        for condition in where_in(self.session, a.change_id, ids):
            query = sa.select(
                a.change_id, a.body_hash, a.status, a.version, a.code, a.message, a.conflict_id, a.device_id
            ).where(a.device_id == self.actor.device_id, condition)
            for row in self.session.execute(query).mappings():
                found[row["change_id"]] = dict(row)
        return found

    def _repeat(self, change: Change, previous: dict[str, Any]) -> ChangeResult:
        if previous["body_hash"] != change.body_hash():
            return self._result(change, ChangeStatus.REJECTED, code=errors.E_CHANGE_REUSED.code)
        return ChangeResult(
            change_id=change.change_id,
            seq=change.seq,
            status=ChangeStatus.DUPLICATE,
            version=previous["version"],
            code=previous["code"],
            message=previous["message"] or "",
            conflict_id=previous["conflict_id"],
        )

    def _result(
        self,
        change: Change,
        status: ChangeStatus,
        *,
        version: int | None = None,
        code: str | None = None,
        message: str | None = None,
        conflict_id: uuid.UUID | None = None,
    ) -> ChangeResult:
        if code and message is None:
            message = errors.CATALOGUE[code].en
        return ChangeResult(
            change_id=change.change_id,
            seq=change.seq,
            status=status,
            version=version,
            code=code,
            message=message or "",
            conflict_id=conflict_id,
        )

    def _prepare(self, change: Change) -> Prepared | ChangeResult:
        """The change's payload upgraded, validated and normalised, with its natural keys; or its rejection."""
        entity = change.entity
        if entity not in SYNCED_MODELS:
            return self._result(
                change,
                ChangeStatus.REJECTED,
                code=errors.E_UNKNOWN_ENTITY.code,
                message=f"Unknown record kind {entity!r}.",
            )
        if change.op == Op.UPSERT:
            payload = upgrade_payload(entity, dict(change.payload), change.schema_version)
            if str(payload.get("id", change.entity_id)) != str(change.entity_id):
                return self._result(
                    change,
                    ChangeStatus.REJECTED,
                    code=errors.E_PAYLOAD_INVALID.code,
                    message="id: differs from the change's entity_id",
                )
            payload["id"] = str(change.entity_id)
            try:
                payload = normalise(entity, payload)
            except ValidationError as exc:
                return self._result(
                    change,
                    ChangeStatus.REJECTED,
                    code=errors.E_PAYLOAD_INVALID.code,
                    message=f"{entity}: {_describe(exc)}",
                )
            except (TypeError, ValueError) as exc:
                return self._result(
                    change, ChangeStatus.REJECTED, code=errors.E_PAYLOAD_INVALID.code, message=f"{entity}: {exc}"
                )
            return Prepared(payload, natural_keys(entity, payload))
        return Prepared({}, [])

    def _apply_one(self, change: Change, ready: Prepared) -> ChangeResult:
        entity = change.entity
        payload = ready.payload
        existing = self.rows.get(change.entity_id)
        if existing is not None and existing.entity != entity:
            return self._result(
                change,
                ChangeStatus.REJECTED,
                code=errors.E_PAYLOAD_INVALID.code,
                message=f"id belongs to a {existing.entity}, not a {entity}",
            )
        if change.op == Op.DELETE:
            return self._delete(change, existing)
        derived = derive(entity, payload, self._parent(entity, payload), self.actor)
        old_derived = existing.derived if existing is not None else None
        old_payload = existing.payload if existing is not None else None
        if not may_write(self.actor, entity, change.op.value, derived, old_derived, old_payload, payload):
            return self._result(
                change,
                ChangeStatus.REJECTED,
                code=errors.E_FORBIDDEN.code,
                message=f"A {self.actor.role.value} device may not change this {entity}.",
            )
        if existing is not None and existing.deleted:
            return self._result(change, ChangeStatus.REJECTED, code=errors.E_DELETED.code)
        if existing is not None and same_content(existing.payload, payload):
            return self._result(change, ChangeStatus.APPLIED, version=existing.version)
        if existing is not None and self._immutable(existing, payload):
            return self._result(
                change, ChangeStatus.REJECTED, code=errors.E_SIGNED_IMMUTABLE.code, version=existing.version
            )
        if existing is None and self._signed_parent(entity, payload):
            return self._result(change, ChangeStatus.REJECTED, code=errors.E_SIGNED_IMMUTABLE.code)
        refusal = check_change(self.facts, entity, payload, old_payload, actor=self.actor)
        if refusal is not None:
            return self._result(change, ChangeStatus.REJECTED, code=refusal.code, message=refusal.message)
        keys = ready.keys
        clash = self._key_clash(entity, keys, change.entity_id)
        if clash is not None:
            return self._conflict(change, clash, payload, "duplicate_key")
        if existing is not None and not self._fast_forward(existing, change.base_version):
            return self._conflict(change, existing, payload, "concurrent_edit")
        return self._write(change, existing, payload, derived, keys)

    def _immutable(self, existing: Row, payload: dict[str, Any]) -> bool:
        if existing.entity == "inspection" and existing.payload.get("status") == "signed":
            changed = {
                k
                for k in (set(existing.payload) | set(payload)) - VOLATILE
                if existing.payload.get(k) != payload.get(k)
            }
            return not changed <= SIGNED_MUTABLE
        return self._signed_parent(existing.entity, existing.payload)

    def _fast_forward(self, existing: Row, base: int | None) -> bool:
        if base is None:
            # Made as new on the device: fine only if every version so far came from this same device (created and
            # edited offline before its first sync); otherwise the same id was made elsewhere with another content.
            return existing.last_device_id == self.actor.device_id and existing.streak_base == 0
        if base >= existing.version:
            return True  # current, or the server lost versions (restored from a backup)
        # Every version since ``base`` was made by this same device: its later change already includes them.
        return existing.last_device_id == self.actor.device_id and base >= existing.streak_base

    def _key_clash(self, entity: str, keys: list[str], record_id: uuid.UUID) -> Row | None:
        for key in keys:
            other = self.keys.get((entity, key))
            if other is not None and other != record_id:
                self._load([other])
                row = self.rows.get(other)
                if row is not None and not row.deleted:
                    return row
        return None

    def _allocate(self) -> int:
        self.next_seq += 1
        return self.next_seq

    def _write(
        self, change: Change, existing: Row | None, payload: dict[str, Any], derived: Derived, keys: list[str]
    ) -> ChangeResult:
        refs = [ref.model_dump() for ref in change.attachments]
        if existing is None:
            row = Row(
                id=change.entity_id,
                entity=change.entity,
                version=1,
                payload=payload,
                deleted=False,
                derived=derived,
                attachments=refs,
                last_device_id=self.actor.device_id,
                streak_base=0,
                is_new=True,
            )
            self.rows[row.id] = row
        else:
            row = existing
            if row.last_device_id != self.actor.device_id:
                row.streak_base = row.version
            row.version = max(row.version, change.base_version or 0) + 1
            self._audit_transition(row.entity, row.id, row.payload, payload)
            row.payload = payload
            row.derived = derived
            row.attachments = refs or row.attachments
            row.last_device_id = self.actor.device_id
        if existing is None:
            self._audit_transition(row.entity, row.id, None, payload)
        row.dirty = True
        row.log_seq = self._allocate()
        for old in row.keys:
            self.keys.pop((row.entity, old), None)
        row.keys = keys
        for key in keys:
            self.keys[(row.entity, key)] = row.id
        return self._result(change, ChangeStatus.APPLIED, version=row.version)

    def _delete(self, change: Change, existing: Row | None) -> ChangeResult:
        if existing is None or existing.deleted:
            return self._result(change, ChangeStatus.APPLIED, version=existing.version if existing else 0)
        if not may_write(
            self.actor,
            existing.entity,
            "delete",
            existing.derived,
            existing.derived,
            existing.payload,
            existing.payload,
        ):
            return self._result(
                change,
                ChangeStatus.REJECTED,
                code=errors.E_FORBIDDEN.code,
                message=f"A {self.actor.role.value} device may not delete this {existing.entity}.",
            )
        if (existing.entity == "inspection" and existing.payload.get("status") == "signed") or self._signed_parent(
            existing.entity, existing.payload
        ):
            return self._result(change, ChangeStatus.REJECTED, code=errors.E_SIGNED_IMMUTABLE.code)
        if not self._fast_forward(existing, change.base_version):
            return self._conflict(change, existing, {}, "edit_vs_delete")
        existing.deleted = True
        existing.version += 1
        existing.dirty = True
        existing.log_seq = self._allocate()
        existing.last_device_id = self.actor.device_id
        existing.keys = []
        return self._result(change, ChangeStatus.APPLIED, version=existing.version)

    def _conflict(self, change: Change, server: Row, payload: dict[str, Any], reason: str) -> ChangeResult:
        conflict_id = uuid.uuid4()
        self.session.execute(
            sa.insert(tables.conflict).values(
                id=conflict_id,
                entity=change.entity,
                record_id=server.id if reason == "duplicate_key" else change.entity_id,
                device_id=self.actor.device_id,
                change_id=change.change_id,
                base_version=change.base_version,
                server_version=server.version,
                server_payload=server.payload,
                device_payload=payload,
                reason=reason,
                made_at=change.made_at,
                received_at=self.now,
                status="open",
            )
        )
        message = {
            "duplicate_key": f"Another {change.entity} already has the same key; kept for a supervisor to settle.",
            "concurrent_edit": f"The {change.entity} was changed on the server since version {change.base_version}; both values are kept for a supervisor.",
            "edit_vs_delete": f"The {change.entity} was changed on the server since this device deleted it; kept for a supervisor.",
        }[reason]
        return self._result(
            change,
            ChangeStatus.CONFLICT,
            version=server.version,
            code="E_CONFLICT",
            message=message,
            conflict_id=conflict_id,
        )

    def _audit_transition(
        self, entity: str, record_id: uuid.UUID, old: dict[str, Any] | None, new: dict[str, Any]
    ) -> None:
        old = old or {}
        actor = self.actor.person_id
        if entity == "inspection" and new.get("status") == "signed" and old.get("status") != "signed":
            kind = "amendment" if new.get("amends_id") else "sign_off"
            self.audit.append(
                kind=kind,
                subject_id=record_id,
                actor_id=actor,
                payload={
                    "content_hash": new.get("content_hash"),
                    "device": str(self.actor.device_id),
                    "amends": new.get("amends_id"),
                },
            )
        elif (
            entity == "rectificationorder"
            and new.get("status") in ("closed", "reopened")
            and old.get("status") != new.get("status")
        ):
            self.audit.append(
                kind="verification",
                subject_id=record_id,
                actor_id=actor,
                payload={"status": new.get("status"), "device": str(self.actor.device_id)},
            )
        elif entity == "awarddecision" and new.get("final") and not old.get("final"):
            self.audit.append(
                kind="award_decision",
                subject_id=record_id,
                actor_id=actor,
                payload={"award": new.get("award"), "eligible": new.get("eligible"), "subject": new.get("subject_id")},
            )

    # -- writing ---------------------------------------------------------------------------------------------
    def _flush(self) -> None:
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        rekeyed: list[Row] = []
        for row in self.rows.values():
            if row is None or not row.dirty:
                continue
            values = {
                "id" if row.is_new else "b_id": row.id,
                "entity": row.entity,
                "version": row.version,
                "payload": row.payload,
                "deleted": row.deleted,
                "log_seq": row.log_seq,
                "scope": row.derived.scope,
                "owner_person_id": row.derived.owner_person_id,
                "team_id": row.derived.team_id,
                "attachments": row.attachments,
                "last_device_id": row.last_device_id,
                "streak_base": row.streak_base,
                "updated_at": self.now,
            }
            (inserts if row.is_new else updates).append(values)
            rekeyed.append(row)
        r = tables.record.c
        insert_rows(self.session, tables.record, inserts)
        if updates:
            self.session.execute(
                sa.update(tables.record).where(r.id == sa.bindparam("b_id")),
                updates,
                execution_options={"synchronize_session": False},
            )
        k = tables.record_key.c
        changed_ids = [row.id for row in rekeyed if not row.is_new]
        for condition in where_in(self.session, k.record_id, changed_ids):
            self.session.execute(sa.delete(tables.record_key).where(condition))
        key_rows = [{"entity": row.entity, "key_hash": key, "record_id": row.id} for row in rekeyed for key in row.keys]
        insert_rows(self.session, tables.record_key, key_rows)
        insert_rows(self.session, tables.applied_change, self.applied)
        self.audit.flush()
