"""Start a throw-away PostgreSQL 15 cluster as an unprivileged user (tests and benchmarks).

PostgreSQL refuses to run as root: when we are root the cluster runs as ``nobody`` with its directories chowned to
it. Data, socket and log live in one temporary directory; the port is a free one on 127.0.0.1.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def available() -> bool:
    return (PG_BIN / "postgres").exists()


@dataclass
class PostgresCluster:
    port: int
    root: Path
    user: str | None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            _as_user(self.user, [str(PG_BIN / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _as_user(user: str | None, argv: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *argv] if user else argv


def start_cluster(*, fsync: bool = False) -> PostgresCluster:
    """Initialise and start a cluster; the caller stops it."""
    user = None
    if os.geteuid() == 0:
        user = "nobody"
        pwd.getpwnam(user)
    root = Path(tempfile.mkdtemp(prefix="inspector-pg-"))
    data, sockets = root / "data", root / "sock"
    data.mkdir()
    sockets.mkdir()
    if user:
        for path in (root, data, sockets):
            shutil.chown(path, user=user)
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    subprocess.run(
        _as_user(
            user, [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]
        ),
        check=True,
        capture_output=True,
        env=env,
    )
    port = free_port()
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=64MB"
    if not fsync:
        options += " -c fsync=off"
    subprocess.run(
        _as_user(
            user,
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ],
        ),
        check=True,
        capture_output=True,
        env=env,
    )
    return PostgresCluster(port=port, root=root, user=user)
