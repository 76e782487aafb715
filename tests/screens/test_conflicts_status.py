"""The conflicts screen keeps saying why it could not read the conflicts when the language changes (it used to
say there were none waiting, which it could not know)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from textual.widgets import Static

from inspector.store import Store
from screens.app import create_app
from screens.conflicts import ConflictsScreen


def status_text(screen: ConflictsScreen) -> str:
    return str(screen.query_one("#conflicts-status", Static).render())


def test_a_failure_to_load_is_said_again_in_the_other_language(store: Store) -> None:
    # No enrolment in the test's data directory (tests/conftest.py points INSPECTOR_DATA_DIR at a fresh one).
    app = create_app(store.path, "en", clock=lambda: datetime(2022, 6, 3, 10, 0, tzinfo=UTC), tz=UTC, store=store)

    async def run() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = ConflictsScreen()
            await app.push_screen(screen)
            await pilot.pause()
            for worker in [w for w in app.workers if w.group == "conflicts"]:
                await worker.wait()
            await pilot.pause()
            assert screen.failure is not None and screen.failure[0] == "E_SYNC_NOT_ENROLLED"
            assert (
                status_text(screen)
                == "Cannot load the conflicts: This device is not enrolled: run inspector sync enroll URL CODE."
            )
            await pilot.press("f2")
            await pilot.pause()
            assert screen.lang == "zh"
            assert status_text(screen).startswith("无法读取冲突：此设备尚未登记")
            assert "没有" not in status_text(screen)
            await pilot.press("f2")
            await pilot.pause()
            assert status_text(screen).startswith("Cannot load the conflicts: This device is not enrolled")

    asyncio.run(run())
