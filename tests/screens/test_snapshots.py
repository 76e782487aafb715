"""Snapshots of every screen and dialog of the walk, at 80×24 and 120×40, in Chinese and English.

The database, clock, time zone and ids of everything shown are fixed (see ``sample_group``); review a diff with
``make snap-update`` only after looking at it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from inspector.inspections import AnswerInput, acknowledge, save_answer, save_finding, sign_off, start_inspection
from inspector.models import TemplateItem
from inspector.store import Store
from screens.app import InspectorApp
from screens.dialogs.message import MessageDialog
from screens.start_flow import open_inspection, open_review
from tests.screens.conftest import settle
from tests.screens.sample_group import FIXED_NOW, Sample

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
LANGS = ["zh", "en"]


def _draft(store: Store, sample: Sample, *, complete: bool, signed: bool = False) -> str:
    """A draft of the furnace platform: C-01 failed with a major hazard, then more answers when ``complete``."""
    from sqlmodel import select

    with store.session() as s:
        items = {i.code: i for i in s.exec(select(TemplateItem).where(TemplateItem.version_id == sample.version_id))}
        inspection, _ = start_inspection(
            s,
            campaign_id=sample.campaign_id,
            template_version_id=sample.version_id,
            inspector_id=sample.inspector_id,
            checkpoint_id=sample.furnace_id,
            now=FIXED_NOW,
            inspection_id=uuid.UUID(int=0x5EED),
        )
        answers = {
            "C-01": AnswerInput(choice="no"),
            "C-02": AnswerInput(choice="yes"),
            "C-03": AnswerInput(choice="no", occurrences=2),
        }
        if complete:
            answers |= {
                "S-01": AnswerInput(score=4),
                "S-02": AnswerInput(score=2),
                "E-01": AnswerInput(measurement=4.6),
                "E-02": AnswerInput(choice="yes", note="门锁已更换"),
            }
        for code, value in answers.items():
            save_answer(s, inspection_id=inspection.id, item_id=items[code].id, value=value, now=FIXED_NOW)
        save_finding(
            s,
            inspection_id=inspection.id,
            item_id=items["C-01"].id,
            grade="general",
            description="熔炼炉无应急水源 / no emergency water source",
            team_id=None,
            deadline=None,
            photo_paths=[],
            raised_by_id=sample.inspector_id,
            today=FIXED_NOW.date(),
            new_id=uuid.UUID(int=1),
        )
        if signed:
            acknowledge(s, inspection_id=inspection.id, leader_id=sample.leader_id, now=FIXED_NOW)
            sign_off(s, inspection_id=inspection.id, signer_id=sample.inspector_id, now=FIXED_NOW)
        s.commit()
        return str(inspection.id)


Scenario = Callable[[Store, Sample], Callable[[Pilot[Any]], Awaitable[None]]]


def home(store: Store, sample: Sample) -> Callable[[Pilot[Any]], Awaitable[None]]:
    _draft(store, sample, complete=False)

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)

    return run


def start_picker(store: Store, sample: Sample) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)

    return run


def walk(store: Store, sample: Sample) -> Callable[[Pilot[Any]], Awaitable[None]]:
    inspection_id = _draft(store, sample, complete=False)

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        assert isinstance(pilot.app, InspectorApp)
        open_inspection(pilot.app, inspection_id)
        await settle(pilot)
        await pilot.press("4")  # S-01 scored 4 of 5; the cursor moves on to S-02
        await settle(pilot)

    return run


def hazard_dialog(store: Store, sample: Sample) -> Callable[[Pilot[Any]], Awaitable[None]]:
    inspection_id = _draft(store, sample, complete=False)

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        assert isinstance(pilot.app, InspectorApp)
        open_inspection(pilot.app, inspection_id)
        await settle(pilot)
        await pilot.press("h")  # the draft reopens on C-03, failed twice: a new (general) hazard
        await settle(pilot)

    return run


def value_dialog(store: Store, sample: Sample) -> Callable[[Pilot[Any]], Awaitable[None]]:
    inspection_id = _draft(store, sample, complete=True)

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        assert isinstance(pilot.app, InspectorApp)
        open_inspection(pilot.app, inspection_id)
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        await pilot.press(*"e-01", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    return run


def review(store: Store, sample: Sample) -> Callable[[Pilot[Any]], Awaitable[None]]:
    inspection_id = _draft(store, sample, complete=True)

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        assert isinstance(pilot.app, InspectorApp)
        open_review(pilot.app, inspection_id)
        await settle(pilot)

    return run


def acknowledge_confirm(store: Store, sample: Sample) -> Callable[[Pilot[Any]], Awaitable[None]]:
    inspection_id = _draft(store, sample, complete=True)

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        assert isinstance(pilot.app, InspectorApp)
        open_review(pilot.app, inspection_id)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    return run


def signed_review(store: Store, sample: Sample) -> Callable[[Pilot[Any]], Awaitable[None]]:
    inspection_id = _draft(store, sample, complete=True, signed=True)

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        assert isinstance(pilot.app, InspectorApp)
        open_review(pilot.app, inspection_id)
        await settle(pilot)

    return run


def store_error(store: Store, sample: Sample) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, InspectorApp)
        from inspector.i18n import t

        app.push_screen(
            MessageDialog(
                t("app.store_failed", app.lang), "/data/inspector.db is not an inspector database.", quit_on_close=True
            )
        )
        await settle(pilot)

    return run


SCENARIOS: dict[str, Scenario] = {
    "home": home,
    "start_picker": start_picker,
    "walk": walk,
    "hazard_dialog": hazard_dialog,
    "value_dialog": value_dialog,
    "review": review,
    "acknowledge_confirm": acknowledge_confirm,
    "signed_review": signed_review,
    "store_error": store_error,
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_screen(
    scenario: str,
    lang: str,
    size: tuple[int, int],
    store: Store,
    sample: Sample,
    make_app: Callable[..., InspectorApp],
    snap_compare: Any,
) -> None:
    run = SCENARIOS[scenario](store, sample)
    app = make_app(lang)

    async def before(pilot: Pilot[Any]) -> None:
        await run(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("lang", LANGS)
def test_walk_in_high_contrast(
    lang: str, store: Store, sample: Sample, make_app: Callable[..., InspectorApp], snap_compare: Any
) -> None:
    """The bright-light theme (F3) on the walk, at 80×24."""
    run = walk(store, sample)
    app = make_app(lang)

    async def before(pilot: Pilot[Any]) -> None:
        await run(pilot)
        await pilot.press("f3")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)
