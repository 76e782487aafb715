"""The walk on the real demo group (``inspector.demo.create_demo``): sign in, scan a demo label, answer, resume."""

from __future__ import annotations

import shutil
from datetime import UTC
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.labels_payload import encode_label
from inspector.models import Checkpoint, Inspection
from inspector.store import open_store
from screens.app import create_app
from screens.dialogs.picker import PickerDialog
from screens.home import HomeScreen
from screens.walk import WalkScreen
from tests.screens.conftest import settle, type_text
from tests.screens.sample_group import FIXED_NOW

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from inspector.demo import create_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = open_store(path)
    with store.session(skip_outbox=True) as session:
        create_demo(session)
        session.commit()
    store.close()
    return path


async def test_demo_group_sign_in_scan_answer_and_resume(demo_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    shutil.copy(demo_file, db)
    store = open_store(db)
    try:
        with store.session() as s:
            checkpoint = s.exec(select(Checkpoint).order_by(Checkpoint.code)).first()  # type: ignore[arg-type]
            assert checkpoint is not None
            before = len(s.exec(select(Inspection)).all())
        app = create_app(db, "zh", clock=lambda: FIXED_NOW, tz=UTC, store=store)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            home = app.screen
            assert isinstance(home, HomeScreen) and home.data is not None
            assert home.data.campaign is not None and home.data.campaign.code == "SPM-2022"
            assert home.data.person is None  # nobody signed in on a fresh laptop
            await pilot.press("p")
            await settle(pilot)
            assert isinstance(app.screen, PickerDialog)
            await pilot.press("enter")  # the first inspector on the roster
            await settle(pilot)
            assert app.person is not None
            await type_text(pilot, encode_label("checkpoint", checkpoint.code))
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, PickerDialog)  # the campaign has several checklists: the safety one
            await type_text(pilot, "safety")
            await pilot.press("enter")
            await settle(pilot)
            walk = app.screen
            assert isinstance(walk, WalkScreen) and walk.data is not None and len(walk.data.items) > 20
            await pilot.press("y", "y", "a")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            home = app.screen
            assert isinstance(home, HomeScreen) and home.data is not None
            mine = [d for d in home.data.drafts if d.answered == 3]
            assert len(mine) == 1 and mine[0].current_item_code == walk.order[3]
        with store.session() as s:
            assert len(s.exec(select(Inspection)).all()) == before + 1
    finally:
        store.close()


async def test_inspector_verifies_an_answered_order_from_home(demo_file: Path, tmp_path: Path) -> None:
    from inspector.models import RectificationEvent, RectificationOrder

    db = tmp_path / "demo.db"
    shutil.copy(demo_file, db)
    store = open_store(db)
    try:
        app = create_app(db, "zh", clock=lambda: FIXED_NOW, tz=UTC, store=store)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("p")
            await settle(pilot)
            await pilot.press("enter")  # the first inspector on the roster signs in
            await settle(pilot)
            home = app.screen
            assert isinstance(home, HomeScreen) and home.data is not None
            answered = next(o for o in home.data.orders if o.status == "answered")
            home._verify_on_site(answered)  # what Enter on that row of the orders tab does
            await settle(pilot)
            assert isinstance(app.screen, PickerDialog)
            await pilot.press("enter")  # "verified on site: close the order"
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
        with store.session() as s:
            order = s.get(RectificationOrder, answered.id)
            assert order is not None and order.status == "closed"
            last = s.exec(
                select(RectificationEvent)
                .where(RectificationEvent.order_id == answered.id)
                .order_by(RectificationEvent.at.desc())  # type: ignore[attr-defined]
            ).first()
            assert last is not None and last.to_status == "closed" and last.actor_id == app.person.id  # type: ignore[union-attr]
    finally:
        store.close()
