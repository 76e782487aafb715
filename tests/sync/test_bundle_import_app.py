"""A conflict kept by a bundle import shows in the app's Conflicts screen, beside the server's, and is settled there."""

from __future__ import annotations

import asyncio
from datetime import UTC
from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Static

from inspector.models import Inspection, LocalConflict, OutboxEntry
from screens.app import create_app
from screens.conflicts import ConflictsScreen
from sync.client.bundle_import import import_bundle
from sync.protocol import ChangeStatus
from tests.sync.bundle_world import Supervisor, export, supervisor
from tests.sync.conftest import Laptop, RunningServer
from tests.sync.test_app_sync import _network_done
from tests.sync.test_conflicts import edit_note
from tests.sync.test_faults import inspector, seeded
from tests.sync.world import WORLD, new_inspection


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_supervisor_settles_an_imported_conflict_in_the_app(
    server: RunningServer, tmp_path: Path, laptops: list[Laptop], monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    sup = supervisor(server, seeded(server, tmp_path, laptops), "sup", tmp_path / "sup-data")
    ins = inspector(server, tmp_path, laptops, "ins", "INS-1")
    draft = new_inspection(ins.store, WORLD.inspector_1, WORLD.team_a, answers=1)
    ins.sync()
    sup.sync()
    edit_note(sup.laptop, draft, "supervisor: recheck the furnace door")
    edit_note(ins, draft, "inspector: door closed, guard missing")
    export(server, ins, "ins", tmp_path / "ins.bundle")
    report = import_bundle(
        sup.laptop.store, file=tmp_path / "ins.bundle", keys_path=sup.paths.bundle_keys, attachments=tmp_path / "att"
    )
    assert report.count(ChangeStatus.CONFLICT) == 1
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(sup.paths.data_dir))
    asyncio.run(_settle(sup, lang))
    with sup.laptop.store.session() as s:
        row = s.get(Inspection, draft)
        assert row is not None and row.note == "inspector: door closed, guard missing"
        kept = s.exec(select(LocalConflict)).one()
        assert kept.status == "resolved" and kept.resolution == "take_device"
        queued = s.exec(select(OutboxEntry).where(OutboxEntry.entity_id == draft, OutboxEntry.status == "pending"))
        assert [e.payload["note"] for e in queued] == [
            "supervisor: recheck the furnace door",
            "inspector: door closed, guard missing",
        ]


async def _settle(sup: Supervisor, lang: str) -> None:
    app = create_app(sup.laptop.store.path, lang, tz=UTC, store=sup.laptop.store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.switch_mode("conflicts")
        await pilot.pause()
        await _network_done(app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConflictsScreen)
        table = screen.query_one("#conflicts-table", DataTable)
        assert table.row_count == 1  # the server has none; this laptop keeps one
        here = "本机" if lang == "zh" else "this laptop"
        assert here in str(table.get_row_at(0)[1])
        left = str(screen.query_one("#conflict-server", Static).render())
        device = str(screen.query_one("#conflict-device", Static).render())
        assert ("本机的值" if lang == "zh" else "This laptop's value") in left
        assert "supervisor: recheck the furnace door" in left
        assert "inspector: door closed, guard missing" in device and "ins" in device
        await pilot.press("d")
        await _network_done(app)
        await pilot.pause()
        assert table.row_count == 0
