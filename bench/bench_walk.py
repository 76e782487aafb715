"""The inspector's walk: time to the first frame, and keypress-to-refresh while scoring a 300-item checklist.

Baselines, measured in the same run with the same method:
- first frame: a bare Textual app that shows one Label (both started as fresh processes; the time runs from just
  before the process is started until the app's first screen is mounted and rendered, reported by the child);
- keypress: a bare Textual app with a 300-row DataTable whose cursor is moved with the same Pilot presses.

Run a child by hand: ``python -m bench.bench_walk first-frame ours|bare [DB]``.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import Result, percentile

ROOT = Path(__file__).resolve().parents[1]
RUNS = 11  # first-frame pairs; odd, so the median is one run
PRESSES = 120
FIXED_NOW = datetime(2022, 6, 8, 1, 30, tzinfo=UTC)


# -- children (run in a fresh process) -------------------------------------------------------------------------


def _complete(screen: Any) -> bool:
    """The screen is mounted and so are its widgets, down to the footer's key hints (filled in a moment after the
    footer itself): the frame shows the whole screen, not a part of it."""
    from textual.widgets import Footer

    if not screen.is_mounted:
        return False
    footers = list(screen.query(Footer))
    return all(footer.children for footer in footers)


def _child_first_frame(kind: str, db: str | None) -> None:
    """Print the wall-clock time at which the app's first screen is first drawn, then exit.

    "Drawn" is the moment Textual hands a frame of that screen, once mounted with its widgets, to the terminal
    driver (``App._display``; the headless driver then discards it). Both apps are timed at that same moment: the
    bare app's first frame of its one screen, ours the first frame of the home screen (never Textual's blank
    default screen that precedes it), started through the ``inspector`` console script's entry point.
    """
    from textual.app import App

    display = App._display
    reported = False

    def first_display(app: Any, screen: Any, renderable: Any) -> None:
        nonlocal reported
        if not reported and renderable is not None and type(screen).__name__ == target and _complete(screen):
            reported = True
            print(f"FRAME {time.time():.6f}", flush=True)
            app.set_timer(0.05, app.exit)  # after the frame: leave mounting in peace, the time is taken
        display(app, screen, renderable)

    App._display = first_display  # type: ignore[assignment]
    if kind == "bare":
        from textual.app import ComposeResult
        from textual.widgets import Label

        class Bare(App[None]):
            def compose(self) -> ComposeResult:
                yield Label("inspector")

        target = "Screen"
        Bare().run(headless=True, size=(80, 24))
    else:
        # The real command, as the console script runs it: `inspector --db DEMO --lang zh` (its entry point, its
        # imports, its app), headless at 80×24.
        from inspector.cli import main

        target = "HomeScreen"
        run = App.run
        App.run = lambda self, *a, **k: run(self, headless=True, size=(80, 24))  # type: ignore[method-assign]
        main(["--db", str(db), "--lang", "zh"])


def _first_frame(kind: str, db: Path | None) -> float:
    command = [sys.executable, "-m", "bench.bench_walk", "first-frame", kind]
    if db is not None:
        command.append(str(db))
    start = time.time()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("FRAME ")]
    if not lines:
        raise RuntimeError(f"{kind} app gave no first frame: {done.stderr[-2000:]}")
    return float(lines[0].split()[1]) - start


def _demo_db(folder: Path) -> Path:
    db = folder / "demo.db"
    from inspector.store import open_store

    store = open_store(db)
    try:
        from inspector.demo import create_demo

        with store.session(skip_outbox=True) as session:
            create_demo(session)
            session.commit()
    finally:
        store.close()
    return db


def _compile_tree() -> None:
    """Byte-compile the tree's packages first, as installing an app does.

    pip compiles a package's modules when it installs it, and textual (which both children import) was installed
    that way. Where ``PYTHONDONTWRITEBYTECODE`` is set, as in this workplace, nothing else would write our bytecode,
    so only our side would run Python's compiler over its sources on every start (about a fifth of the gap). Both
    children still start as fresh processes and load everything they import; ``bench`` is compiled too, for both.
    """
    import compileall

    for package in ("inspector", "screens", "sync", "bench"):
        compileall.compile_dir(ROOT / package, quiet=1)


def bench_first_frame(folder: Path) -> Result:
    db = _demo_db(folder)
    _compile_tree()
    ours, bare = [], []
    for _ in range(RUNS):  # interleaved, so machine noise hits both alike
        bare.append(_first_frame("bare", None))
        ours.append(_first_frame("ours", db))
    return Result(
        name="walk.first_frame",
        value=statistics.median(ours),
        unit="s",
        baseline=statistics.median(bare),
        target=1.3,
        note="process start → the first frame of the first screen composed and handed to the (headless) terminal "
        "driver, demo database, ours started as `inspector --db DEMO --lang zh` through the console script's entry "
        "point; median of "
        f"{RUNS}; baseline: bare Textual app showing one Label; both from compiled bytecode, as installed",
        extra={"ours_runs": [round(x, 4) for x in ours], "bare_runs": [round(x, 4) for x in bare]},
    )


# -- keypress to refresh ---------------------------------------------------------------------------------------


async def _time_presses(app: Any, prepare: Any, key: str) -> list[float]:
    samples: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await prepare(pilot)
        for _ in range(PRESSES):
            start = time.perf_counter()
            await pilot.press(key)
            samples.append(time.perf_counter() - start)
        await asyncio.to_thread(getattr(app, "wait_for_writes", lambda: None))
    return samples


async def _ours(folder: Path) -> list[float]:
    from inspector.store import open_store
    from screens.app import create_app
    from screens.start_flow import open_inspection
    from screens.walk import WalkScreen
    from tests.screens.sample_group import build_sample

    store = open_store(folder / "walk.db")
    sample = build_sample(store, extra_items=291)  # 9 + 291 = 300 items
    from inspector.inspections import start_inspection

    with store.session() as session:
        inspection, _ = start_inspection(
            session,
            campaign_id=sample.campaign_id,  # type: ignore[arg-type]
            template_version_id=sample.version_id,  # type: ignore[arg-type]
            inspector_id=sample.inspector_id,  # type: ignore[arg-type]
            checkpoint_id=sample.furnace_id,  # type: ignore[arg-type]
        )
        session.commit()
    app = create_app(store.path, "zh", clock=lambda: FIXED_NOW, tz=UTC, store=store)

    async def prepare(pilot: Any) -> None:
        await asyncio.to_thread(app.wait_for_writes)
        await pilot.pause()
        open_inspection(app, str(inspection.id))
        while not (isinstance(app.screen, WalkScreen) and app.screen.data is not None):
            await asyncio.to_thread(app.wait_for_writes)
            await pilot.pause()
        await pilot.press("g")
        await pilot.press(*"m-001", "enter")  # the 291 plain yes/no items: "y" answers and moves on
        await pilot.pause()

    try:
        return await _time_presses(app, prepare, "y")
    finally:
        store.close()


async def _bare() -> list[float]:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            table: DataTable[str] = self.query_one(DataTable)
            table.add_columns("code", "answer", "points", "item")
            for n in range(300):
                table.add_row(f"M-{n:03d}", "", "2", f"补充检查项 {n}")
            table.focus()

    async def prepare(pilot: Any) -> None:
        await pilot.pause()

    return await _time_presses(Bare(), prepare, "down")


def bench_keypress(folder: Path) -> Result:
    ours = asyncio.run(_ours(folder))
    bare = asyncio.run(_bare())
    return Result(
        name="walk.keypress_refresh",
        value=statistics.median(ours),
        unit="s",
        baseline=statistics.median(bare),
        target=1.5,
        note=f"Pilot press → app idle (screen refreshed), median of {PRESSES} presses: 'y' scoring items of a "
        "300-item checklist (live score, autosave queued) vs 'down' in a bare 300-row DataTable",
        extra={
            "ours_p90": round(percentile(ours, 90), 6),
            "bare_p90": round(percentile(bare, 90), 6),
        },
    )


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        return [bench_first_frame(folder), bench_keypress(folder)]


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "first-frame":
        _child_first_frame(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        for result in run():
            print(result.as_json())
