"""The server's database: engine, Alembic migrations, the write lock and the epoch.

Writers are serialised by a row lock on ``sync_counter`` (PostgreSQL) or ``BEGIN IMMEDIATE`` (SQLite) taken at
the start of every write transaction and held until its commit. ``log_seq`` numbers are therefore handed out in
commit order: a pull never sees a later number before an earlier one has committed (the late-commit problem).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from sync.server import tables

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
HEAD_REVISION = "s0004"
LOG_COUNTER = "log"


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for ``url``; SQLite gets WAL, FULL sync and serialised (IMMEDIATE) transactions."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the server schema to ``revision`` (tables are created only by Alembic)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    ensure_meta(engine)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def ensure_meta(engine: Engine) -> None:
    """Create the epoch, the group id and the change counter on a fresh database."""
    with Session(engine) as session, session.begin():
        if get_meta(session, "epoch") is None:
            session.execute(sa.insert(tables.server_meta).values(key="epoch", value=str(uuid.uuid4())))
        if get_meta(session, "group") is None:  # the group's identity: kept through restores (unlike the epoch)
            session.execute(sa.insert(tables.server_meta).values(key="group", value=str(uuid.uuid4())))
        if (
            session.execute(
                sa.select(tables.sync_counter.c.value).where(tables.sync_counter.c.name == LOG_COUNTER)
            ).first()
            is None
        ):
            session.execute(sa.insert(tables.sync_counter).values(name=LOG_COUNTER, value=0))


def get_meta(session: Session, key: str) -> str | None:
    return session.execute(sa.select(tables.server_meta.c.value).where(tables.server_meta.c.key == key)).scalar()


def new_epoch(engine: Engine) -> str:
    """Give the server a new epoch: run after restoring a backup, so every device re-sends what may be lost."""
    epoch = str(uuid.uuid4())
    with Session(engine) as session, session.begin():
        session.execute(sa.update(tables.server_meta).where(tables.server_meta.c.key == "epoch").values(value=epoch))
    return epoch


def lock_writes(session: Session) -> int:
    """Take the server-wide write lock (held until commit) and return the committed change sequence."""
    query = sa.select(tables.sync_counter.c.value).where(tables.sync_counter.c.name == LOG_COUNTER)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    value = session.execute(query).scalar_one()
    return int(value)


def set_high_water(session: Session, value: int) -> None:
    session.execute(sa.update(tables.sync_counter).where(tables.sync_counter.c.name == LOG_COUNTER).values(value=value))


def high_water(session: Session) -> int:
    query = sa.select(tables.sync_counter.c.value).where(tables.sync_counter.c.name == LOG_COUNTER)
    return int(session.execute(query).scalar_one())
