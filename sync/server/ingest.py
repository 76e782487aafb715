"""The push log: a large batch is stored durably as received, then applied with every rule of a push, in order.

``POST /push/log`` checks the batch's header (device, change-number range, count, schema version, size), stores
the request body as it came as ONE row of ``push_log`` together with the device's received high-water mark, and
answers "received" after that commit. Nothing per change happens on that path, so a device's backlog reaches the
server at close to the speed of the network.

Applying is separate (:func:`drain`): under the server-wide write lock the oldest logged batch is claimed, parsed
and its next chunk (:data:`CHUNK` changes) applied by :class:`~sync.server.apply.BatchApplier` exactly as a
``POST /push`` would (idempotency, order, authorisation, versions, conflicts, rejections, audit); how far the batch
got (``applied_upto``) is stored, or the row deleted after its last change, in that same transaction. The lock is
held for one chunk, never for a whole backlog, so a small ``/push`` (applied inline under the same lock) or another
device's batch gets in between. Batches are applied in the order they were received (per device, receipt order is
the device's order: one device's receipts are serialised by its ``device_received`` row lock). Appliers:

* a background thread in every server process (:class:`BackgroundApplier`), which lets a device's upload pause for
  a moment before it starts (so applying does not compete with the upload it follows) and then takes one chunk of
  each waiting device in turn (:func:`apply_round`), so a 100,000-change backlog never holds up another device's
  small batch for more than a round;
* each device for itself: its pull, its ``POST /push`` (before it applies), its outcomes and a bundle forwarded for
  it first apply that device's own logged batches (read-your-writes, and its changes keep their order). Nobody
  waits for another device's backlog: a pull or a conflict list reads what is applied so far, and the conflict
  list says how many received changes are still waiting (:func:`waiting_changes`).

Why a pull may skip other devices' waiting batches without ever missing them: a record's cursor position is its
``log_seq``, handed out when a change is *applied* (not when it was received), under the write lock, from the
counter that the same transaction advances (``set_high_water``) and commits. A pull reads the committed counter
``hw`` first and then the records with ``log_seq <= hw``; every writer that committed positions up to ``hw`` had
committed before that read (it held the lock until its commit), so the records are visible, and every writer that
commits later took the lock later and numbers from above ``hw``. A batch applied after a pull therefore lands
above every cursor already served and is delivered by the next pull, once (a record changed again moves to its new
position, so a pull sees its newest version, never the same version twice). Conflicts are judged by versions in the
same way: a settle that takes the device's or a merged value writes a new version made by the supervisor's device,
so a waiting change to that record, made from an older version, is applied later as a new conflict, never a silent
overwrite; keeping the server's value writes nothing, so a waiting change made from that current version is an
ordinary edit of it (and one made from an older version is again a conflict).

The server-wide write lock serialises appliers (and ``log_seq`` stays in commit order), so claiming the oldest row
under it needs no ``SKIP LOCKED``: skipping a locked batch would let a device's next batch overtake it.

A batch that cannot be read, or whose header lies, is answered (``push_failure``) for its whole range; a change the
applier fails on is isolated by halving the batch in savepoints, and only that change is answered as failed, so it
never blocks the ones behind it.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from inspector.models import utcnow
from sync import errors
from sync.errors import SyncProtocolError
from sync.protocol import (
    MAX_BATCH,
    MAX_LOG_BATCH,
    PROTOCOL_SCHEMA_VERSION,
    Change,
    ChangeResult,
    ChangeStatus,
    DeviceRole,
    LoggedBatch,
    PushFailure,
    PushOutcomes,
    PushReceipt,
)
from sync.server import tables
from sync.server.access import Actor
from sync.server.apply import BatchApplier, check_batch, missing_attachments
from sync.server.db import lock_writes
from sync.server.devices import resolve_person

log = logging.getLogger("inspector.server.ingest")

#: A device's upload must have paused this long before the background applier starts on its batches…
QUIET_SECONDS = 0.3
#: …unless its oldest waiting batch is this old.
MAX_WAIT_SECONDS = 5.0
#: How often the background applier looks for work it was not told about (batches received by another process).
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class BatchHeader:
    """What a device says about the batch it logs; checked on receipt, and against the body when it is applied."""

    first_seq: int
    last_seq: int
    count: int
    schema_version: int

    def check(self, size: int) -> None:
        if self.count < 1 or self.count > MAX_LOG_BATCH:
            raise SyncProtocolError(errors.E_VALIDATION, f"count: a batch holds 1 to {MAX_LOG_BATCH} changes.")
        if self.first_seq < 1 or self.last_seq < self.first_seq:
            raise SyncProtocolError(
                errors.E_VALIDATION, "first_seq/last_seq: not an ascending range of change numbers."
            )
        if self.last_seq - self.first_seq + 1 < self.count:
            raise SyncProtocolError(errors.E_VALIDATION, "count: more changes than numbers in first_seq..last_seq.")
        if self.schema_version < 1:
            raise SyncProtocolError(errors.E_VALIDATION, "schema_version: must be 1 or more.")
        if self.schema_version > PROTOCOL_SCHEMA_VERSION:
            raise SyncProtocolError(
                errors.E_SCHEMA_TOO_NEW,
                f"The batch uses data format {self.schema_version}; this server knows up to "
                f"{PROTOCOL_SCHEMA_VERSION}. Update the server; nothing was dropped.",
                schema_version=self.schema_version,
            )
        if size < 2:
            raise SyncProtocolError(errors.E_VALIDATION, "body: empty.")


def _insert(session: Session, table: sa.Table) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def receive(
    session: Session, actor: Actor, header: BatchHeader, body: bytes, body_sha256: str | None = None
) -> PushReceipt:
    """Store ``body`` as one logged batch of ``actor``'s device and commit (idempotent by device, range and hash).

    ``body_sha256`` is the body's SHA-256 when the caller already hashed it while it arrived.
    """
    header.check(len(body))
    now = utcnow()
    # The device's row first: it is locked until the commit, so one device's batches are stored one at a time, in
    # the order they arrive (their ids are that order).
    dr = tables.device_received
    upsert = _insert(session, dr).values(device_id=actor.device_id, received_seq=header.last_seq, received_at=now)
    upsert = upsert.on_conflict_do_update(
        index_elements=[dr.c.device_id],
        set_={
            "received_seq": sa.case((dr.c.received_seq < header.last_seq, header.last_seq), else_=dr.c.received_seq),
            "received_at": now,
        },
    )
    received = session.execute(upsert.returning(dr.c.received_seq)).scalar_one()
    digest = body_sha256 or hashlib.sha256(body).hexdigest()
    stored = session.execute(
        _insert(session, tables.push_log)
        .values(
            device_id=actor.device_id,
            first_seq=header.first_seq,
            last_seq=header.last_seq,
            count=header.count,
            schema_version=header.schema_version,
            body_sha256=digest,
            body=body,
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=["device_id", "first_seq", "last_seq", "body_sha256"])
        .returning(tables.push_log.c.id)
    ).scalar()
    session.commit()
    return PushReceipt(
        first_seq=header.first_seq, last_seq=header.last_seq, duplicate=stored is None, received_seq=int(received)
    )


# -- applying --------------------------------------------------------------------------------------------------
def _actor_of(session: Session, device_id: uuid.UUID) -> Actor | None:
    """The device as it is now (a device revoked after its batch was received still has the batch applied)."""
    row = session.execute(sa.select(tables.device).where(tables.device.c.id == device_id)).mappings().first()
    if row is None:
        return None
    person_id, team_id = resolve_person(session, row["person_code"])
    return Actor(
        device_id=row["id"],
        name=row["name"],
        role=DeviceRole(row["role"]),
        person_code=row["person_code"],
        person_id=person_id,
        team_id=team_id,
    )


def _fail(session: Session, device_id: uuid.UUID, first: int, last: int, error: SyncProtocolError) -> None:
    session.execute(
        sa.insert(tables.push_failure).values(
            device_id=device_id,
            first_seq=first,
            last_seq=last,
            code=error.error.code,
            message=error.message[:2000],
            at=utcnow(),
        )
    )


def _parse(body: bytes, header: BatchHeader) -> list[Change]:
    """The batch's changes in the device's order, checked against what its header announced."""
    try:
        changes = LoggedBatch.model_validate_json(body).changes
    except ValidationError as exc:
        problems = []
        for item in exc.errors()[:5]:
            where = ".".join(str(p) for p in item.get("loc", ()))
            problems.append(f"body.{where}: {item.get('msg', 'invalid')}" if where else str(item.get("msg", "invalid")))
        raise SyncProtocolError(errors.E_VALIDATION, "; ".join(problems)) from None
    changes.sort(key=lambda c: c.seq)  # the device's order is its numbering, whatever order the body used
    if len(changes) != header.count:
        raise SyncProtocolError(
            errors.E_VALIDATION, f"The batch announced {header.count} changes and holds {len(changes)}."
        )
    if changes[0].seq < header.first_seq or changes[-1].seq > header.last_seq:
        raise SyncProtocolError(
            errors.E_VALIDATION,
            f"The batch announced changes {header.first_seq}..{header.last_seq} and holds "
            f"{changes[0].seq}..{changes[-1].seq}.",
        )
    return changes


#: SQLSTATE classes of a lost connection or a transaction the database gave up on (a later try succeeds):
#: connection exception, transaction rollback (serialization failure, deadlock), operator intervention (shutdown),
#: insufficient resources (a full disk, out of memory: the batch stays logged until the operator has made room).
TRANSIENT_SQLSTATES = ("08", "40", "57P", "53")
#: SQLite's result codes of a database busy, locked or unreadable right now.
TRANSIENT_SQLITE = frozenset({5, 6, 10, 14})  # SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CANTOPEN


def connection_lost(exc: sa.exc.OperationalError) -> bool:
    """Whether the database went away (or gave the transaction up) rather than failing on this change: a
    statement timeout, say, fails the same way every time and is isolated like any other failure."""
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if isinstance(sqlstate, str) and sqlstate:
        return sqlstate.startswith(TRANSIENT_SQLSTATES)
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in TRANSIENT_SQLITE
    return True  # nothing tells what happened: keep the batch logged rather than fail a change for it


def _failed(session: Session, actor: Actor, change: Change, exc: Exception) -> None:
    """Answer one change the server failed on as failed (the device keeps it to send again)."""
    log.exception("change %s of device %s failed; answered as failed", change.seq, actor.device_id, exc_info=exc)
    failure = SyncProtocolError(
        errors.E_INTERNAL, f"The server failed on this change ({type(exc).__name__}); it is kept on the device."
    )
    _fail(session, actor.device_id, change.seq, change.seq, failure)


def _apply_isolating(session: Session, actor: Actor, changes: list[Change]) -> None:
    """Apply ``changes`` in a savepoint; if the server fails on them, halve until the failing change is alone."""
    try:
        with session.begin_nested():
            BatchApplier(session, actor).apply(changes)
        return
    except sa.exc.OperationalError as exc:
        if connection_lost(exc):
            raise  # the database went away: the batch stays logged and is applied later
        if len(changes) == 1:
            _failed(session, actor, changes[0], exc)
            return
    except SyncProtocolError:
        raise
    except Exception as exc:
        if len(changes) == 1:
            _failed(session, actor, changes[0], exc)
            return
    half = len(changes) // 2
    _apply_isolating(session, actor, changes[:half])
    _apply_isolating(session, actor, changes[half:])


#: Changes applied per transaction. The write lock is held for one chunk (a few hundred milliseconds), so a small
#: ``/push``, a settle or another device's batch waits for at most one chunk, never for a whole backlog.
CHUNK = MAX_BATCH

#: Parsed bodies of batches being applied (by row id and hash): a 10,000-change batch is parsed once, not per chunk.
#: A few are kept because the background applier takes one chunk of each waiting device in turn.
_PARSED_KEEP = 4
_parsed: OrderedDict[tuple[int, str], list[Change]] = OrderedDict()
_parsed_lock = threading.Lock()


def _changes_of(session: Session, row: sa.RowMapping, header: BatchHeader) -> list[Change]:
    key = (int(row["id"]), str(row["body_sha256"]))
    with _parsed_lock:
        found = _parsed.get(key)
        if found is not None:
            _parsed.move_to_end(key)
            return found
    body = session.execute(sa.select(tables.push_log.c.body).where(tables.push_log.c.id == row["id"])).scalar_one()
    changes = _parse(bytes(body), header)
    with _parsed_lock:
        _parsed[key] = changes
        while len(_parsed) > _PARSED_KEEP:
            _parsed.popitem(last=False)
    return changes


def _forget(row: sa.RowMapping) -> None:
    with _parsed_lock:
        _parsed.pop((int(row["id"]), str(row["body_sha256"])), None)


def _apply_chunk(session: Session, row: sa.RowMapping) -> None:
    """Apply the next chunk of one claimed batch inside the caller's transaction (holding the write lock), then
    record how far the batch got, or delete it after its last change (in the same transaction)."""
    header = BatchHeader(row["first_seq"], row["last_seq"], row["count"], row["schema_version"])
    device_id = row["device_id"]
    done: int | None = row["applied_upto"]
    p = tables.push_log.c
    chunk: list[Change] = []
    finished = True
    try:
        actor = _actor_of(session, device_id)
        if actor is None:
            raise SyncProtocolError(errors.E_AUTH_INVALID, "The batch's device is no longer known to this server.")
        changes = _changes_of(session, row, header)
        start = 0
        if done is None:  # before its first chunk, what concerns the batch as a whole (nothing applied if it fails)
            check_batch(changes)
            missing = missing_attachments(session, changes)
            if missing:
                raise SyncProtocolError(
                    errors.E_ATTACHMENT_MISSING,
                    f"{len(missing)} attachment(s) are not completely uploaded; the changes are sent again.",
                )
        else:
            start = bisect.bisect_right(changes, done, key=lambda c: c.seq)
        chunk = changes[start : start + CHUNK]
        finished = start + CHUNK >= len(changes)
        with session.begin_nested():
            _apply_isolating(session, actor, chunk)
    except SyncProtocolError as exc:  # the rest of the batch can not be applied: answered for its whole rest
        _fail(session, device_id, header.first_seq if done is None else done + 1, header.last_seq, exc)
        finished = True
    if finished:
        session.execute(sa.delete(tables.push_log).where(p.id == row["id"]))
        _forget(row)
    else:
        session.execute(sa.update(tables.push_log).where(p.id == row["id"]).values(applied_upto=chunk[-1].seq))


#: A claimed batch's columns but its body (read only when it is not parsed already).
_CLAIMED = [c for c in tables.push_log.c if c.name != "body"]


def apply_next(engine: Engine, *, device_id: uuid.UUID | None = None, upto: int | None = None) -> bool:
    """Apply the next chunk of the oldest logged batch (of ``device_id``; with id up to ``upto``) in one transaction
    under the write lock. False when no batch is left."""
    p = tables.push_log.c
    with Session(engine) as session:
        lock_writes(session)
        query = sa.select(*_CLAIMED).order_by(p.id).limit(1)
        if device_id is not None:
            query = query.where(p.device_id == device_id)
        if upto is not None:
            query = query.where(p.id <= upto)
        row = session.execute(query).mappings().first()
        if row is None:
            session.rollback()
            return False
        _apply_chunk(session, row)
        session.commit()
    return True


def engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def drain(engine: Engine, device_id: uuid.UUID | None = None) -> int:
    """Apply every batch logged so far (of ``device_id``, or of every device); returns how many chunks it took.

    Each chunk is its own transaction, so other writers get the lock in between. Batches received while this runs
    are left to the next drain, so a caller waits only for what was acknowledged before it asked. Costs one indexed
    look-up when nothing is waiting.
    """
    p = tables.push_log.c
    with Session(engine) as session:
        query = sa.select(sa.func.max(p.id))
        if device_id is not None:
            query = query.where(p.device_id == device_id)
        upto = session.execute(query).scalar()
        session.rollback()
    if upto is None:
        return 0
    chunks = 0
    while apply_next(engine, device_id=device_id, upto=upto):
        chunks += 1
    return chunks


def waiting_changes(session: Session) -> int:
    """How many received changes (of every device) are still waiting to be applied."""
    p = tables.push_log.c
    left = sa.case(
        (p.applied_upto.is_(None), p.count),
        (p.last_seq - p.applied_upto < p.count, p.last_seq - p.applied_upto),
        else_=p.count,
    )
    return int(session.execute(sa.select(sa.func.coalesce(sa.func.sum(left), 0))).scalar_one())


def outcomes(session: Session, actor: Actor, after: int, limit: int) -> PushOutcomes:
    """This device's answered changes numbered after ``after`` (call :func:`drain` for the device first)."""
    a = tables.applied_change.c
    rows = session.execute(
        sa.select(a.change_id, a.seq, a.status, a.version, a.code, a.message, a.conflict_id)
        .where(a.device_id == actor.device_id, a.seq > after)
        .order_by(a.seq)
        .limit(limit)
    ).all()
    more = len(rows) == limit
    upto = rows[-1].seq if more else None
    f = tables.push_failure.c
    failure_query = sa.select(f.first_seq, f.last_seq, f.code, f.message).where(
        f.device_id == actor.device_id, f.last_seq > after
    )
    if upto is not None:
        failure_query = failure_query.where(f.first_seq <= upto)
    failures = [
        PushFailure(first_seq=r.first_seq, last_seq=r.last_seq, code=r.code, message=r.message)
        for r in session.execute(failure_query.order_by(f.id))
    ]
    p = tables.push_log.c
    pending = session.execute(sa.select(p.id).where(p.device_id == actor.device_id).limit(1)).first() is not None
    session.rollback()
    results = [
        ChangeResult(
            change_id=r.change_id,
            seq=r.seq,
            status=ChangeStatus(r.status),
            version=r.version,
            code=r.code,
            message=r.message or "",
            conflict_id=r.conflict_id,
        )
        for r in rows
    ]
    return PushOutcomes(results=results, failures=failures, more=more, pending=pending)


