"""The FastAPI app factory: routers, typed error answers, request size limits.

``create_app(settings)`` is used by ``inspector server``, the tests and the benchmarks alike; ``app_from_env`` is
the factory uvicorn workers import (settings from ``INSPECTOR_SERVER_*``).
"""

from __future__ import annotations

import logging
import socket
from asyncio import base_events
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync import errors
from sync.errors import ErrorCode, SyncProtocolError
from sync.protocol import ErrorBody
from sync.server.db import make_engine
from sync.server.ingest import BackgroundApplier
from sync.server.routers import attachments, bundles, conflicts, devices, health, pull, push
from sync.server.settings import ServerSettings

log = logging.getLogger("inspector.server")
VERSION = "0.1.0"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class BodyLimit:
    """Refuse request bodies larger than ``limit`` bytes with a typed 413, whether or not Content-Length is sent."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _send_error(send, errors.E_TOO_LARGE, f"The request is larger than {self.limit} bytes.")
                return
        received = 0
        refused = False

        async def limited() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Answer 413 at once and tell the app the client left; whatever it answers is dropped.
                    refused = True
                    await _send_error(send, errors.E_TOO_LARGE, f"The request is larger than {self.limit} bytes.")
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, limited, guarded_send)


async def _send_error(send: Send, error: ErrorCode, message: str) -> None:
    body = ErrorBody(code=error.code, message=message).model_dump_json().encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def error_response(error: ErrorCode, message: str | None = None, **detail: Any) -> JSONResponse:
    body = ErrorBody(code=error.code, message=message or error.en, detail=detail)
    return JSONResponse(status_code=error.status, content=body.model_dump(mode="json"))


def _tcp_nodelay_for_shared_sockets() -> None:
    """Send every answer at once: TCP_NODELAY on connections accepted from a socket shared by uvicorn workers.

    asyncio sets TCP_NODELAY only on sockets whose ``proto`` is ``IPPROTO_TCP``; the listening socket uvicorn binds
    for ``--workers N`` (N > 1) has ``proto`` 0, so its connections keep Nagle's algorithm. A JSON answer is written
    as headers then body, and the body waited for the client's delayed ACK: about 40 ms added to every answer
    (measured: ``/health`` 44-48 ms with 2 workers, 1-5 ms with 1). This sets the option for those sockets too.
    """
    original: Callable[[socket.socket], None] | None = getattr(base_events, "_set_nodelay", None)
    if original is None or getattr(original, "_inspector", False) or not hasattr(socket, "TCP_NODELAY"):
        return

    def set_nodelay(sock: socket.socket) -> None:
        original(sock)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM and sock.proto == 0:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    set_nodelay._inspector = True  # type: ignore[attr-defined]
    setattr(base_events, "_set_nodelay", set_nodelay)  # noqa: B010 (a private name mypy does not know)


def create_app(settings: ServerSettings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The server app. The schema must already be migrated (``inspector server`` does it before starting)."""
    settings = settings or ServerSettings()
    _tcp_nodelay_for_shared_sockets()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        applier = BackgroundApplier(app.state.engine) if settings.background_apply else None
        if applier is not None:
            applier.start()
            app.state.applier = applier
        try:
            yield
        finally:
            if applier is not None:
                app.state.applier = None
                applier.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="inspector sync server",
        version=VERSION,
        description="Offline-first sync for the inspector laptops. Every error answers `{code, message, detail}`.",
        responses={
            400: {"model": ErrorBody},
            401: {"model": ErrorBody},
            403: {"model": ErrorBody},
            409: {"model": ErrorBody},
            413: {"model": ErrorBody},
            422: {"model": ErrorBody},
        },
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url, pool_size=settings.pool_size)
    for module in (health, devices, push, pull, attachments, conflicts, bundles):
        app.include_router(module.router)

    @app.exception_handler(SyncProtocolError)
    async def _typed(_request: Request, exc: SyncProtocolError) -> JSONResponse:
        return error_response(exc.error, exc.message, **exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for item in exc.errors()[:5]:
            where = ".".join(str(p) for p in item.get("loc", ()))
            problems.append(f"{where}: {item.get('msg', 'invalid')}")
        return error_response(errors.E_VALIDATION, "; ".join(problems) or errors.E_VALIDATION.en)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return error_response(errors.E_NOT_FOUND)
        if exc.status_code == 413:
            return error_response(errors.E_TOO_LARGE)
        body = ErrorBody(code=f"E_HTTP_{exc.status_code}", message=str(exc.detail))
        return JSONResponse(status_code=exc.status_code, content=body.model_dump(mode="json"))

    @app.exception_handler(sa.exc.IntegrityError)
    async def _duplicate(_request: Request, exc: sa.exc.IntegrityError) -> JSONResponse:
        log.warning("integrity error answered as 409: %s", exc.orig)
        return error_response(errors.E_DUPLICATE_KEY)

    @app.exception_handler(sa.exc.OperationalError)
    async def _database_down(_request: Request, exc: sa.exc.OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", exc.orig)
        return error_response(errors.E_UNAVAILABLE)

    @app.exception_handler(Exception)
    async def _internal(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled server error")
        return error_response(errors.E_INTERNAL)

    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    return app


def app_from_env() -> FastAPI:
    """Factory for uvicorn workers: ``uvicorn --factory sync.server.app:app_from_env``."""
    return create_app(ServerSettings())
