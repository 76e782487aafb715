"""``GET /health``: the server's own JSON (with its epoch), so a captive portal's page is never taken for it."""

from __future__ import annotations

from fastapi import APIRouter

from inspector.models import utcnow
from sync.protocol import PROTOCOL_SCHEMA_VERSION, SERVICE_NAME, Health
from sync.server.db import get_meta, high_water
from sync.server.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(session: SessionDep) -> Health:
    """Who we are, the epoch (changes when the server is restored from a backup) and the committed change sequence."""
    from sync.server.app import VERSION

    answer = Health(
        service=SERVICE_NAME,
        epoch=get_meta(session, "epoch") or "",
        version=VERSION,
        schema_version=PROTOCOL_SCHEMA_VERSION,
        high_water=high_water(session),
        time=utcnow(),
    )
    session.rollback()
    return answer
