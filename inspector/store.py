"""The laptop's store: one SQLite file, durable pragmas checked at start-up, Alembic migrations on open.

Every local write of a synced record and its outbox entry commit in one transaction: the outbox is filled by a
``before_flush`` hook on :class:`StoreSession`, so no code path can forget it.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from inspector.errors import StoreError
from inspector.file_errors import os_reason
from inspector.models import SCHEMA_VERSION, SYNCED_MODELS, OutboxEntry, SyncedRecord, utcnow

#: The newest migration this code knows; a test keeps it equal to Alembic's head.
HEAD_REVISION = "0005"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: What every connection is set to, and what start-up checks it got.
REQUIRED_PRAGMAS = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1}


class StoreSession(Session):
    """A SQLModel session whose flushes also write the outbox (unless ``info["skip_outbox"]`` is set)."""

    def commit(self) -> None:
        """Commit; if SQLite refuses (a deferred foreign key), roll the transaction back instead of leaving it open."""
        if not self.in_transaction() and not (self.new or self.dirty or self.deleted):
            return  # nothing happened in this session: no empty (but fsynced) transaction
        dbapi = self.connection().connection.dbapi_connection
        try:
            super().commit()
        except Exception:
            _rollback_if_open(dbapi)
            raise


def _rollback_if_open(dbapi: Any) -> None:
    # A COMMIT that SQLite refuses leaves its transaction open, and SQLAlchemy no longer knows about it.
    if dbapi is not None and getattr(dbapi, "in_transaction", False):
        dbapi.rollback()


def _payload(record: SyncedRecord) -> dict[str, Any]:
    return record.model_dump(mode="json")


#: ``session.info`` key: the outbox entries written in the current transaction, by (table, record id).
_PENDING = "outbox_in_transaction"


@event.listens_for(StoreSession, "before_flush")
def _fill_outbox(session: OrmSession, _context: Any, _instances: Any) -> None:
    if session.info.get("skip_outbox"):
        return
    now = utcnow()
    pending: dict[tuple[str, uuid.UUID], OutboxEntry] = session.info.setdefault(_PENDING, {})
    entries: list[OutboxEntry] = []

    def record(obj: SyncedRecord, op: str) -> None:
        # A record changed by several flushes of one transaction is one change: the server sees what was
        # committed, never a half-done state (a sign-off that stored its content hash in a second flush would
        # otherwise reach the server as a change to an already signed inspection, and be refused).
        key = (str(obj.__tablename__), obj.id)
        earlier = pending.get(key)
        if earlier is not None and earlier in session:
            earlier.op = op
            earlier.payload = _payload(obj) if op == "upsert" else {"id": str(obj.id)}
            return
        pending[key] = entry = _entry(obj, op)
        entries.append(entry)

    for obj in session.new:
        if isinstance(obj, SyncedRecord) and obj.__tablename__ in SYNCED_MODELS:
            record(obj, "upsert")
    for obj in session.dirty:
        if isinstance(obj, SyncedRecord) and session.is_modified(obj, include_collections=False):
            obj.updated_at = now
            record(obj, "upsert")
    for obj in session.deleted:
        if isinstance(obj, SyncedRecord):
            record(obj, "delete")
    session.add_all(entries)


@event.listens_for(StoreSession, "after_commit")
@event.listens_for(StoreSession, "after_rollback")
def _transaction_ended(session: OrmSession, *_args: Any) -> None:
    session.info.pop(_PENDING, None)


def _entry(obj: SyncedRecord, op: str) -> OutboxEntry:
    return OutboxEntry(
        entity=str(obj.__tablename__),
        entity_id=obj.id,
        op=op,
        payload=_payload(obj) if op == "upsert" else {"id": str(obj.id)},
        base_version=obj.server_version,
        schema_version=SCHEMA_VERSION,
    )


def _set_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # The driver's own transaction handling opens a transaction only at the first write, so pragmas that live for
    # one transaction (defer_foreign_keys) would be lost after a read; SQLAlchemy's recipe: autocommit at the driver
    # level and an explicit BEGIN when SQLAlchemy begins (see _begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL with synchronous=FULL: with NORMAL a committed answer can vanish on power loss.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


#: Execution option of a connection whose transactions will write: they begin IMMEDIATE (see :func:`_begin`).
WRITE_OPTION = "inspector_writes"


def _begin(connection: sa.Connection) -> None:
    # Straight to the driver: this runs for every transaction, keypress saves included.
    driver = connection.connection.driver_connection
    assert driver is not None
    # A transaction that reads and then writes must take the write lock when it begins: a deferred one that finds
    # another writer (a sync storing pulled records, a command in another terminal) when it first writes fails at
    # once with "database is locked" (SQLite cannot wait there without risking a deadlock); IMMEDIATE waits for
    # the lock under busy_timeout instead. Read-only transactions stay deferred, so they never wait for a writer.
    driver.execute("BEGIN IMMEDIATE" if connection.get_execution_options().get(WRITE_OPTION) else "BEGIN")
    # The tables declare no ORM relationships, so a flush may insert a child before its parent; foreign keys are
    # still enforced, at COMMIT instead of per statement (SQLite resets this pragma after every transaction).
    driver.execute("PRAGMA defer_foreign_keys=ON")


def make_engine(path: Path) -> Engine:
    """An engine on the SQLite file at ``path`` with the durable pragmas set on every connection."""
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _set_pragmas)
    event.listen(engine, "begin", _begin)
    event.listen(engine.pool, "checkin", lambda dbapi, _record: _rollback_if_open(dbapi))
    return engine


def check_pragmas(engine: Engine) -> dict[str, Any]:
    """Read the pragmas back and fail clearly if the file system refused them (e.g. WAL on a network share)."""
    found: dict[str, Any] = {}
    with engine.connect() as conn:
        for name, wanted in REQUIRED_PRAGMAS.items():
            value = conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            found[name] = value
            if value != wanted:
                raise StoreError(
                    "E_STORE_PRAGMA",
                    f"The database {engine.url.database} runs with {name}={value}, not {wanted}; "
                    "answers would not be safe from power loss. Keep the database on a local disk.",
                    f"数据库 {engine.url.database} 的 {name}={value}（应为 {wanted}），断电时答案可能丢失。"
                    "请把数据库放在本机磁盘上。",
                )
    return found


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (``None`` for an empty file)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` with Alembic (the only way tables are created)."""
    from alembic import command  # imported here: start-up skips Alembic when nothing is to do
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def _backup(path: Path, revision: str | None) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    target = path.with_name(f"{path.name}.before-{revision or 'empty'}-{stamp}.bak")
    try:
        with (
            contextlib.closing(sqlite3.connect(path)) as source,
            contextlib.closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
    except BaseException:
        target.unlink(missing_ok=True)  # a half-written copy (full disk, Ctrl+C) is no backup: leave none
        raise
    return target


@dataclass
class Store:
    """An open laptop database."""

    path: Path
    engine: Engine
    _held: threading.local = field(default_factory=threading.local, repr=False)
    _held_all: list[Any] = field(default_factory=list, repr=False)
    _held_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @contextmanager
    def session(self, *, skip_outbox: bool = False, write: bool = False) -> Iterator[StoreSession]:
        """A session for one unit of work; ``write=True`` when it will write, so that its transactions take the
        write lock as they begin and wait for another writer instead of failing (see :func:`_begin`)."""
        bind = self.engine.execution_options(**{WRITE_OPTION: True}) if write else self.engine
        with StoreSession(bind, expire_on_commit=False) as session:
            session.info["store"] = self
            if skip_outbox:
                session.info["skip_outbox"] = True
            yield session

    def thread_connection(self) -> Any:
        """This thread's own DBAPI (``sqlite3``) connection, kept for the store's life: the walk's keypress saves
        run on the app's one writer thread, and a pool checkout and reset per keypress cost as much as a statement.
        It is in autocommit mode (see :func:`_set_pragmas`); callers open and end their own transactions."""
        connection = getattr(self._held, "connection", None)
        if connection is None:
            connection = self.engine.raw_connection()
            self._held.connection = connection
            with self._held_lock:
                self._held_all.append(connection)
        return connection

    @contextmanager
    def raw_connection(self) -> Iterator[Any]:
        """A pooled DBAPI (``sqlite3``) connection with the store's pragmas, for the few hot paths that need it."""
        connection = self.engine.raw_connection()
        try:
            yield connection
        finally:
            connection.close()  # back to the pool

    def close(self) -> None:
        with self._held_lock:
            held, self._held_all[:] = list(self._held_all), []
        for connection in held:
            _rollback_if_open(connection.dbapi_connection)
            connection.close()
        self._held = threading.local()
        self.engine.dispose()


def open_store(path: Path, *, upgrade: bool = True) -> Store:
    """Open (creating if needed) the database at ``path``, check its pragmas and migrate it to the newest schema.

    Before migrating a database that already holds data, a copy is saved beside it.
    Raises :class:`StoreError` with a clear message when the file cannot be used.
    """
    path = Path(path).expanduser()
    if path.exists() and path.is_dir():
        raise StoreError(
            "E_STORE_PATH", f"{path} is a folder, not a database file.", f"{path} 是文件夹，不是数据库文件。"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            "E_STORE_PATH",
            f"Cannot create the folder {path.parent}: {os_reason(exc, 'en')}.",
            f"无法创建文件夹 {path.parent}：{os_reason(exc, 'zh')}。",
        ) from exc
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as handle:
            header = handle.read(20)
            if header[:16] != b"SQLite format 3\x00":
                raise StoreError(
                    "E_STORE_NOT_SQLITE",
                    f"{path} is not an inspector database (not a SQLite file).",
                    f"{path} 不是检查应用的数据库（不是 SQLite 文件）。",
                )
        if header[18:20] != b"\x02\x02":  # not in WAL mode: opening would switch it, so look at it read-only first
            _refuse_foreign(path)
    engine = make_engine(path)
    try:
        check_pragmas(engine)
        with engine.connect() as conn:  # a WAL file is unchanged by opening: it is checked on the app's connection
            revision = _checked_revision(path, conn.exec_driver_sql)
        if upgrade and revision != HEAD_REVISION:
            if revision is not None and not _known_revision(revision):
                raise StoreError(
                    "E_STORE_NEWER",
                    f"{path} was written by a newer version of inspector (schema {revision}); update the app.",
                    f"{path} 由更新版本的检查应用写入（数据库结构 {revision}）；请先升级本应用。数据库没有被改动。",
                )
            if revision is not None:
                _backup(path, revision)
            migrate(engine)
    except StoreError:
        engine.dispose()
        raise
    except (sa.exc.OperationalError, sa.exc.DatabaseError, sqlite3.Error, OSError) as exc:  # sqlite3: the backup
        engine.dispose()
        raise StoreError(
            "E_STORE_OPEN",
            f"Cannot open the database {path}: {_reason(exc)}",
            f"无法打开数据库 {path}：{_reason(exc, 'zh')}",
        ) from exc
    return Store(path=path, engine=engine)


def _refuse_foreign(path: Path) -> None:
    """Refuse another program's SQLite file (tables but no Alembic stamp) before anything writes to it: opening
    it would switch it to WAL and add this app's tables to it. Read-only; a file that cannot be read is left to
    the normal opening, which says why."""
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
            _checked_revision(path, connection.execute)
    except sqlite3.Error:
        return


def _checked_revision(path: Path, execute: Callable[[str], Any]) -> str | None:
    """The Alembic revision of the database ``execute`` reads (``None`` when it has no tables yet); raises
    ``E_STORE_FOREIGN`` for another program's database or the sync server's."""
    tables = [
        name
        for (name,) in execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    stamped = "alembic_version" in tables
    row = execute("SELECT version_num FROM alembic_version").fetchone() if stamped else None
    revision = None if row is None else str(row[0])
    if revision is not None and not revision.isdigit():  # the sync server's schema is s0001, s0002, …
        raise StoreError(
            "E_STORE_FOREIGN",
            f"{path} is the sync server's (or another program's) database (schema {revision}), not a laptop's "
            "inspector database; it was not changed.",
            f"{path} 是同步服务器（或其他程序）的数据库（数据库结构 {revision}），不是本机的检查数据库；"
            "文件没有被改动。",
        )
    if tables and not stamped:
        shown = ", ".join(tables[:3]) + (", …" if len(tables) > 3 else "")
        raise StoreError(
            "E_STORE_FOREIGN",
            f"{path} is another program's SQLite database (tables {shown}), not an inspector database; "
            "it was not changed.",
            f"{path} 是其他程序的 SQLite 数据库（表 {shown}），不是检查应用的数据库；文件没有被改动。",
        )
    return revision


def _known_revision(revision: str) -> bool:
    return any(p.name.startswith(f"{revision}_") for p in (MIGRATIONS_DIR / "versions").glob("*.py"))


def sqlite_problem(exc: BaseException) -> str | None:
    """What a SQLite error (or SQLAlchemy's wrapping of one) means: ``"locked"``, ``"full"``, ``"readonly"``,
    ``"io"`` or ``"corrupt"``; ``None`` for any other. Shared by the opening and the commands' messages."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "locked" in text or "busy" in text:
        return "locked"
    if "full" in text:
        return "full"
    if "readonly" in text or "read-only" in text:
        return "readonly"
    if "disk i/o" in text:  # also what SQLite says when a full disk has no room for its -shm file
        return "io"
    if "not a database" in text or "malformed" in text:
        return "corrupt"
    return None


def _reason(exc: BaseException, lang: str = "en") -> str:
    text = str(getattr(exc, "orig", None) or exc)
    zh = lang == "zh"
    # SQLite needs to write beside the file (its -wal and -shm companions) even to read: "unable to open" is that
    kind = "readonly" if "unable to open" in text.lower() else sqlite_problem(exc)
    if kind == "full":
        return (
            "磁盘已满。请腾出空间；已保存的内容都没有丢失。"
            if zh
            else "the disk is full. Free some space; nothing already saved was lost."
        )
    if kind == "readonly":
        return (
            "数据库文件或其所在文件夹不可写（需要读写权限）"
            if zh
            else f"{text}: the file or its folder cannot be written (it needs read and write permission)"
        )
    if kind == "locked":
        return (
            "数据库正被另一个程序写入；请稍后重试"
            if zh
            else "another program is writing the database; try again shortly"
        )
    if kind == "io":
        return "读写出错：磁盘可能已满、已损坏或已拔出" if zh else f"{text}: the disk may be full, damaged or removed"
    if kind == "corrupt":
        return "数据库文件已损坏；请用备份恢复" if zh else f"{text}: the file is damaged; restore it from a backup"
    return text


def new_id() -> uuid.UUID:
    """A fresh client-made record id."""
    return uuid.uuid4()
