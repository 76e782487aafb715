"""Kill the app with SIGKILL in the middle of an inspection: every answer is there, and the draft reopens at the
item the inspector was on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import DataTable

from inspector.models import Answer, Inspection, TemplateItem
from inspector.store import Store
from screens.app import InspectorApp
from screens.home import HomeScreen
from screens.walk import WalkScreen
from screens.widgets.checklist_table import ChecklistTable
from tests.screens.conftest import settle
from tests.screens.sample_group import Sample

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]


def _run_until_ready(db: Path) -> str:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.screens.crash_child", str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # blocks until the child has saved and says READY (or dies)
        if not line.startswith("READY"):
            _out, err = child.communicate(timeout=30)
            raise AssertionError(f"the app did not get ready: {line!r} {err[-2000:]}")
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
        return line.split()[1]
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


async def test_sigkill_mid_inspection_loses_nothing_and_resumes_at_the_same_item(
    store: Store, sample: Sample, make_app: Callable[..., InspectorApp]
) -> None:
    at_item = _run_until_ready(store.path)
    assert at_item == "S-02"
    with store.session() as s:
        inspection = s.exec(select(Inspection)).one()
        assert inspection.status == "draft" and inspection.current_item_code == "S-02"
        rows = s.exec(
            select(TemplateItem.code, Answer).join(Answer, Answer.item_id == TemplateItem.id)  # type: ignore[arg-type]
        ).all()
        saved = {code: (a.choice, a.score, a.occurrences) for code, a in rows}
    assert saved == {"C-01": ("yes", None, 1), "C-02": ("yes", None, 1), "C-03": ("no", None, 2), "S-01": (None, 3, 1)}
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen) and home.data is not None
        assert [(d.answered, d.total) for d in home.data.drafts] == [(4, 9)]
        home.query_one("#home-tabs").active = "tab-drafts"  # type: ignore[attr-defined]
        await pilot.pause()
        home.query_one("#drafts", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        assert walk.order[walk.query_one("#walk-items", ChecklistTable).cursor_row] == "S-02"
        assert walk.score is not None and sum(1 for r in walk.score.items if r.answered) == 4
