"""Handing imported bundles to the server at a supervisor's next sync, unchanged and still signed.

The server checks each bundle's signature and applies it as a push by the device that wrote it, so the records
arrive once, attributed to their own device; when that device later syncs directly, its same changes are answered
"duplicate". A bundle is forwarded again after a server restore (another epoch). Local conflicts of a forwarded
change move to the server's own list, where the server (which sees every device) keeps them; one the supervisor
already settled here is settled there as well, keeping the server's value (the supervisor's own choice travels as
the supervisor's own change, pushed right after).
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import col, select

from inspector.models import SYNCED_MODELS, ImportedBundle, ImportedChange, LocalConflict, OutboxEntry, utcnow
from inspector.models.enums import OutboxStatus
from inspector.store import Store
from sync.client.http import SyncClient, SyncError
from sync.protocol import DETACHED, Bundle, BundleResult, ChangeStatus, Resolution, ResolveRequest

#: Answers after which sending the same bundle again cannot help: recorded, reported, not retried.
#: (Too large is one: only the changes themselves can be, as the files go ahead; the records stay here and in
#: their device's outbox.) ``E_BUNDLE_KEY_UNKNOWN`` and ``E_BUNDLE_LEGACY_OFF`` are not: once the device has synced
#: and registered its key, the same (format 2) bundle is accepted, so it is sent again at the next sync.
FINAL = frozenset(
    {
        "E_BUNDLE_SIGNATURE",
        "E_BUNDLE_GROUP",
        "E_BUNDLE_FORMAT",
        "E_BUNDLE_LEGACY",
        "E_AUTH_REVOKED",
        "E_VALIDATION",
        "E_TOO_LARGE",
    }
)


#: A bundle whose files take more than this (base64) is sent with its files uploaded ahead, chunk by chunk.
INLINE_LIMIT = 4 * 1024 * 1024
CHUNK = 1024 * 1024


def send_bundle(client: SyncClient, bundle: Bundle, *, inline_limit: int = INLINE_LIMIT) -> BundleResult:
    """Hand ``bundle`` to the server; big files go ahead through the resumable upload, so any bundle fits a request."""
    if sum(len(content) for content in bundle.attachments.values()) > inline_limit:
        for sha, content in sorted(bundle.attachments.items()):
            upload_content(client, sha, base64.b64decode(content))
        bundle = bundle.model_copy(update={"attachments": dict.fromkeys(bundle.attachments, DETACHED)})
    return client.upload_bundle(bundle)


def upload_content(client: SyncClient, sha: str, data: bytes) -> None:
    """Upload ``data`` from where the server stopped (nothing when it has it all)."""
    status = client.attachment_status(sha)
    if status.complete:
        return
    offset = status.received
    while True:
        try:
            status = client.upload_chunk(sha, len(data), offset, data[offset : offset + CHUNK])
        except SyncError as exc:
            if exc.code != "E_ATTACHMENT_OFFSET":
                raise
            offset = int(exc.detail.get("received", 0))
            continue
        if status.complete:
            return
        offset = status.received


@dataclass
class ForwardReport:
    bundles: int = 0
    changes: int = 0
    errors: list[str] = field(default_factory=list)


def forward_bundles(store: Store, client: SyncClient) -> ForwardReport:
    """Send every imported bundle the server (in its current epoch) has not acknowledged; oldest first."""
    report = ForwardReport()
    with store.session() as session:
        if session.exec(select(ImportedBundle.id)).first() is None:
            return report  # the common case: nothing was ever imported on this laptop
    epoch = client.health().epoch
    with store.session() as session:
        waiting = list(
            session.exec(
                select(ImportedBundle)
                .where(ImportedBundle.forwarded_epoch != epoch)
                .order_by(col(ImportedBundle.imported_at))
            ).all()
        )
    for stored in waiting:
        try:
            bundle = Bundle.model_validate_json(stored.content)
            result = send_bundle(client, bundle)
        except ValidationError as exc:
            _mark(store, stored.id, epoch, f"E_BUNDLE_READ: {exc.errors()[0].get('msg')}", report, stored.device_name)
            continue
        except SyncError as exc:
            if exc.code.startswith("E_AUTH") and not _about_the_bundle(client, exc):
                raise  # this laptop's own token: the whole sync stops with its message
            if exc.code in FINAL:
                _mark(store, stored.id, epoch, f"{exc.code}: {exc.message}", report, stored.device_name)
            else:  # the server failed on it for now: reported, sent again at the next sync, the sync goes on
                report.errors.append(f"{stored.device_name}: {exc.code}: {exc.message}")
            continue
        settle = _record(store, stored.id, bundle, result, epoch)
        report.bundles += 1
        report.changes += len(bundle.changes)
        for conflict_id in settle:
            try:
                client.resolve(conflict_id, ResolveRequest(resolution=Resolution.KEEP_SERVER))
            except SyncError as exc:
                if exc.code != "E_CONFLICT_SETTLED":
                    report.errors.append(f"conflict {conflict_id}: {exc.message}")
    return report


def _about_the_bundle(client: SyncClient, exc: SyncError) -> bool:
    """Whether an ``E_AUTH_*`` answer to a forwarded bundle is about the bundle's device (revoked since the import)
    rather than this laptop's own token: the server answers both with the same code, so this laptop asks who it is.
    Taking it for this laptop's own revocation stopped every later sync of the supervisor at that bundle."""
    if exc.code != "E_AUTH_REVOKED":
        return False
    try:
        client.me()
    except SyncError as own:
        if own.code.startswith("E_AUTH"):
            return False
        raise
    return True


