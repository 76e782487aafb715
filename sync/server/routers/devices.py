"""Enrolment (a one-time code for a device token), the calling device, its bundle-signing key, rotation."""

from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import BundleKeys, DeviceInfo, DeviceToken, EnrollRequest, PublicKeyRequest, RegisteredKey
from sync.server import devices as registry
from sync.server import tables
from sync.server.deps import CurrentDevice, SessionDep, SettingsDep, SupervisorDevice

router = APIRouter(prefix="/devices", tags=["devices"])


@router.post("/enroll", response_model=DeviceToken)
def enroll(request: EnrollRequest, session: SessionDep, settings: SettingsDep) -> DeviceToken:
    """Exchange a one-time enrolment code for this device's token (shown once; the server keeps only its hash)."""
    token = registry.redeem(
        session,
        code=request.code,
        label=request.device_label,
        days=settings.token_days,
        public_key=request.public_key,
    )
    session.commit()
    return token


@router.get("/me", response_model=DeviceInfo)
def me(actor: CurrentDevice, session: SessionDep) -> DeviceInfo:
    """The calling device as the server sees it."""
    row = registry.find_device(session, str(actor.device_id))
    session.rollback()
    assert row is not None  # authenticated a moment ago
    return registry.info(row)


@router.put("/me/public-key", response_model=RegisteredKey)
def register_public_key(request: PublicKeyRequest, actor: CurrentDevice, session: SessionDep) -> RegisteredKey:
    """Register this device's Ed25519 bundle-signing key (a laptop enrolled before keys existed does so at its
    next sync). Once per device: the same key again is fine, another one is refused with ``E_DEVICE_KEY_TAKEN``."""
    registered = registry.register_key(session, actor.device_id, request.public_key)
    session.commit()
    return registered


@router.post("/me/rotate", response_model=DeviceToken)
def rotate(actor: CurrentDevice, session: SessionDep, settings: SettingsDep) -> DeviceToken:
    """A new token for this device; the old one stops working at once."""
    token = registry.rotate(session, actor, days=settings.token_days)
    session.commit()
    return token


@router.get("", response_model=list[DeviceInfo])
def list_all(_actor: SupervisorDevice, session: SessionDep) -> list[DeviceInfo]:
    """Every device (supervisors only)."""
    found = registry.list_devices(session)
    session.rollback()
    return found


@router.get("/bundle-keys", response_model=BundleKeys)
def bundle_keys(_actor: SupervisorDevice, session: SessionDep) -> BundleKeys:
    """Every enrolled device's public bundle key, so a supervisor's laptop can check bundles where there is no
    network (supervisors only; a public key checks a device's bundles, it cannot sign one or call the server)."""
    found = registry.bundle_keys(session)
    session.rollback()
    return found


__all__ = ["router", "tables"]
