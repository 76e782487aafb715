"""``POST /bundles``: apply a signed bundle carried from a plant without network (same rules as a push)."""

from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import Bundle, BundleResult
from sync.server import ingest
from sync.server.bundles import apply_bundle
from sync.server.deps import SessionDep, SettingsDep, SupervisorDevice

router = APIRouter(prefix="/bundles", tags=["bundles"])


@router.post("", response_model=BundleResult)
def upload_bundle(bundle: Bundle, _actor: SupervisorDevice, session: SessionDep, settings: SettingsDep) -> BundleResult:
    """A supervisor forwards another device's bundle; its changes are authorised as that device's own."""
    ingest.drain(ingest.engine_of(session), bundle.device_id)  # that device's logged batches come before its bundle
    result = apply_bundle(session, bundle, accept_legacy=settings.accept_legacy_bundles)
    session.commit()
    return result