def _mark(store: Store, bundle_id: uuid.UUID, epoch: str, error: str, report: ForwardReport, device: str) -> None:
    with store.session(skip_outbox=True, write=True) as session:
        stored = session.get(ImportedBundle, bundle_id)
        assert stored is not None
        stored.forwarded_epoch = epoch
        stored.forward_error = error[:2000]
        session.add(stored)
        session.commit()
    report.errors.append(f"{device}: {error}")


def _record(store: Store, bundle_id: uuid.UUID, bundle: Bundle, result: BundleResult, epoch: str) -> list[uuid.UUID]:
    """Store the server's answers in one transaction; returns the server conflicts to settle as settled here."""
    by_change = {r.change_id: r for r in result.results}
    settle: list[uuid.UUID] = []
    outbox = OutboxEntry.__table__  # type: ignore[attr-defined]
    with store.session(skip_outbox=True, write=True) as session:
        for change in bundle.changes:
            answer = by_change.get(change.change_id)
            if answer is None:
                continue
            imported = session.get(ImportedChange, (bundle.device_id, change.seq))
            if imported is None or imported.change_id != change.change_id:
                continue
            kept = session.exec(select(LocalConflict).where(LocalConflict.change_id == change.change_id)).all()
            settled_here = any(k.status == "resolved" for k in kept)
            for conflict in kept:
                if conflict.status == "open":
                    conflict.status = "forwarded"  # the server keeps it now, with every device's view
                    session.add(conflict)
                elif conflict.status == "resolved" and answer.status == ChangeStatus.CONFLICT and answer.conflict_id:
                    settle.append(answer.conflict_id)
            taken = answer.status in (ChangeStatus.APPLIED, ChangeStatus.DUPLICATE) and not answer.code
            if not taken or answer.version is None:
                continue
            imported.server_version = answer.version
            session.add(imported)
            if change.entity not in SYNCED_MODELS:
                continue
            if imported.status == ChangeStatus.APPLIED.value:
                # The value here is the device's: it is now that server version.
                row = session.get(SYNCED_MODELS[change.entity], change.entity_id)
                if row is not None and (row.server_version or 0) < answer.version:
                    row.server_version = answer.version
                    session.add(row)
            if imported.status == ChangeStatus.APPLIED.value or settled_here:
                # The supervisor's own pending edits of the record were made (or settled) knowing the device's
                # value: they follow on from its server version instead of colliding with it there.
                session.execute(
                    sa.update(outbox)
                    .where(
                        outbox.c.entity_id == change.entity_id,
                        outbox.c.status == OutboxStatus.PENDING.value,
                        sa.or_(outbox.c.base_version.is_(None), outbox.c.base_version < answer.version),
                    )
                    .values(base_version=answer.version)
                )
        stored = session.get(ImportedBundle, bundle_id)
        assert stored is not None
        stored.forwarded_at = utcnow()
        stored.forwarded_epoch = epoch
        stored.forward_error = ""
        session.add(stored)
        session.commit()
    return settle
