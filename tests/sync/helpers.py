"""Helpers of the sync tests: server-side counts, outbox states, fault-injecting transports."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from inspector.models import OutboxEntry
from inspector.store import Store
from sync.server import tables


def server_count(engine: Engine, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(table)
        for condition in where:
            query = query.where(condition)
        return int(conn.execute(query).scalar_one())


def server_records(engine: Engine, entity: str | None = None) -> dict[str, dict[str, object]]:
    r = tables.record.c
    query = sa.select(r.id, r.entity, r.version, r.payload, r.deleted)
    if entity:
        query = query.where(r.entity == entity)
    with engine.connect() as conn:
        return {
            str(row.id): {"entity": row.entity, "version": row.version, "payload": row.payload, "deleted": row.deleted}
            for row in conn.execute(query)
        }


def outbox_states(store: Store) -> dict[str, int]:
    with store.session() as s:
        rows = s.exec(select(OutboxEntry.status, func.count()).group_by(OutboxEntry.status)).all()
    return {status: int(n) for status, n in rows}


def integrity_ok(store: Store) -> bool:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


class FaultyTransport(httpx.HTTPTransport):
    """A real HTTP transport that can fail chosen requests: before sending, or after the server answered."""

    def __init__(self, decide: Callable[[httpx.Request, int], str | None]) -> None:
        super().__init__()
        self.decide = decide
        self.calls = 0
        self.log: list[tuple[str, str, str | None]] = []
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.calls += 1
            n = self.calls
        fault = self.decide(request, n)
        self.log.append(
            (request.method, request.url.path + ("?" + request.url.query.decode() if request.url.query else ""), fault)
        )
        if fault == "refuse":
            raise httpx.ConnectError("injected: no route to host", request=request)
        response = super().handle_request(request)
        if fault == "drop_reply":
            response.read()  # the server finished (and committed); the reply is lost on the way back
            response.close()
            raise httpx.ReadError("injected: connection reset after the server answered", request=request)
        return response
