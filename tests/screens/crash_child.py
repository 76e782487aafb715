"""Run as a child process by ``test_crash_resume``: open the app headless on the database given in argv, scan a
checkpoint, answer a few items, then report READY and wait to be killed with SIGKILL."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC
from pathlib import Path

from textual.pilot import Pilot

from inspector.labels_payload import encode_label
from screens.app import InspectorApp, create_app
from screens.walk import WalkScreen
from tests.screens.sample_group import FIXED_NOW


async def drive(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, InspectorApp)
    while app.store is None or app.person is None:
        await pilot.pause(0.05)
    await pilot.press(*encode_label("checkpoint", "F1-CAST-FURN"), "enter")
    while not (isinstance(app.screen, WalkScreen) and app.screen.data is not None):
        await pilot.pause(0.05)
    # C-01 yes, C-02 yes, C-03 no ×2, then S-01 = 3 and on to S-02 (left unanswered: the draft's current item)
    await pilot.press("y", "y", "n", "plus", "down", "3")
    await asyncio.to_thread(app.wait_for_writes)
    walk = app.screen
    print("READY", walk.order[walk.query_one("#walk-items").cursor_row], flush=True)  # type: ignore[attr-defined]
    await asyncio.Event().wait()  # killed here


if __name__ == "__main__":
    create_app(Path(sys.argv[1]), "en", clock=lambda: FIXED_NOW, tz=UTC).run(headless=True, auto_pilot=drive)
