"""The `inspector server …` and `inspector sync …` commands, end to end against a running server."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inspector.cli import app
from sync.protocol import DeviceRole
from tests.sync.conftest import Laptop, RunningServer
from tests.sync.helpers import outbox_states
from tests.sync.test_faults import seeded
from tests.sync.world import WORLD, new_inspection


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("INSPECTOR_LANG", "en")
    return CliRunner()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_enrol_sync_revoke_from_the_command_line(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], runner: CliRunner
) -> None:
    seeded(server, tmp_path, laptops)
    url = server.settings.database_url
    result = runner.invoke(
        app,
        [
            "server",
            "enroll",
            "--name",
            "LAPTOP-07",
            "--role",
            "inspector",
            "--person",
            "INS-1",
            "--url",
            server.url,
            "--database-url",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    code = re.search(r"code for LAPTOP-07 \(inspector\): ([A-Z0-9-]{14})", result.output)
    assert code is not None
    assert "█" in result.output or "▀" in result.output  # the QR code
    data = tmp_path / "laptop-data"
    result = runner.invoke(app, ["sync", "enroll", server.url, code.group(1), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "enrolled as LAPTOP-07 (inspector)" in result.output
    assert (data / "sync-device.json").stat().st_mode & 0o777 == 0o600
    db = tmp_path / "laptop.db"
    assert runner.invoke(app, ["sync", "--db", str(db), "--data-dir", str(data)]).exit_code == 0
    from inspector.store import open_store

    store = open_store(db)
    new_inspection(store, WORLD.inspector_1, WORLD.team_a, answers=2)
    result = runner.invoke(app, ["sync", "--db", str(db), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert "Pushed 3" in result.output
    before = (data / "sync-device.json").read_text()
    result = runner.invoke(app, ["sync", "rotate", "--data-dir", str(data)])
    assert result.exit_code == 0 and "token replaced" in result.output
    assert (data / "sync-device.json").read_text() != before
    assert runner.invoke(app, ["sync", "--db", str(db), "--data-dir", str(data)]).exit_code == 0
    result = runner.invoke(app, ["server", "devices", "--database-url", url])
    assert "LAPTOP-07" in result.output and "enrolled" in result.output
    assert runner.invoke(app, ["server", "revoke", "LAPTOP-07", "--database-url", url]).exit_code == 0
    new_inspection(store, WORLD.inspector_1, WORLD.team_a, answers=1)
    result = runner.invoke(app, ["sync", "--db", str(db), "--data-dir", str(data)])
    assert result.exit_code == 1 and "revoked" in result.output and "stay on this laptop" in result.output
    assert "Traceback" not in result.output
    assert outbox_states(store) == {"acked": 3, "pending": 2}
    store.close()
    result = runner.invoke(app, ["server", "audit-verify", "--database-url", url])
    assert result.exit_code == 0 and "intact" in result.output
    result = runner.invoke(app, ["server", "new-epoch", "--database-url", url])
    assert result.exit_code == 0 and "New server epoch" in result.output


def test_clear_messages_for_wrong_input(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["sync", "--db", str(tmp_path / "x.db"), "--data-dir", str(tmp_path / "none")])
    assert result.exit_code == 1 and "not enrolled" in result.output
    result = runner.invoke(app, ["sync", "enroll", "10.0.0.5:8765", "CODE-CODE", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "must start with http://" in result.output
    result = runner.invoke(
        app, ["server", "enroll", "--name", "x", "--role", "boss", "--database-url", f"sqlite:///{tmp_path / 's.db'}"]
    )
    assert result.exit_code == 1 and "--role boss" in result.output
    result = runner.invoke(
        app,
        ["server", "enroll", "--name", "x", "--role", "inspector", "--database-url", f"sqlite:///{tmp_path / 's.db'}"],
    )
    assert result.exit_code == 1 and "--person" in result.output
    result = runner.invoke(app, ["server", "devices", "--database-url", "postgresql+psycopg://nobody@127.0.0.1:1/none"])
    assert result.exit_code == 1 and "Cannot reach the database" in result.output


@pytest.mark.skipif(os.geteuid() != 0, reason="checks the refusal to run as root")
def test_the_server_refuses_to_run_as_root(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["server", "--database-url", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 1 and "refuses to run as root" in result.output


def test_role_names_match_the_protocol() -> None:
    from inspector.cli.server import ROLES

    assert {DeviceRole(v) for v in ROLES.values()} == set(DeviceRole)
