"""``POST /push``: apply a device's ordered batch of changes; the reply is sent only after the commit.

The body is parsed straight from bytes by pydantic-core and the reply serialised the same way: a push carries up
to 2,000 changes, and the generic JSON round trip through Python objects would cost more than applying them.
"""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from sync import errors
from sync.errors import SyncProtocolError
from sync.protocol import MAX_BATCH, PushRequest, PushResponse
from sync.server import tables
from sync.server.access import Actor
from sync.server.apply import BatchApplier, missing_attachments
from sync.server.deps import CurrentDevice, SessionDep

router = APIRouter(tags=["push"])

BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "additionalProperties": False,
                "required": ["changes"],
                "properties": {
                    "changes": {
                        "type": "array",
                        "maxItems": MAX_BATCH,
                        "items": {"$ref": "#/components/schemas/Change"},
                    }
                },
            }
        }
    },
}


def parse_push(body: bytes) -> PushRequest:
    try:
        return PushRequest.model_validate_json(body)
    except ValidationError as exc:
        problems = []
        for item in exc.errors()[:5]:
            where = ".".join(str(p) for p in item.get("loc", ()))
            problems.append(f"body.{where}: {item.get('msg', 'invalid')}" if where else str(item.get("msg", "invalid")))
        raise SyncProtocolError(errors.E_VALIDATION, "; ".join(problems)) from None


def apply_push(request: PushRequest, actor: Actor, session: SessionDep) -> PushResponse:
    """Apply the changes in order (the caller's session; committed here, before the reply)."""
    missing = missing_attachments(session, request.changes)
    if missing:
        session.rollback()
        raise SyncProtocolError(
            errors.E_ATTACHMENT_MISSING,
            f"{len(missing)} attachment(s) are not completely uploaded; upload them and push again.",
            missing=missing,
        )
    results = BatchApplier(session, actor).apply(request.changes)
    last_seq = session.execute(
        sa.select(tables.device.c.last_seq).where(tables.device.c.id == actor.device_id)
    ).scalar_one()
    session.commit()
    return PushResponse(results=results, last_seq=last_seq)


@router.post("/push", response_model=PushResponse, openapi_extra={"requestBody": BODY})
async def push(request: Request, actor: CurrentDevice, session: SessionDep) -> Response:
    """Apply the changes in order. One result per change: applied, duplicate, conflict or rejected."""
    parsed = parse_push(await request.body())
    answer = await run_in_threadpool(apply_push, parsed, actor, session)
    return Response(content=answer.model_dump_json(), media_type="application/json")
