"""Attachments (evidence photos): content-addressed by SHA-256, uploaded in chunks, resumable.

``PUT /attachments/{sha256}?size=N&offset=K`` appends a chunk at ``offset`` (which must equal what the server
already has: ``GET /attachments/{sha256}/status``). When the last byte arrives the content is checked against its
hash; a mismatch discards the upload. Chunks live in the database, so several server hosts share them.

Reading (status, download) follows the pull's visibility: a device may read an attachment when it may see a record
that refers to it (supervisors and auditors: every record; a team leader: their team's; an inspector: their own),
or when it began the upload itself (so an interrupted upload can resume before its record is pushed).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from inspector.models import utcnow
from sync import errors
from sync.errors import SyncProtocolError
from sync.protocol import MAX_CHUNK, AttachmentStatus, DeviceRole
from sync.server import tables
from sync.server.access import Actor
from sync.server.deps import CurrentDevice, SessionDep
from sync.server.routers.pull import visible

router = APIRouter(prefix="/attachments", tags=["attachments"])
Sha = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
MAX_ATTACHMENT = 512 * 1024 * 1024
#: The kinds of record whose payload names files (see ``sync.client.engine.FILE_FIELDS``).
FILE_ENTITIES = ("answer", "finding", "rectificationorder", "rectificationevent")


def status_of(session: Session, sha256: str) -> AttachmentStatus | None:
    row = session.execute(sa.select(tables.attachment).where(tables.attachment.c.sha256 == sha256)).mappings().first()
    if row is None:
        return None
    return AttachmentStatus(sha256=sha256, size=row["size"], received=row["received"], complete=row["complete"])


def may_read_attachment(session: Session, actor: Actor, sha256: str, record: uuid.UUID | None = None) -> bool:
    """Whether ``actor`` may read the attachment: it began the upload, or it may see a record that refers to it.

    ``record`` names such a record (a pulling device knows which one): checked by its key, it spares the search.
    """
    if actor.reads_everything:
        return True
    a = tables.attachment.c
    uploader = session.execute(sa.select(a.device_id).where(a.sha256 == sha256)).scalar_one_or_none()
    if uploader == actor.device_id:
        return True
    r = tables.record.c
    # The refs are a short JSON list per record; the hash is 64 hex digits, so a quoted match is exact.
    refers = sa.cast(r.attachments, sa.Text).contains(f'"{sha256}"')
    if record is not None:
        named = sa.select(r.id).where(r.id == record, r.deleted.is_(False), refers, visible(actor))
        if session.execute(named).first() is not None:
            return True
    query = sa.select(r.id).where(r.entity.in_(FILE_ENTITIES), r.deleted.is_(False), refers, visible(actor)).limit(1)
    return session.execute(query).first() is not None


def _refuse(session: Session) -> SyncProtocolError:
    session.rollback()
    return SyncProtocolError(
        errors.E_FORBIDDEN, "This device may not see any record that uses this attachment.", reason="attachment"
    )


@router.get("/{sha256}/status", response_model=AttachmentStatus)
def status(sha256: Sha, actor: CurrentDevice, session: SessionDep) -> AttachmentStatus:
    """How much of the attachment the server has (``received`` 0 when none).

    An attachment the device may not read answers 403; its upload (``PUT``) still tells where to resume.
    """
    found = status_of(session, sha256)
    if found is not None and not may_read_attachment(session, actor, sha256):
        raise _refuse(session)
    session.rollback()
    return found or AttachmentStatus(sha256=sha256, size=0, received=0, complete=False)


def store_chunk(
    session: Session, sha256: str, size: int, offset: int, data: bytes, device_id: object
) -> AttachmentStatus:
    """Append ``data`` at ``offset`` (the caller commits). Idempotent for a chunk already stored."""
    a = tables.attachment.c
    row = session.execute(sa.select(tables.attachment).where(a.sha256 == sha256)).mappings().first()
    if row is None:
        if offset != 0:
            raise SyncProtocolError(
                errors.E_ATTACHMENT_OFFSET, "The server has no part of this attachment yet.", received=0
            )
        session.execute(
            sa.insert(tables.attachment).values(
                sha256=sha256, size=size, received=0, complete=False, device_id=device_id, created_at=utcnow()
            )
        )
        received, complete = 0, False
    else:
        received, complete = row["received"], row["complete"]
        if row["size"] != size:
            raise SyncProtocolError(
                errors.E_VALIDATION, f"size {size} differs from the size {row['size']} begun earlier."
            )
    if complete:
        return AttachmentStatus(sha256=sha256, size=size, received=size, complete=True)
    if offset != received:
        raise SyncProtocolError(
            errors.E_ATTACHMENT_OFFSET, f"The server has {received} bytes; resume there.", received=received
        )
    if received + len(data) > size:
        raise SyncProtocolError(errors.E_VALIDATION, "The chunk goes past the attachment's size.")
    if data:
        session.execute(sa.insert(tables.attachment_chunk).values(sha256=sha256, offset=offset, data=data))
    received += len(data)
    complete = received == size
    if complete:
        digest = hashlib.sha256()
        for chunk in content_chunks(session, sha256):
            digest.update(chunk)
        if digest.hexdigest() != sha256:
            session.execute(sa.delete(tables.attachment_chunk).where(tables.attachment_chunk.c.sha256 == sha256))
            session.execute(sa.delete(tables.attachment).where(a.sha256 == sha256))
            session.commit()
            raise SyncProtocolError(errors.E_ATTACHMENT_HASH)
    session.execute(sa.update(tables.attachment).where(a.sha256 == sha256).values(received=received, complete=complete))
    return AttachmentStatus(sha256=sha256, size=size, received=received, complete=complete)


def content_chunks(session: Session, sha256: str) -> list[bytes]:
    c = tables.attachment_chunk.c
    return [bytes(d) for d in session.execute(sa.select(c.data).where(c.sha256 == sha256).order_by(c.offset)).scalars()]


@router.put("/{sha256}", response_model=AttachmentStatus)
async def upload(
    sha256: Sha,
    request: Request,
    actor: CurrentDevice,
    size: Annotated[int, Query(ge=0, le=MAX_ATTACHMENT)],
    offset: Annotated[int, Query(ge=0, le=MAX_ATTACHMENT)] = 0,
) -> AttachmentStatus:
    """Append one chunk (raw bytes, at most 4 MiB) at ``offset``."""
    if actor.role == DeviceRole.AUDITOR:
        raise SyncProtocolError(errors.E_FORBIDDEN, "An auditor's device is read-only.")
    data = await request.body()
    if len(data) > MAX_CHUNK:
        raise SyncProtocolError(errors.E_TOO_LARGE, f"A chunk may hold at most {MAX_CHUNK} bytes.")
    from starlette.concurrency import run_in_threadpool

    def work() -> AttachmentStatus:
        with Session(request.app.state.engine) as session:
            found = store_chunk(session, sha256, size, offset, data, actor.device_id)
            session.commit()
            return found

    return await run_in_threadpool(work)


@router.get("/{sha256}", response_class=Response, responses={200: {"content": {"application/octet-stream": {}}}})
def download(
    sha256: Sha,
    actor: CurrentDevice,
    session: SessionDep,
    record: Annotated[uuid.UUID | None, Query(description="A record using it that the device pulled.")] = None,
) -> Response:
    """The attachment's content (complete attachments only), for a device that may see a record using it."""
    found = status_of(session, sha256)
    if found is None or not found.complete:
        session.rollback()
        raise SyncProtocolError(errors.E_NOT_FOUND, "The server has no complete attachment with this hash.")
    if not may_read_attachment(session, actor, sha256, record):
        raise _refuse(session)
    content = b"".join(content_chunks(session, sha256))
    session.rollback()
    return Response(content=content, media_type="application/octet-stream")
