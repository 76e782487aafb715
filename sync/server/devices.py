"""Devices: enrolment codes, tokens (shown once, stored hashed), expiry, rotation and revocation, and each
device's public bundle-signing key (set once per device; see :mod:`sync.bundle_signature`)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspector.models import utcnow
from sync import bundle_signature, errors
from sync.errors import SyncProtocolError
from sync.protocol import BundleKey, BundleKeys, DeviceInfo, DeviceRole, DeviceToken, RegisteredKey, token_hash
from sync.server import tables
from sync.server.access import Actor, as_uuid
from sync.server.apply import natural_keys
from sync.server.db import get_meta

#: Enrolment codes avoid look-alike characters (0/O, 1/I/L) because people type them from a screen.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TOKEN_PREFIX = "insp_"


@dataclass(frozen=True)
class Enrolment:
    device_id: uuid.UUID
    name: str
    role: DeviceRole
    code: str


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _code_hash(code: str) -> str:
    return hashlib.sha256(("enrol:" + normalise_code(code)).encode()).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def new_token() -> str:
    """256 random bits, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def create_enrolment(
    session: Session, *, name: str, role: DeviceRole, person_code: str | None, hours: int
) -> Enrolment:
    """Register a device and return its one-time enrolment code (the caller commits)."""
    code = new_code()
    device_id = uuid.uuid4()
    now = utcnow()
    session.execute(
        sa.insert(tables.device).values(
            id=device_id,
            name=name,
            role=role.value,
            person_code=person_code,
            enroll_code_hash=_code_hash(code),
            enroll_expires_at=now + timedelta(hours=hours),
            created_at=now,
        )
    )
    return Enrolment(device_id, name, role, code)


def checked_key(public_key: str) -> str:
    """The id of ``public_key``, once it is a valid Ed25519 public key; a typed 422 otherwise."""
    try:
        bundle_signature.public_key(public_key)
        return bundle_signature.key_id(public_key)
    except bundle_signature.BadKey as exc:
        raise SyncProtocolError(errors.E_DEVICE_KEY_INVALID, f"{errors.E_DEVICE_KEY_INVALID.en} ({exc})") from exc


def redeem(session: Session, *, code: str, label: str, days: int, public_key: str | None = None) -> DeviceToken:
    """Exchange a one-time code for a device token (the code stops working); ``public_key`` is the laptop's
    bundle-signing key (old clients send none and register one at their next sync)."""
    key = checked_key(public_key) if public_key is not None else None
    d = tables.device.c
    found = session.execute(sa.select(tables.device).where(d.enroll_code_hash == _code_hash(code))).mappings().first()
    now = utcnow()
    if (
        found is None
        or found["revoked_at"] is not None
        or (found["enroll_expires_at"] and found["enroll_expires_at"] < now)
    ):
        raise SyncProtocolError(errors.E_ENROLL_CODE)
    token = new_token()
    expires = now + timedelta(days=days)
    session.execute(
        sa.update(tables.device)
        .where(d.id == found["id"])
        .values(
            token_hash=token_hash(token),
            token_expires_at=expires,
            enroll_code_hash=None,
            enroll_expires_at=None,
            enrolled_at=now,
            label=label[:200],
            public_key=public_key,
            key_id=key,
            key_registered_at=now if key else None,
        )
    )
    return DeviceToken(
        device_id=found["id"],
        token=token,
        name=found["name"],
        role=DeviceRole(found["role"]),
        person_code=found["person_code"],
        expires_at=expires,
        epoch=get_meta(session, "epoch") or "",
        group=get_meta(session, "group") or "",
    )


def rotate(session: Session, actor: Actor, *, days: int) -> DeviceToken:
    """A new token for the calling device; the old one stops working at once."""
    token = new_token()
    expires = utcnow() + timedelta(days=days)
    session.execute(
        sa.update(tables.device)
        .where(tables.device.c.id == actor.device_id)
        .values(token_hash=token_hash(token), token_expires_at=expires)
    )
    return DeviceToken(
        device_id=actor.device_id,
        token=token,
        name=actor.name,
        role=actor.role,
        person_code=actor.person_code,
        expires_at=expires,
        epoch=get_meta(session, "epoch") or "",
        group=get_meta(session, "group") or "",
    )


