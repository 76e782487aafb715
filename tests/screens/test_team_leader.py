"""The team leader's screen: scores, orders answered here, award criteria and what is behind each figure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from inspector.models import OrderStatus, RectificationEvent, RectificationOrder
from inspector.store import Store
from screens.app import InspectorApp
from screens.dialogs.answer_order import AnswerOrderDialog
from screens.team_leader import TeamLeaderScreen
from tests.screens.award_sample import LEADER_TEAM, AwardSample, build_award_sample
from tests.screens.conftest import settle, type_text

pytestmark = pytest.mark.anyio


async def wait(pilot: Pilot[Any]) -> None:
    await settle(pilot)


async def typed(pilot: Pilot[Any], text: str) -> None:
    await type_text(pilot, text)


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def award_sample(store: Store) -> AwardSample:
    return build_award_sample(store)


async def open_team(pilot: Pilot[Any]) -> TeamLeaderScreen:
    await wait(pilot)
    app = pilot.app
    assert isinstance(app, InspectorApp)
    await app.switch_mode("team")
    await wait(pilot)
    screen = app.screen
    assert isinstance(screen, TeamLeaderScreen)
    return screen


def rows(screen: TeamLeaderScreen, table_id: str) -> list[list[str]]:
    table = screen.query_one(f"#{table_id}", DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def test_shows_the_leaders_team_its_scores_orders_and_criteria(
    award_sample: AwardSample, make_app: Callable[..., InspectorApp]
) -> None:
    async with make_app("en").run_test(size=(120, 40)) as pilot:
        screen = await open_team(pilot)
        heading = str(screen.query_one("#team-heading", Static).render())
        assert "U1W1T1 team · U1 Plant · U1 W1 workshop" in heading and "as of 2022-06-08" in heading
        inspections = rows(screen, "team-inspections")
        assert [r[1] for r in inspections] == ["90.0", "94.0", "70.0", "92.0"]
        assert "amended, not counted" in inspections[2][4]
        orders = rows(screen, "team-orders")
        assert [r[0] for r in orders] == ["2022-06-04", "2022-06-20", "2022-06-03"]
        assert "4 days overdue" in orders[0][1]
        assert "plan missing" in orders[1][1]
        criteria = rows(screen, "team-criteria")
        assert [(r[1], r[2], r[3]) for r in criteria] == [
            ("Inspections", "3", "≥ 3"),
            ("Average score", "92.0", "≥ 90"),
            ("Veto events", "0", "≤ 0"),
            ("Open major hazards", "1", "≤ 0"),
            ("On-time rectification rate", "50.0", "≥ 95"),
        ]


async def test_drill_down_lists_the_inspections_behind_the_average(
    award_sample: AwardSample, make_app: Callable[..., InspectorApp]
) -> None:
    async with make_app("en").run_test(size=(120, 40)) as pilot:
        screen = await open_team(pilot)
        await pilot.press("3", "down", "enter")
        await wait(pilot)
        sources = rows(screen, "team-sources")
        assert [(r[0], r[3]) for r in sources] == [
            ("Inspection", "90.0"),
            ("Inspection", "94.0"),
            ("Inspection", "70.0"),
            ("Inspection", "92.0"),
        ]
        assert "superseded by an amendment" in sources[2][4]
        assert "Average score" in str(screen.query_one("#team-sources-title", Static).render())
        await pilot.press("down", "down", "down", "enter")  # on-time rate: the orders behind it
        await wait(pilot)
        notes = [r[4] for r in rows(screen, "team-sources")]
        assert any("closed on time" in n for n in notes) and any("overdue" in n for n in notes)


async def test_the_leader_answers_an_order_with_evidence(
    award_sample: AwardSample, store: Store, make_app: Callable[..., InspectorApp], tmp_path: Path
) -> None:
    photo = tmp_path / "cleared.jpg"
    photo.write_bytes(b"\xff\xd8")
    async with make_app("en").run_test(size=(120, 40)) as pilot:
        await open_team(pilot)
        await pilot.press("a")
        await wait(pilot)
        assert isinstance(pilot.app.screen, AnswerOrderDialog)
        await typed(pilot, "cleared the exit")
        await pilot.press("enter")
        await typed(pilot, str(tmp_path / "missing.jpg"))
        await pilot.press("enter")
        await wait(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, AnswerOrderDialog)  # still open: the file does not exist
        assert "Evidence file not found" in str(dialog.query_one("#answer-error").render())
        evidence = dialog.query_one("#answer-evidence", Input)
        evidence.value = str(photo)
        await pilot.press("enter")
        await wait(pilot)
        assert isinstance(pilot.app.screen, TeamLeaderScreen)
        assert "Answered" in rows(pilot.app.screen, "team-orders")[0][1]
    with store.session() as session:
        order = session.exec(
            select(RectificationOrder).where(RectificationOrder.deadline == award_sample.world.at_day(4))
        ).one()
        assert order.status == OrderStatus.ANSWERED
        assert order.action_taken == "cleared the exit"
        assert order.evidence_paths == [str(photo)]
        events = session.exec(select(RectificationEvent).where(RectificationEvent.order_id == order.id)).all()
        assert events[-1].actor_id == award_sample.world.leaders[LEADER_TEAM]


async def test_a_refused_answer_is_a_message_in_the_language(
    award_sample: AwardSample, make_app: Callable[..., InspectorApp]
) -> None:
    async with make_app("zh").run_test(size=(120, 40)) as pilot:
        screen = await open_team(pilot)
        await pilot.press("2", "down", "down")  # the closed order
        await pilot.press("a")
        await wait(pilot)
        await typed(pilot, "again")
        await pilot.press("enter", "enter")
        await wait(pilot)
        messages = [n.message for n in pilot.app._notifications]
        assert any("已销号" in m and "不能回复" in m for m in messages)
        assert "已销号" in rows(screen, "team-orders")[2][1]


async def test_language_switch_and_choosing_another_team(
    award_sample: AwardSample, make_app: Callable[..., InspectorApp]
) -> None:
    async with make_app("zh").run_test(size=(120, 40)) as pilot:
        screen = await open_team(pilot)
        assert rows(screen, "team-criteria")[0][1] == "检查次数"
        await pilot.press("f2")
        await wait(pilot)
        assert rows(screen, "team-criteria")[0][1] == "Inspections"
        await pilot.press("t")
        await wait(pilot)
        await typed(pilot, "U2W1T1")
        await pilot.press("enter")
        await wait(pilot)
        assert "U2W1T1 team" in str(screen.query_one("#team-heading", Static).render())
        assert [r[1] for r in rows(screen, "team-inspections")] == ["99.0", "98.0", "97.0"]


async def test_the_leader_records_a_major_hazard_plan(
    award_sample: AwardSample, store: Store, make_app: Callable[..., InspectorApp]
) -> None:
    async with make_app("en").run_test(size=(120, 40)) as pilot:
        screen = await open_team(pilot)
        await pilot.press("2", "down", "p")
        await wait(pilot)
        await typed(pilot, "install the water tank")
        await pilot.press("enter")
        await typed(pilot, "lots")
        await pilot.press("enter", "enter", "enter")
        await wait(pilot)
        assert "is not a number" in str(pilot.app.screen.query_one("#plan-error").render())
        pilot.app.screen.query_one("#plan-funds", Input).value = "85000"
        pilot.app.screen.query_one("#plan-deadline", Input).value = "2022-06-18"
        pilot.app.screen.query_one("#plan-emergency", Input).value = "stop the furnace"
        pilot.app.screen.query_one("#plan-emergency", Input).focus()
        await pilot.press("enter")
        await wait(pilot)
        assert "plan missing" not in rows(screen, "team-orders")[1][1]
    with store.session() as session:
        order = session.exec(
            select(RectificationOrder).where(RectificationOrder.deadline == award_sample.world.at_day(20))
        ).one()
        assert (order.plan_measures, order.plan_funds, order.plan_emergency) == (
            "install the water tank",
            85000.0,
            "stop the furnace",
        )
        assert order.plan_owner_id == award_sample.world.leaders[LEADER_TEAM]


SCENARIOS = {"scores": (), "awards": ("3", "down", "enter")}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_snapshot(
    scenario: str,
    lang: str,
    size: tuple[int, int],
    award_sample: AwardSample,
    make_app: Callable[..., InspectorApp],
    snap_compare: Any,
) -> None:
    async def before(pilot: Pilot[Any]) -> None:
        await open_team(pilot)
        keys = SCENARIOS[scenario]
        if keys:
            await pilot.press(*keys)
            await wait(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(lang), terminal_size=size, run_before=before)
