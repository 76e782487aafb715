"""FastAPI dependencies: the database session (one per request) and the calling device."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from sync import errors
from sync.errors import SyncProtocolError
from sync.protocol import DeviceRole
from sync.server.access import Actor
from sync.server.devices import authenticate
from sync.server.settings import ServerSettings


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request; the route commits (before replying) or it rolls back."""
    with Session(get_engine(request)) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]


def current_device(request: Request, session: SessionDep) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise SyncProtocolError(errors.E_AUTH_MISSING)
    actor = authenticate(session, token.strip())
    session.rollback()  # the look-up's read transaction must not be held (SQLite: it takes the write lock)
    return actor


CurrentDevice = Annotated[Actor, Depends(current_device)]


def supervisor(actor: CurrentDevice) -> Actor:
    if actor.role != DeviceRole.SUPERVISOR:
        raise SyncProtocolError(errors.E_FORBIDDEN, "Only a supervisor's device may do this.")
    return actor


SupervisorDevice = Annotated[Actor, Depends(supervisor)]
