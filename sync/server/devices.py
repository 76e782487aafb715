"""Devices: enrolment codes, tokens (shown once, stored hashed), expiry, rotation and revocation."""

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
from sync import errors
from sync.errors import SyncProtocolError
from sync.protocol import BundleKey, BundleKeys, DeviceInfo, DeviceRole, DeviceToken, bundle_key, token_hash
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


def redeem(session: Session, *, code: str, label: str, days: int) -> DeviceToken:
    """Exchange a one-time code for a device token (the code stops working)."""
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


def bundle_keys(session: Session) -> BundleKeys:
    """Every enrolled device's bundle key (supervisors' laptops check bundles with them when offline)."""
    d = tables.device.c
    rows = session.execute(sa.select(tables.device).where(d.token_hash.is_not(None)).order_by(d.created_at)).mappings()
    devices = [
        BundleKey(
            device_id=row["id"],
            name=row["name"],
            role=DeviceRole(row["role"]),
            person_code=row["person_code"],
            key=bundle_key(row["token_hash"]).hex(),
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
