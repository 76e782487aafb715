"""``POST /push``: apply a device's ordered batch of changes; the reply is sent only after the commit.
``POST /push/log``: store a large batch durably as received (applied afterwards, in order; see
:mod:`sync.server.ingest`); ``GET /push/outcomes``: what became of the logged changes.

The body is parsed straight from bytes by pydantic-core and the reply serialised the same way: a push carries up
to 2,000 changes, and the generic JSON round trip through Python objects would cost more than applying them.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from sync import errors
from sync.errors import SyncProtocolError
from sync.protocol import MAX_BATCH, MAX_LOG_BATCH, MAX_PAGE, PushOutcomes, PushReceipt, PushRequest, PushResponse
from sync.server import ingest, tables
from sync.server.access import Actor
from sync.server.apply import BatchApplier, missing_attachments
from sync.server.deps import CurrentDevice, SessionDep

router = APIRouter(tags=["push"])


def _changes_body(max_items: int) -> dict[str, Any]:
    """The OpenAPI request body of a push: a batch of at most ``max_items`` changes (parsed by hand, see below)."""
    return {
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
                            "maxItems": max_items,
                            "items": {"$ref": "#/components/schemas/Change"},
                        }
                    },
                }
            }
        },
    }


BODY = _changes_body(MAX_BATCH)
LOG_BODY = _changes_body(MAX_LOG_BATCH)


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
    # This device's logged batches come first: its changes are applied in the order it sent them.
    ingest.drain(ingest.engine_of(session), actor.device_id)
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


@router.post("/push/log", response_model=PushReceipt, openapi_extra={"requestBody": LOG_BODY})
async def push_log(
    request: Request,
    actor: CurrentDevice,
    session: SessionDep,
    first_seq: Annotated[int, Query(ge=1, description="The batch's first change number.")],
    last_seq: Annotated[int, Query(ge=1, description="The batch's last change number.")],
    count: Annotated[int, Query(ge=1, le=MAX_LOG_BATCH, description="How many changes the batch holds.")],
    schema_version: Annotated[int, Query(ge=1, description="The newest payload schema in the batch.")],
) -> Response:
    """Store the batch (same body as ``/push``) durably as received; reply after the commit.

    Only the header is checked here; the changes are applied afterwards with every rule of ``/push``, in order,
    before this device (or anyone) next reads. Their results come from ``GET /push/outcomes``. Sending the same
    batch again is harmless.
    """
    header = ingest.BatchHeader(first_seq, last_seq, count, schema_version)
    # Hashed while it arrives: the hash then costs nothing after the last byte (it used to take 1-2 ms per MB there).
    digest = hashlib.sha256()
    parts: list[bytes] = []
    async for chunk in request.stream():
        digest.update(chunk)
        parts.append(chunk)
    body = b"".join(parts)
    receipt = await run_in_threadpool(ingest.receive, session, actor, header, body, digest.hexdigest())
    applier = getattr(request.app.state, "applier", None)
    if applier is not None:
        applier.wake()
    return Response(content=receipt.model_dump_json(), media_type="application/json")


def _outcomes(session: SessionDep, actor: Actor, after: int, limit: int) -> PushOutcomes:
    ingest.drain(ingest.engine_of(session), actor.device_id)
    return ingest.outcomes(session, actor, after, limit)


@router.get("/push/outcomes", response_model=PushOutcomes)
async def push_outcomes(
    actor: CurrentDevice,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, description="Answers for change numbers after this one.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 5000,
) -> Response:
    """What became of this device's changes (applied, conflict, rejected), in change-number order.

    The device's logged batches are applied first, so every change received before the call is answered.
    """
    answer = await run_in_threadpool(_outcomes, session, actor, after, limit)
    return Response(content=answer.model_dump_json(), media_type="application/json")
