"""Importing another device's bundle into a supervisor's laptop, where there is no server to send it to.

``inspector sync import FILE`` on a supervisor's laptop checks the bundle's Ed25519 signature with its device's
public key (the group's public keys are fetched at each sync, :mod:`sync.client.trust`) and applies it to the laptop's own database with the server's rules:

* each change is handled once per (device, change number), remembered in ``importedchange``; importing the same
  bundle twice, or a later bundle that repeats earlier changes, changes nothing more;
* the change is authorised as its own device's (an inspector's bundle may only touch that inspector's records),
  signed-off inspections stay immutable, and the domain rules of :mod:`sync.server.rules` are rerun: a violating
  change is rejected with its reason;
* a change that meets a different value here (the supervisor's own unsynced edit, a newer server version, another
  device's import) is kept with both values as a :class:`~inspector.models.LocalConflict` for the Conflicts screen.

Applied records do not enter the supervisor's outbox: that would send them as the supervisor's changes, and the
inspector's own later sync would then collide with them. The signed bundle itself is kept (``importedbundle``)
and forwarded unchanged at the supervisor's next sync (:mod:`sync.client.bundle_forward`), so the server applies
the changes as the inspector's, and the inspector's own later push of the same changes is answered "duplicate".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

import sync.messages  # noqa: F401  (registers the texts)
from inspector.errors import InspectorError
from inspector.i18n import t
from inspector.models import (
    SYNCED_MODELS,
    Answer,
    ImportedBundle,
    ImportedChange,
    Inspection,
    LocalConflict,
    OutboxEntry,
    Person,
    SyncedRecord,
    TemplateItem,
    TemplateSection,
    utcnow,
)
from inspector.models.enums import OutboxStatus
from inspector.output_file import replacing
from inspector.store import Store, StoreSession
from sync import bundle_signature, errors
from sync.client.bundle import read_bundle_file
from sync.client.engine import FILE_FIELDS, remote_session
from sync.client.trust import find_key, load_bundle_keys
from sync.protocol import Bundle, BundleKey, BundleKeys, Change, ChangeResult, ChangeStatus, DeviceRole, Op
from sync.server.access import PARENT, Actor, Derived, as_uuid, derive, may_write
from sync.server.apply import SIGNED_MUTABLE, VOLATILE, normalise, same_content, unique_sets, upgrade_payload
from sync.server.rules import check_change

#: Entities the rules most often look up, tried first when a record's kind is not known.
LIKELY = ("inspection", "person", "finding", "templateitem", "rectificationorder")


@dataclass
class ImportReport:
    """What importing one bundle did."""

    device_name: str
    results: list[ChangeResult]
    #: False when this very file had been imported before (nothing new was stored).
    stored: bool
    attachments: int = 0
    #: (which record, why) of every rejected change; the reason is "English / 中文" where both are known.
    rejections: list[tuple[str, str]] = field(default_factory=list)

    def count(self, status: ChangeStatus) -> int:
        return sum(1 for r in self.results if r.status == status)


def refused(code: str, key: str, /, **values: object) -> InspectorError:
    """A bundle refused before anything was applied, in both languages."""
    return InspectorError(code, t(key, "en", **values), t(key, "zh", **values))


def verify_bundle(bundle: Bundle, keys: BundleKeys, path: Path) -> BundleKey:
    """The bundle's device, once its group, device, signature and attached files check out; else a clear refusal.

    Only format 2 bundles can be checked here (with the device's public key); a format 1 bundle's signature needs
    a secret only the server has, and a device whose key this laptop does not have yet cannot be checked either:
    both are refused with what to do instead."""
    if bundle.group and keys.group and bundle.group != keys.group:
        raise refused("E_BUNDLE_GROUP", "sync.import.wrong_group", path=path)
    source = find_key(keys, bundle.device_id)
    if source is None:
        raise refused("E_BUNDLE_DEVICE", "sync.import.unknown_device", path=path, device=bundle.device_id)
    if source.revoked:
        raise refused("E_AUTH_REVOKED", "sync.import.revoked", path=path, device=source.name)
    if bundle.format_version < 2:
        raise refused("E_BUNDLE_LEGACY", "sync.import.legacy", path=path, device=source.name)
    if source.public_key is None:
        raise refused("E_BUNDLE_KEY_UNKNOWN", "sync.import.key_unknown", path=path, device=source.name)
    if source.key_id != bundle.key_id:
        raise refused("E_BUNDLE_SIGNATURE", "sync.import.wrong_key", path=path, device=source.name)
    if not bundle_signature.verify(source.public_key, bundle.signed_body(), bundle.signature):
        raise refused("E_BUNDLE_SIGNATURE", "sync.import.tampered", path=path, device=source.name)
    for sha, content in bundle.attachments.items():
        try:
            ok = hashlib.sha256(base64.b64decode(content, validate=True)).hexdigest() == sha
        except (binascii.Error, ValueError):
            ok = False
        if not ok:
            raise refused("E_ATTACHMENT_HASH", "sync.import.damaged_file", path=path, sha=sha[:12])
    for change in bundle.changes:
        for ref in change.attachments:
            if ref.sha256 not in bundle.attachments:
                raise refused("E_ATTACHMENT_MISSING", "sync.import.missing_file", path=path, file=ref.path)
    return source


def save_attachments(bundle: Bundle, folder: Path) -> dict[str, str]:
    """Write the bundle's files under ``folder`` (content-addressed, as pulled ones); their path on the source
    device → their path here."""
    suffix = {ref.sha256: Path(ref.path).suffix.lower()[:10] for c in bundle.changes for ref in c.attachments}
    local: dict[str, str] = {}
    for sha, content in bundle.attachments.items():
        target = folder / sha[:2] / (sha + suffix.get(sha, ""))
        if not (target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == sha):
            with replacing(target) as temporary:  # a full disk: no half-written photo is left behind
                temporary.write_bytes(base64.b64decode(content))
        local[sha] = str(target)
    return {ref.path: local[ref.sha256] for c in bundle.changes for ref in c.attachments if ref.sha256 in local}


def import_bundle(store: Store, *, file: Path, keys_path: Path, attachments: Path) -> ImportReport:
    """Check ``file`` and apply it to ``store`` in one transaction (see the module's docstring)."""
    bundle, digest, text = read_bundle_file(file)  # read once: what is checked is what is stored, under its hash
    keys = load_bundle_keys(keys_path)
    if keys is None:
        raise refused("E_BUNDLE_NO_KEYS", "sync.import.no_keys")
    source = verify_bundle(bundle, keys, file)
    paths = save_attachments(bundle, attachments)
    with remote_session(store) as session:  # a bundle may name records this laptop has not pulled yet
        actor = _actor(session, source)
        stored = session.exec(select(ImportedBundle).where(ImportedBundle.file_sha256 == digest)).first()
        is_new = stored is None
        if stored is None:
            stored = ImportedBundle(
                file_sha256=digest,
                device_id=bundle.device_id,
                device_name=source.name,
                content=text,
                changes=len(bundle.changes),
            )
            session.add(stored)
            session.flush()
        importer = LocalImporter(session, actor, source, stored.id, paths)
        results = [importer.handle(change) for change in sorted(bundle.changes, key=lambda c: c.seq)]
        session.commit()
    report = ImportReport(source.name, results, is_new, attachments=len(bundle.attachments))
    by_id = {c.change_id: c for c in bundle.changes}
    for result in results:
        if result.status == ChangeStatus.REJECTED:
            change = by_id[result.change_id]
            report.rejections.append((f"{change.entity} {change.entity_id} ({result.code})", result.message))
    return report


def _actor(session: StoreSession, source: BundleKey) -> Actor:
    person = None
    if source.person_code:
        person = session.exec(select(Person).where(Person.code == source.person_code)).first()
    return Actor(
        device_id=source.device_id,
        name=source.name,
        role=DeviceRole(source.role),
        person_code=source.person_code,
        person_id=person.id if person else None,
        team_id=person.team_id if person else None,
    )


def record_payload(row: SyncedRecord) -> dict[str, Any]:
    """A stored record as the server would hold it (normalised the same way, without the local version)."""
    data = row.model_dump(mode="json")
    data.pop("server_version", None)
    try:
        return normalise(str(row.__tablename__), data)
    except (ValidationError, TypeError, ValueError):
        return data  # a row the model no longer accepts is compared as stored


class LocalFacts:
    """What the domain rules look up, from this laptop's database."""

    def __init__(self, session: StoreSession) -> None:
        self.session = session

    def record(self, record_id: uuid.UUID) -> tuple[str, dict[str, Any]] | None:
        order = list(LIKELY) + [e for e in SYNCED_MODELS if e not in LIKELY]
        for entity in order:
            row = self.session.get(SYNCED_MODELS[entity], record_id)
            if row is not None:
                return entity, row.model_dump(mode="json")
        return None

    def item(self, version_id: uuid.UUID, item_id: uuid.UUID) -> dict[str, Any] | None:
        row = self.session.get(TemplateItem, item_id)
        return row.model_dump(mode="json") if row is not None else None

    def items_of(self, version_id: uuid.UUID) -> list[dict[str, Any]]:
        rows = self.session.exec(select(TemplateItem).where(TemplateItem.version_id == version_id)).all()
        return [row.model_dump(mode="json") for row in rows]

    def sections_of(self, version_id: uuid.UUID) -> list[dict[str, Any]]:
        rows = self.session.exec(select(TemplateSection).where(TemplateSection.version_id == version_id)).all()
        return [row.model_dump(mode="json") for row in rows]

    def answers_of(self, inspection_id: uuid.UUID, owner: uuid.UUID | None) -> list[dict[str, Any]]:
        rows = self.session.exec(select(Answer).where(Answer.inspection_id == inspection_id)).all()
        return [row.model_dump(mode="json") for row in rows]


class LocalImporter:
    """Applies one device's changes to this laptop, as the server's batch applier does on the server."""

    def __init__(
        self, session: StoreSession, actor: Actor, source: BundleKey, bundle_id: uuid.UUID, paths: dict[str, str]
    ) -> None:
        self.session = session
        self.actor = actor
        self.source = source
        self.bundle_id = bundle_id
        self.paths = paths
        self.facts = LocalFacts(session)

    def handle(self, change: Change) -> ChangeResult:
        """The result of one change, applied at most once per (device, change number)."""
        body = change.body_hash()
        prior = self.session.get(ImportedChange, (self.source.device_id, change.seq))
        if prior is not None:
            if prior.change_id != change.change_id or prior.body_hash != body:
                return _result(change, ChangeStatus.REJECTED, errors.E_CHANGE_REUSED.code)
            return ChangeResult(
                change_id=change.change_id,
                seq=change.seq,
                status=ChangeStatus.DUPLICATE,
                code=prior.code,
                message=prior.message,
            )
        try:
            with self.session.begin_nested():
                result = self._judge(change)
        except IntegrityError:
            result = _result(change, ChangeStatus.REJECTED, errors.E_DUPLICATE_KEY.code)
        self.session.add(
            ImportedChange(
                device_id=self.source.device_id,
                seq=change.seq,
                change_id=change.change_id,
                entity=change.entity[:64],
                entity_id=change.entity_id,
                body_hash=body,
                status=result.status.value,
                code=result.code,
                message=result.message[:2000],
                bundle_id=self.bundle_id,
                applied_at=utcnow(),
            )
        )
        self.session.flush()
        return result

    # -- judging ---------------------------------------------------------------------------------------------
    def _judge(self, change: Change) -> ChangeResult:
        entity = change.entity
        model = SYNCED_MODELS.get(entity)
        if model is None:
            return _result(
                change, ChangeStatus.REJECTED, errors.E_UNKNOWN_ENTITY.code, f"Unknown record kind {entity!r}."
            )
        newer = self._newer_from_source(change)
        if newer is not None:
            return self._superseded(change, newer)
        existing = self.session.get(model, change.entity_id)
        old = record_payload(existing) if existing is not None else None
        if change.op == Op.DELETE:
            return self._delete(change, existing, old)
        payload = upgrade_payload(entity, dict(change.payload), change.schema_version)
        if str(payload.get("id", change.entity_id)) != str(change.entity_id):
            return _result(
                change, ChangeStatus.REJECTED, errors.E_PAYLOAD_INVALID.code, "id: differs from the change's entity_id"
            )
        payload["id"] = str(change.entity_id)
        try:
            payload = normalise(entity, payload)
        except (ValidationError, TypeError, ValueError) as exc:
            return _result(change, ChangeStatus.REJECTED, errors.E_PAYLOAD_INVALID.code, f"{entity}: {exc}"[:2000])
        new_scope = self._derive(entity, payload)
        old_scope = self._derive(entity, old) if old is not None else None
        if not may_write(self.actor, entity, "upsert", new_scope, old_scope, old, payload):
            return _result(change, ChangeStatus.REJECTED, errors.E_FORBIDDEN.code, self._forbidden(entity, "change"))
        if old is not None and same_content(old, payload):
            return _result(change, ChangeStatus.APPLIED)
        if (old is not None and self._immutable(entity, old, payload)) or (
            old is None and self._signed_parent(entity, payload)
        ):
            return _result(change, ChangeStatus.REJECTED, errors.E_SIGNED_IMMUTABLE.code)
        refusal = check_change(self.facts, entity, payload, old, actor=self.actor)
        if refusal is not None:
            return _result(change, ChangeStatus.REJECTED, refusal.code, refusal.message)
        if existing is not None:
            if self._pending_here(change.entity_id):
                return self._conflict(change, change.entity_id, existing, payload, "local_edit")
            if not self._follows(existing, change):
                return self._conflict(change, change.entity_id, existing, payload, "concurrent_edit")
        clash = self._key_clash(entity, payload, change.entity_id)
        if clash is not None:
            return self._conflict(change, clash.id, clash, payload, "duplicate_key")
        self._write(model, existing, payload)
        return _result(change, ChangeStatus.APPLIED)

    def _delete(self, change: Change, existing: SyncedRecord | None, old: dict[str, Any] | None) -> ChangeResult:
        if existing is None or old is None:
            return _result(change, ChangeStatus.APPLIED)
        scope = self._derive(change.entity, old)
        if not may_write(self.actor, change.entity, "delete", scope, scope, old, old):
            message = self._forbidden(change.entity, "delete")
            return _result(change, ChangeStatus.REJECTED, errors.E_FORBIDDEN.code, message)
        if (change.entity == "inspection" and old.get("status") == "signed") or self._signed_parent(change.entity, old):
            return _result(change, ChangeStatus.REJECTED, errors.E_SIGNED_IMMUTABLE.code)
        if self._pending_here(change.entity_id) or not self._follows(existing, change):
            return self._conflict(change, change.entity_id, existing, {}, "edit_vs_delete")
        self.session.delete(existing)
        self.session.flush()
        return _result(change, ChangeStatus.APPLIED)

    def _newer_from_source(self, change: Change) -> int | None:
        """The number of a later change of the same record from the same device already applied here (a newer
        bundle imported before an older one), or ``None``."""
        query = (
            select(ImportedChange.seq)
            .where(
                ImportedChange.device_id == self.source.device_id,
                ImportedChange.entity_id == change.entity_id,
                ImportedChange.status == ChangeStatus.APPLIED.value,
                ImportedChange.seq > change.seq,
            )
            .order_by(col(ImportedChange.seq).desc())
        )
        return self.session.exec(query).first()

    def _superseded(self, change: Change, newer: int) -> ChangeResult:
        """Reported, not written: the device's own later value of the record stands."""
        values: dict[str, object] = {"device": self.source.name, "newer": newer, "seq": change.seq}
        english = t("sync.import.superseded", "en", entity=t(f"sync.entity.{change.entity}", "en"), **values)
        chinese = t("sync.import.superseded", "zh", entity=t(f"sync.entity.{change.entity}", "zh"), **values)
        return _result(change, ChangeStatus.REJECTED, errors.E_SUPERSEDED.code, f"{english} / {chinese}")

    def _forbidden(self, entity: str, verb: str) -> str:
        key = f"sync.import.forbidden.{verb}"
        role = self.actor.role.value
        names = {lang: t(f"sync.entity.{entity}", lang) for lang in ("en", "zh")}
        english = t(key, "en", device=self.source.name, role=role, entity=names["en"])
        return f"{english} / {t(key, 'zh', device=self.source.name, role=role, entity=names['zh'])}"

    def _derive(self, entity: str, payload: dict[str, Any]) -> Derived:
        parent = None
        link = PARENT.get(entity)
        if link is not None:
            parent_id = as_uuid(payload.get(link[1]))
            row = self.session.get(SYNCED_MODELS[link[0]], parent_id) if parent_id else None
            if row is not None:
                parent = self._derive(link[0], row.model_dump(mode="json"))
        return derive(entity, payload, parent, self.actor)

    def _signed_parent(self, entity: str, payload: dict[str, Any]) -> bool:
        if entity not in ("answer", "finding"):
            return False
        parent_id = as_uuid(payload.get("inspection_id"))
        parent = self.session.get(Inspection, parent_id) if parent_id else None
        return parent is not None and parent.status == "signed"

    def _immutable(self, entity: str, old: dict[str, Any], new: dict[str, Any]) -> bool:
        if entity == "inspection" and old.get("status") == "signed":
            changed = {k for k in (set(old) | set(new)) - VOLATILE if old.get(k) != new.get(k)}
            return not changed <= SIGNED_MUTABLE
        return self._signed_parent(entity, old)

    def _pending_here(self, record_id: uuid.UUID) -> bool:
        """This laptop's own edit of the record is still waiting to be pushed."""
        query = select(OutboxEntry.seq).where(
            OutboxEntry.entity_id == record_id, OutboxEntry.status == OutboxStatus.PENDING
        )
        return self.session.exec(query).first() is not None

    def _follows(self, existing: SyncedRecord, change: Change) -> bool:
        """Whether the change was made on top of the value held here (else both are kept as a conflict).

        The value here is the last imported change of the record while that import has not reached the server,
        or while the record is still at the version the server gave it: then only the same device follows on.
        Otherwise it is the server's version (pulled), and the change follows when it was made from it or later.
        """
        last = self.session.exec(
            select(ImportedChange)
            .where(ImportedChange.entity_id == change.entity_id, ImportedChange.status == ChangeStatus.APPLIED.value)
            .order_by(col(ImportedChange.applied_at).desc(), col(ImportedChange.seq).desc())
        ).first()
        here = existing.server_version
        if last is not None and (last.server_version is None or here in (None, last.server_version)):
            return last.device_id == self.source.device_id
        base = change.base_version
        return base is not None and here is not None and base >= here

    def _key_clash(self, entity: str, payload: dict[str, Any], record_id: uuid.UUID) -> SyncedRecord | None:
        model = SYNCED_MODELS[entity]
        table = model.__table__  # type: ignore[attr-defined]
        for names in unique_sets(entity):
            values = [payload.get(n) for n in names]
            if any(v is None for v in values):
                continue
            conditions = [table.c[n] == _typed(table.c[n], v) for n, v in zip(names, values, strict=True)]
            query = select(model).where(*conditions, table.c.id != record_id)
            found = self.session.exec(query).first()
            if found is not None:
                return found
        return None

    # -- writing ---------------------------------------------------------------------------------------------
    def _write(self, model: type[SyncedRecord], existing: SyncedRecord | None, payload: dict[str, Any]) -> None:
        data = self._localise(str(model.__tablename__), dict(payload))
        data["server_version"] = existing.server_version if existing is not None else None
        fresh = model.model_validate(data)
        if existing is None:
            self.session.add(fresh)
        else:
            for name in model.model_fields:
                setattr(existing, name, getattr(fresh, name))
            self.session.add(existing)
        self.session.flush()

    def _localise(self, entity: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Point file fields at this laptop's copies of the bundle's files."""
        for name in FILE_FIELDS.get(entity, ()):
            value = payload.get(name)
            if isinstance(value, str) and value in self.paths:
                payload[name] = self.paths[value]
            elif isinstance(value, list):
                payload[name] = [self.paths.get(v, v) if isinstance(v, str) else v for v in value]
        return payload

    def _conflict(
        self,
        change: Change,
        record_id: uuid.UUID,
        here: SyncedRecord,
        payload: dict[str, Any],
        reason: str,
    ) -> ChangeResult:
        kept = LocalConflict(
            entity=change.entity,
            record_id=record_id,
            device_id=self.source.device_id,
            device_name=self.source.name,
            person_code=self.source.person_code,
            change_id=change.change_id,
            base_version=change.base_version,
            local_version=here.server_version,
            local_payload=record_payload(here),
            device_payload=self._localise(change.entity, dict(payload)) if payload else {},
            reason=reason,
            made_at=change.made_at,
        )
        self.session.add(kept)
        self.session.flush()
        key = f"sync.import.conflict.{reason}"
        return ChangeResult(
            change_id=change.change_id,
            seq=change.seq,
            status=ChangeStatus.CONFLICT,
            code="E_CONFLICT",
            message=f"{t(key, 'en', entity=change.entity)} / {t(key, 'zh', entity=change.entity)}",
            conflict_id=kept.id,
        )


def _result(change: Change, status: ChangeStatus, code: str | None = None, message: str | None = None) -> ChangeResult:
    if code and message is None:
        entry = errors.CATALOGUE.get(code)
        message = f"{entry.en} / {entry.zh}" if entry else code
    return ChangeResult(change_id=change.change_id, seq=change.seq, status=status, code=code, message=message or "")


def _typed(column: Any, value: Any) -> Any:
    """A JSON value as the column's Python type (UUIDs arrive as strings)."""
    if isinstance(column.type, sa.Uuid) and isinstance(value, str):
        return uuid.UUID(value)
    return value