def register_key(session: Session, device_id: uuid.UUID, public_key: str) -> RegisteredKey:
    """Keep ``public_key`` as the device's bundle-signing key: once per device. The same key again is a harmless
    retry; another key, once one is held, is refused (``E_DEVICE_KEY_TAKEN``). The caller commits."""
    key = checked_key(public_key)
    d = tables.device.c
    # Only where none is held yet, so of two concurrent registrations exactly one wins.
    session.execute(
        sa.update(tables.device)
        .where(d.id == device_id, d.public_key.is_(None))
        .values(public_key=public_key, key_id=key, key_registered_at=utcnow())
    )
    held = session.execute(sa.select(d.public_key, d.key_id).where(d.id == device_id)).first()
    if held is None:
        raise SyncProtocolError(errors.E_NOT_FOUND)
    if held.key_id != key:
        raise SyncProtocolError(errors.E_DEVICE_KEY_TAKEN, key_id=held.key_id)
    return RegisteredKey(device_id=device_id, key_id=key, public_key=public_key)


def bundle_keys(session: Session) -> BundleKeys:
    """Every enrolled device's public bundle key (supervisors' laptops check bundles with them when offline).

    Public halves only: nothing in the list lets its holder sign a bundle, or call the server."""
    d = tables.device.c
    rows = session.execute(sa.select(tables.device).where(d.token_hash.is_not(None)).order_by(d.created_at)).mappings()
    devices = [
        BundleKey(
            device_id=row["id"],
            name=row["name"],
            role=DeviceRole(row["role"]),
            person_code=row["person_code"],
            public_key=row["public_key"],
            key_id=row["key_id"],
            revoked=row["revoked_at"] is not None,
        )
        for row in rows
    ]
    return BundleKeys(group=get_meta(session, "group") or "", devices=devices)


def find_device(session: Session, name_or_id: str) -> dict[str, Any] | None:
    d = tables.device.c
    device_id = as_uuid(name_or_id)
    condition = d.id == device_id if device_id is not None else d.name == name_or_id
    rows = session.execute(sa.select(tables.device).where(condition)).mappings().all()
    if len(rows) > 1:
        rows = [r for r in rows if r["revoked_at"] is None] or rows
    return dict(rows[0]) if rows else None


def revoke(session: Session, device_id: uuid.UUID) -> None:
    session.execute(
        sa.update(tables.device)
        .where(tables.device.c.id == device_id)
        .values(revoked_at=utcnow(), enroll_code_hash=None)  # the hash stays: a revoked token is told so
    )


def list_devices(session: Session) -> list[DeviceInfo]:
    rows = session.execute(sa.select(tables.device).order_by(tables.device.c.created_at)).mappings()
    return [info(row) for row in rows]


def info(row: Any) -> DeviceInfo:
    return DeviceInfo(
        device_id=row["id"],
        name=row["name"],
        role=DeviceRole(row["role"]),
        person_code=row["person_code"],
        enrolled=row["enrolled_at"] is not None,
        revoked=row["revoked_at"] is not None,
        expires_at=row["token_expires_at"],
        last_seq=row["last_seq"],
        last_seen_at=row["last_seen_at"],
    )


def authenticate(session: Session, token: str) -> Actor:
    """The device behind ``token``, resolved to its person and team; a typed 401 otherwise."""
    d = tables.device.c
    row = session.execute(sa.select(tables.device).where(d.token_hash == token_hash(token))).mappings().first()
    if row is None:
        raise SyncProtocolError(errors.E_AUTH_INVALID)
    if row["revoked_at"] is not None:
        raise SyncProtocolError(errors.E_AUTH_REVOKED)
    if row["token_expires_at"] is not None and row["token_expires_at"] < utcnow():
        raise SyncProtocolError(errors.E_AUTH_EXPIRED)
    person_id, team_id = resolve_person(session, row["person_code"])
    return Actor(
        device_id=row["id"],
        name=row["name"],
        role=DeviceRole(row["role"]),
        person_code=row["person_code"],
        person_id=person_id,
        team_id=team_id,
    )


def resolve_person(session: Session, code: str | None) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The roster person with ``code`` (and their team), from the synced roster."""
    if not code:
        return None, None
    keys = natural_keys("person", {"code": code})
    k = tables.record_key.c
    record_id = session.execute(sa.select(k.record_id).where(k.entity == "person", k.key_hash.in_(keys))).scalar()
    if record_id is None:
        return None, None
    payload = session.execute(sa.select(tables.record.c.payload).where(tables.record.c.id == record_id)).scalar()
    team = as_uuid(payload.get("team_id")) if payload else None
    return record_id, team
