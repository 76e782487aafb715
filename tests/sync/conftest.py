"""Fixtures of the sync tests: a real PostgreSQL cluster per test worker, real uvicorn servers, enrolled devices.

PostgreSQL 15 is started from /usr/lib/postgresql/15/bin as an unprivileged user (``nobody`` when the tests run as
root) in a temporary directory, on a free port, with its socket in that directory. Each pytest-xdist worker gets
its own cluster; each test its own database. In CI (``CI=true``) a missing PostgreSQL is a failure, not a skip.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from inspector.store import Store, open_store
from sync.bundle_signature import new_private_key, public_key_of
from sync.client.engine import SyncEngine
from sync.client.http import SyncClient
from sync.protocol import DeviceRole
from sync.server.app import create_app
from sync.server.db import make_engine, migrate
from sync.server.devices import create_enrolment, redeem
from sync.server.settings import ServerSettings
from tests.sync.pgcluster import PG_BIN, PostgresCluster, available, free_port, start_cluster


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A PostgreSQL 15 cluster for this test worker (each xdist worker is its own process: its own cluster)."""
    if not available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                f"PostgreSQL 15 is required in CI but {PG_BIN} is missing (.ci/install-system-deps installs it)"
            )
        pytest.skip(f"PostgreSQL 15 not installed under {PG_BIN}")
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty server database on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.create_database()


@pytest.fixture
def pg_url(postgres: PostgresCluster) -> str:
    """A fresh PostgreSQL database (for tests that need real concurrency)."""
    return postgres.create_database()


@dataclass
class RunningServer:
    """A server under real uvicorn on 127.0.0.1 in a thread."""

    settings: ServerSettings
    engine: Engine
    port: int = 0
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    #: Each enrolled laptop's bundle-signing private key (its public half is registered at enrolment).
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = self.port or free_port()
        config = uvicorn.Config(
            create_app(self.settings, engine=self.engine),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        started = threading.Event()
        for _ in range(2000):  # wait for uvicorn's own "started" flag, not a fixed sleep
            if self.server.started:
                started.set()
                break
            if not self.thread.is_alive():
                break
            started.wait(0.005)
        assert self.server.started, "uvicorn did not start"

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=30)

    def enroll(self, name: str, role: DeviceRole, person_code: str | None = None, *, with_key: bool = True) -> str:
        """A device token (created straight in the database, as `inspector server enroll` + redeem do); the laptop's
        bundle-signing key is registered with it, unless ``with_key`` is False (a laptop enrolled before keys)."""
        private = new_private_key() if with_key else None
        with Session(self.engine) as session:
            enrolment = create_enrolment(session, name=name, role=role, person_code=person_code, hours=1)
            public = public_key_of(private) if private else None
            token = redeem(session, code=enrolment.code, label=name, days=30, public_key=public)
            session.commit()
        self.tokens[name] = token.token
        if private:
            self.keys[name] = private
        return token.token

    def client(self, token: str | None = None, **kwargs: object) -> SyncClient:
        kwargs.setdefault("attempts", 2)
        kwargs.setdefault("max_wait", 0.2)
        return SyncClient(self.url, token, **kwargs)  # type: ignore[arg-type]


def start_server(url: str, **settings: object) -> RunningServer:
    config = ServerSettings(database_url=url, **settings)  # type: ignore[arg-type]
    engine = make_engine(config.database_url)
    migrate(engine)
    running = RunningServer(settings=config, engine=engine)
    running.start()
    return running


@pytest.fixture
def server(database_url: str) -> Iterator[RunningServer]:
    """A migrated server on a fresh database, running under uvicorn (SQLite and PostgreSQL)."""
    running = start_server(database_url)
    yield running
    running.stop()
    running.engine.dispose()


@pytest.fixture
def pg_server(pg_url: str) -> Iterator[RunningServer]:
    running = start_server(pg_url)
    yield running
    running.stop()
    running.engine.dispose()


@dataclass
class Laptop:
    """A laptop: its own database, its own data folder, a token."""

    store: Store
    client: SyncClient
    attachments: Path

    def engine(self, **kwargs: object) -> SyncEngine:
        return SyncEngine(self.store, self.client, attachment_dir=self.attachments, **kwargs)  # type: ignore[arg-type]

    def sync(self) -> object:
        return self.engine().run()

    def close(self) -> None:
        self.client.close()
        self.store.close()


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[list[Laptop]]:
    """Laptops created by the test (closed at the end)."""
    made: list[Laptop] = []
    yield made
    for laptop in made:
        laptop.close()


def make_laptop(tmp_path: Path, name: str, server: RunningServer, token: str, made: list[Laptop]) -> Laptop:
    folder = tmp_path / name
    folder.mkdir(parents=True, exist_ok=True)
    laptop = Laptop(open_store(folder / "inspector.db"), server.client(token), folder / "attachments")
    made.append(laptop)
    return laptop