# -- the background applier ------------------------------------------------------------------------------------
def ready_devices(engine: Engine) -> tuple[list[uuid.UUID], bool]:
    """Devices whose upload paused (or whose oldest batch waited long enough); and whether others are waiting."""
    p = tables.push_log.c
    now = utcnow()
    with Session(engine) as session:
        rows = session.execute(
            sa.select(p.device_id, sa.func.min(p.received_at), sa.func.max(p.received_at)).group_by(p.device_id)
        ).all()
        session.rollback()
    ready, waiting = [], False
    for device_id, oldest, newest in rows:
        if now - newest >= timedelta(seconds=QUIET_SECONDS) or now - oldest >= timedelta(seconds=MAX_WAIT_SECONDS):
            ready.append(device_id)
        else:
            waiting = True
    return ready, waiting


def apply_round(engine: Engine, devices: list[uuid.UUID]) -> bool:
    """One chunk of each device's oldest batch, in turn (each device's own batches stay in order); whether any was
    left to apply. A device's 100,000-change backlog thus costs every other device one chunk per round, not all of it."""
    applied = False
    for device_id in devices:
        applied = apply_next(engine, device_id=device_id) or applied
    return applied


class BackgroundApplier:
    """A thread applying logged batches in this server process (every process runs one; they share the lock).

    It takes the ready devices in rounds (:func:`apply_round`), one chunk each, and looks again after every round,
    so a device whose batch arrived in the middle of someone's long backlog waits for a round, not for the backlog.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._passes = threading.Condition()
        self._passes_done = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="push-log-applier", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def wait_idle(self, timeout: float) -> bool:
        """Wake the thread and wait until a pass that began after this call found nothing more it may apply."""
        with self._passes:
            target = self._passes_done + 2  # the pass under way may have begun before the call
            self._wake.set()
            return self._passes.wait_for(lambda: self._passes_done >= target, timeout)

    def _pass(self) -> bool:
        """Apply in rounds until no ready device has a batch left; whether another device is still uploading."""
        while True:
            ready, waiting = ready_devices(self.engine)
            if not ready or self._stop.is_set() or not apply_round(self.engine, ready):
                return waiting

    def _run(self) -> None:
        timeout = POLL_SECONDS
        while not self._stop.is_set():
            self._wake.wait(timeout)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                timeout = QUIET_SECONDS if self._pass() else POLL_SECONDS
            except Exception:  # the database may be restarting: log, and try again on the next round
                log.exception("applying logged batches failed; trying again")
                timeout = POLL_SECONDS
                time.sleep(0.1)
            with self._passes:
                self._passes_done += 1
                self._passes.notify_all()
