"""Signed bundles for plants without network: verified with the source device's key, applied as its push.

The signature is HMAC-SHA256 over the bundle's canonical JSON, keyed by :func:`sync.protocol.bundle_key` of the
source device's token hash: the laptop derives it from its token, the server from the hash it stores. Applying is
exactly a push by that device, so importing the same bundle twice changes nothing. A bundle too big for one request
is sent with its files uploaded ahead through the resumable attachment upload and left empty in the JSON; the
server puts them back from its own copies to check the signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync import errors
from sync.errors import SyncProtocolError
from sync.protocol import BUNDLE_FORMAT, DETACHED, Bundle, BundleResult, DeviceRole, bundle_key
from sync.server import tables
from sync.server.access import Actor
from sync.server.apply import BatchApplier, missing_attachments
from sync.server.db import get_meta
from sync.server.devices import resolve_person
from sync.server.routers.attachments import content_chunks, status_of, store_chunk


def sign(bundle: Bundle, key: bytes) -> str:
    return hmac.new(key, bundle.signed_body(), hashlib.sha256).hexdigest()


def with_detached(session: Session, bundle: Bundle) -> Bundle:
    """The bundle as it was signed: a file sent ahead through the resumable upload (``DETACHED`` in the bundle, so a
    big bundle fits a request) is put back from the server's copy before the signature is checked."""
    detached = sorted(sha for sha, content in bundle.attachments.items() if content == DETACHED)
    if not detached:
        return bundle
    missing = [sha for sha in detached if (found := status_of(session, sha)) is None or not found.complete]
    if missing:
        raise SyncProtocolError(
            errors.E_ATTACHMENT_MISSING, "Upload the bundle's attachments before the bundle.", missing=missing
        )
    filled = dict(bundle.attachments)
    for sha in detached:
        filled[sha] = base64.b64encode(b"".join(content_chunks(session, sha))).decode("ascii")
    return bundle.model_copy(update={"attachments": filled})


def apply_bundle(session: Session, bundle: Bundle) -> BundleResult:
    """Verify and apply ``bundle`` (the caller commits)."""
    if bundle.format != BUNDLE_FORMAT:
        raise SyncProtocolError(
            errors.E_BUNDLE_FORMAT, f"The bundle's format is {bundle.format!r}; this server reads {BUNDLE_FORMAT!r}."
        )
    group = get_meta(session, "group") or ""
    if bundle.group and group and bundle.group != group:
        raise SyncProtocolError(errors.E_BUNDLE_GROUP, bundle_group=bundle.group, group=group)
    d = tables.device.c
    row = session.execute(sa.select(tables.device).where(d.id == bundle.device_id)).mappings().first()
    if row is None or row["token_hash"] is None:
        raise SyncProtocolError(errors.E_BUNDLE_SIGNATURE, "The bundle comes from a device this server does not know.")
    if row["revoked_at"] is not None:
        raise SyncProtocolError(errors.E_AUTH_REVOKED, "The bundle's device was revoked; its changes are not applied.")
    expected = sign(with_detached(session, bundle), bundle_key(row["token_hash"]))
    if not hmac.compare_digest(expected, bundle.signature):
        raise SyncProtocolError(errors.E_BUNDLE_SIGNATURE)
    for sha, content_b64 in sorted(bundle.attachments.items()):
        if content_b64 == DETACHED:
            continue  # already here, complete (checked above)
        content = base64.b64decode(content_b64)
        if hashlib.sha256(content).hexdigest() != sha:
            raise SyncProtocolError(errors.E_ATTACHMENT_HASH, f"Attachment {sha[:12]}… in the bundle is damaged.")
        found = status_of(session, sha)
        if found is None or not found.complete:
            offset = found.received if found else 0
            store_chunk(session, sha, len(content), offset, content[offset:], bundle.device_id)
    missing = missing_attachments(session, bundle.changes)
    if missing:
        raise SyncProtocolError(
            errors.E_ATTACHMENT_MISSING, "The bundle lacks attachments its records need.", missing=missing
        )
    person_id, team_id = resolve_person(session, row["person_code"])
    actor = Actor(
        device_id=row["id"],
        name=row["name"],
        role=DeviceRole(row["role"]),
        person_code=row["person_code"],
        person_id=person_id,
        team_id=team_id,
    )
    results = BatchApplier(session, actor).apply(bundle.changes)
    return BundleResult(device_id=bundle.device_id, results=results)
