"""Signed bundles for plants without network: verified with the source device's key, applied as its push.

A format 2 bundle is signed with its laptop's own Ed25519 key and checked with the public key stored on the
device's row (:mod:`sync.bundle_signature`). A device with no key registered yet (enrolled with an older version and
offline since) is known by the bundle's key proof, an HMAC keyed from its token hash that only the server (and the
device) can make now: its key is then registered, once, and from then on only that key speaks for the device.
Format 1 bundles (HMAC keyed from the token hash) are checked the old way, for devices with no key of their own.
Applying is exactly a push by that device, so importing the same bundle twice changes nothing. A bundle too big for one request
is sent with its files uploaded ahead through the resumable attachment upload and left empty in the JSON; the
server puts them back from its own copies to check the signature.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync import bundle_signature, errors
from sync.errors import SyncProtocolError
from sync.protocol import BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, DETACHED, Bundle, BundleResult, DeviceRole
from sync.server import tables
from sync.server.access import Actor
from sync.server.apply import BatchApplier, missing_attachments
from sync.server.db import get_meta
from sync.server.devices import register_key, resolve_person
from sync.server.routers.attachments import content_chunks, status_of, store_chunk


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


def apply_bundle(session: Session, bundle: Bundle, *, accept_legacy: bool = True) -> BundleResult:
    """Verify and apply ``bundle`` (the caller commits).

    ``accept_legacy`` is :attr:`~sync.server.settings.ServerSettings.accept_legacy_bundles`: without it a device
    with no registered key is refused (format 1 bundles and key proofs can be forged from the database)."""
    if not 1 <= bundle.format_version <= BUNDLE_FORMAT_VERSION:
        raise SyncProtocolError(
            errors.E_BUNDLE_FORMAT,
            f"The bundle's format is {bundle.format!r}; this server reads up to {BUNDLE_FORMAT!r}.",
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
    new_key = verify_signature(row, with_detached(session, bundle), accept_legacy=accept_legacy)
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
    if new_key is not None:
        # After the changes: a push takes the write lock before the device's row, and so must this.
        register_key(session, row["id"], new_key)
    return BundleResult(device_id=bundle.device_id, results=results)


def verify_signature(row: Any, bundle: Bundle, *, accept_legacy: bool = True) -> str | None:
    """Check ``bundle`` (its files in place) against its device's ``row``: a typed refusal unless it is genuine.

    Without ``accept_legacy`` only a registered key counts: a format 1 bundle or a key proof (both made from the
    token hash the database holds) of a device with no key is refused with ``E_BUNDLE_LEGACY_OFF``.
    Returns the public key to register for the device when the bundle is the first to show it, with a valid key
    proof (``None`` otherwise)."""
    body = bundle.signed_body()
    if bundle.format_version == 1:
        if row["key_id"] is not None:
            raise SyncProtocolError(errors.E_BUNDLE_LEGACY)
        if not accept_legacy:
            raise SyncProtocolError(errors.E_BUNDLE_LEGACY_OFF)
        expected = bundle_signature.legacy_signature(row["token_hash"], body)
        if not bundle_signature.same(expected, bundle.signature):
            raise SyncProtocolError(errors.E_BUNDLE_SIGNATURE)
        return None
    if row["key_id"] is not None:
        if not bundle_signature.same(row["key_id"], bundle.key_id):
            raise SyncProtocolError(
                errors.E_BUNDLE_SIGNATURE, "The bundle is signed with a key that is not its device's registered key."
            )
        if not bundle_signature.verify(row["public_key"], body, bundle.signature):
            raise SyncProtocolError(errors.E_BUNDLE_SIGNATURE)
        return None
    # No key registered for the device yet: the bundle's own key counts only with a proof made from its token.
    if not accept_legacy:
        raise SyncProtocolError(errors.E_BUNDLE_LEGACY_OFF)
    try:
        named = bundle_signature.key_id(bundle.public_key)
    except bundle_signature.BadKey:
        raise SyncProtocolError(errors.E_BUNDLE_SIGNATURE, "The bundle's public key is not valid.") from None
    proof = bundle_signature.key_proof(row["token_hash"], row["id"], bundle.public_key)
    if named != bundle.key_id or not bundle.key_proof or not bundle_signature.same(proof, bundle.key_proof):
        raise SyncProtocolError(errors.E_BUNDLE_KEY_UNKNOWN)
    if not bundle_signature.verify(bundle.public_key, body, bundle.signature):
        raise SyncProtocolError(errors.E_BUNDLE_SIGNATURE)
    return bundle.public_key
