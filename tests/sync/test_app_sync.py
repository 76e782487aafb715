"""The app's side of sync: the supervisor's conflicts screen settles a conflict, F5 syncs in a worker."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from inspector.models import Inspection
from screens.app import create_app
from screens.conflicts import ConflictsScreen
from sync.client.credentials import Credentials, save_credentials
from tests.sync.conftest import Laptop, RunningServer
from tests.sync.helpers import server_records
from tests.sync.test_conflicts import edit_note
from tests.sync.test_faults import inspector, seeded
from tests.sync.world import WORLD, new_inspection


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_supervisor_settles_a_conflict_in_the_app(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    sup = seeded(server, tmp_path, laptops)
    first = inspector(server, tmp_path, laptops, "ins-a")
    second = inspector(server, tmp_path, laptops, "ins-b")
    inspection = new_inspection(first.store, WORLD.inspector_1, WORLD.team_a)
    first.sync()
    second.sync()
    edit_note(first, inspection, "furnace door open")
    edit_note(second, inspection, "door closed, guard missing")
    first.sync()
    second.sync()
    me = sup.client.me()
    data = tmp_path / "sup-data"
    save_credentials(
        data / "sync-device.json",
        Credentials(
            server.url, me.device_id, server.tokens["sup"], "sup", "supervisor", None, me.expires_at or UTC_MAX
        ),
    )
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(data))
    asyncio.run(_settle_in_app(sup, lang))
    payload = server_records(server.engine, "inspection")[str(inspection)]["payload"]
    assert isinstance(payload, dict) and payload["note"] == "door closed, guard missing"
    with sup.store.session() as s:  # F5 pulled the settled value
        row = s.get(Inspection, inspection)
        assert row is not None and row.note == "door closed, guard missing"


async def _settle_in_app(sup: Laptop, lang: str) -> None:
    app = create_app(sup.store.path, lang, tz=UTC, store=sup.store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.switch_mode("conflicts")
        await pilot.pause()
        await _network_done(app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        table = screen.query_one("#conflicts-table", DataTable)
        assert table.row_count == 1
        device = str(screen.query_one("#conflict-device", Static).render())
        assert "door closed, guard missing" in device and "ins-b" in device
        await pilot.press("d")
        await _network_done(app)
        await pilot.pause()
        assert table.row_count == 0
        await pilot.press("f5")
        await _network_done(app)
        await pilot.pause()


async def _network_done(app: object) -> None:
    """Wait for the screen's and the sync's network workers (not the database writer, which runs until exit)."""
    from textual.app import App

    assert isinstance(app, App)
    running = [w for w in app.workers if w.group in ("conflicts", "sync")]
    if running:  # an empty list would mean "every worker", the database writer included
        await app.workers.wait_for_complete(running)


UTC_MAX = datetime(2100, 1, 1, tzinfo=UTC)

FIXED_CONFLICT = {
    "id": "8d2c4c8e-8f0a-4c57-9a39-0f6c1d1e2a01",
    "entity": "inspection",
    "record_id": "5b0e8c1a-3f8d-4f4e-8a11-2b9b8b2f7c10",
    "status": "open",
    "base_version": 1,
    "server_version": 2,
    "server_payload": {"note": "furnace door open", "status": "draft", "current_item_code": "I3"},
    "device_payload": {"note": "door closed, guard missing", "status": "draft", "current_item_code": "I3"},
    "device_name": "LAPTOP-07",
    "person_code": "INS-1",
    "made_at": "2022-06-03T08:15:00Z",
    "received_at": "2022-06-03T09:40:00Z",
}


class FixedConflictsScreen(ConflictsScreen):
    """The screen with one known conflict instead of the server's (for a stable snapshot)."""

    def action_refresh(self) -> None:
        from sync.protocol import ConflictOut

        self._loaded([ConflictOut.model_validate(FIXED_CONFLICT)])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_conflicts_screen_snapshot(snap_compare: object, store: object, lang: str) -> None:
    from datetime import datetime

    from inspector.store import Store

    assert isinstance(store, Store)
    app = create_app(store.path, lang, clock=lambda: datetime(2022, 6, 3, 10, 0, tzinfo=UTC), tz=UTC, store=store)

    async def open_screen(pilot: object) -> None:
        await app.push_screen(FixedConflictsScreen())

    assert snap_compare(app, terminal_size=(100, 30), run_before=open_screen)  # type: ignore[operator]


def test_enrolment_text_typed_or_scanned() -> None:
    from screens.sync_action import parse_enrolment

    assert parse_enrolment("http://10.0.0.5:8765 ABCD-EFGH-JKLM") == ("http://10.0.0.5:8765", "ABCD-EFGH-JKLM")
    assert parse_enrolment("inspector-enrol:http://10.0.0.5:8765#ABCD-EFGH-JKLM") == (
        "http://10.0.0.5:8765",
        "ABCD-EFGH-JKLM",
    )
    assert parse_enrolment("10.0.0.5 ABCD") is None
    assert parse_enrolment("http://10.0.0.5") is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_laptop_enrols_from_the_app_by_scanning_the_qr_text(
    server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: object
) -> None:
    from sqlalchemy.orm import Session

    from inspector.store import Store
    from sync.client.credentials import load_credentials
    from sync.protocol import DeviceRole
    from sync.server.devices import create_enrolment

    assert isinstance(store, Store)
    with Session(server.engine) as s:
        enrolment = create_enrolment(s, name="LAPTOP-09", role=DeviceRole.SUPERVISOR, person_code=None, hours=1)
        s.commit()
    data = tmp_path / "data"
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(data))

    async def scenario() -> None:
        app = create_app(store.path, "en", tz=UTC, store=store)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.switch_mode("conflicts")
            await pilot.pause()
            await _network_done(app)
            await pilot.press("e")
            await pilot.pause()
            for ch in f"inspector-enrol:{server.url}#{enrolment.code}":
                await pilot.press(ch if ch != " " else "space")
            await pilot.press("enter")
            await pilot.pause()
            await _network_done(app)
            await pilot.pause()

    asyncio.run(scenario())
    creds = load_credentials(data / "sync-device.json")
    assert creds is not None and creds.name == "LAPTOP-09" and creds.server_url == server.url
