"""Fixtures for the app's tests: the sample group in a fresh database, the app built through the same factory as
the command line with a fixed clock and time zone, and helpers that wait for the database thread (never sleep)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any

import pytest
import textual.constants
from textual.pilot import Pilot
from textual.widgets import DataTable, Input
from textual.worker import Worker, WorkerCancelled, WorkerState

from inspector.store import Store
from screens.app import InspectorApp, create_app
from tests.screens.sample_group import FIXED_NOW, Sample, build_sample


@pytest.fixture
def anyio_backend() -> str:
    """The app runs on asyncio (tests are marked ``pytest.mark.anyio``)."""
    return "asyncio"


@pytest.fixture(autouse=True)
def no_animations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apps built in these tests skip animations, so a screenshot shows the end state at once.

    A relabelled tab (every language change) moves its underline after a 20 ms timer; on a busy machine a snapshot
    could be taken before the timer fired. With animations off, Textual moves it on the next refresh instead."""
    monkeypatch.setattr(textual.constants, "TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def sample(store: Store) -> Sample:
    """The small sample group, with its inspector signed in on this laptop."""
    return build_sample(store)


@pytest.fixture
def make_app(store: Store) -> Iterator[Callable[..., InspectorApp]]:
    """Build the app on the test's database (already open), in a fixed language, clock and time zone."""

    def factory(lang: str = "zh") -> InspectorApp:
        return create_app(store.path, lang, clock=lambda: FIXED_NOW, tz=UTC, store=store)

    yield factory


ACTIVE = (WorkerState.PENDING, WorkerState.RUNNING)


async def wait_workers(app: Any, accept: Callable[[Worker[Any]], bool]) -> None:
    """Wait for the app's active workers that ``accept`` picks (pending ones too). A worker cancelled meanwhile
    (its screen was dismissed) is simply finished; a failed one is the app's failure handler's business."""
    for worker in [w for w in app.workers if w.state in ACTIVE and accept(w)]:
        with contextlib.suppress(WorkerCancelled):
            await worker.wait()


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every queued database job has run, its result has reached the screen, and the screen is quiet.

    A result can start more work (a filter's Changed message reloads a table, a load queues the next one), so this
    repeats until two rounds in a row find no queued job, no active worker and no table still measuring new rows."""
    app = pilot.app
    assert isinstance(app, InspectorApp)
    quiet = 0
    for _ in range(60):
        await asyncio.to_thread(app.wait_for_writes)
        # Screens also load in their own workers (the team leader's figures, a sync): wait for those too; the
        # writer is a loop that never completes.
        await wait_workers(app, lambda w: w.group != "writer")
        await pilot.pause()
        busy = (
            app._writes.unfinished_tasks
            or any(w.state in ACTIVE for w in app.workers if w.group != "writer")
            or any(table._require_update_dimensions for table in app.screen.query(DataTable))
        )
        quiet = 0 if busy else quiet + 1
        if quiet >= 2:
            break
    else:
        raise AssertionError(f"the screen never settled: {app.screen!r} still has work queued or running")
    for field in app.screen.query(Input):
        field.cursor_blink = False


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press ``keys`` and wait until what they started has reached the screen (see :func:`settle`)."""
    await pilot.press(*keys)
    await settle(pilot)


async def opened(pilot: Pilot[Any], opener: Callable[[Any, str], object], inspection_id: str) -> None:
    """Once the first screen has settled, open an inspection with ``opener`` (``open_inspection``, ``open_review``)
    and wait until its screen has settled too."""
    await settle(pilot)
    opener(pilot.app, inspection_id)
    await settle(pilot)


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type ``text`` key by key, the way a USB scanner or a person does."""
    await pilot.press(*text)
