"""The supervisor's screen: leaderboard with filters, overdue orders, award list with record / nominate / finalise /
export, and inspector consistency."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select

from inspector.audit import verify_chain
from inspector.models import AuditEntry, AwardDecision, RectificationOrder
from inspector.store import Store
from screens.app import InspectorApp
from screens.supervisor import SupervisorScreen
from tests.screens.award_sample import AwardSample, build_award_sample
from tests.screens.conftest import settle, type_text

pytestmark = pytest.mark.anyio


async def wait(pilot: Pilot[Any]) -> None:
    await settle(pilot)


async def typed(pilot: Pilot[Any], text: str) -> None:
    await type_text(pilot, text)


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def award_sample(store: Store) -> AwardSample:
    return build_award_sample(store, signed_in="supervisor")


async def open_supervisor(pilot: Pilot[Any]) -> SupervisorScreen:
    await wait(pilot)
    app = pilot.app
    assert isinstance(app, InspectorApp)
    await app.switch_mode("supervise")
    await wait(pilot)
    screen = app.screen
    assert isinstance(screen, SupervisorScreen)
    return screen


def rows(screen: SupervisorScreen, table_id: str) -> list[list[str]]:
    table = screen.query_one(f"#{table_id}", DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def test_leaderboard_levels_and_filters(award_sample: AwardSample, make_app: Callable[..., InspectorApp]) -> None:
    async with make_app("en").run_test(size=(120, 40)) as pilot:
        screen = await open_supervisor(pilot)
        board = rows(screen, "sup-board")
        assert [(r[0], r[1], r[3]) for r in board[:5]] == [
            ("1", "U2W1T1 team", "98.0"),
            ("2", "U1W1T2 team", "96.0"),
            ("3", "U1W1T1 team", "92.0"),
            ("4", "U2W2T2 team", "91.0"),
            ("5", "U1W2T1 team", "86.0"),
        ]
        assert len(board) == 8
        screen.query_one("#sup-level", Select).value = "workshop"
        await wait(pilot)
        assert [r[1] for r in rows(screen, "sup-board")][:2] == ["U2 W1 workshop", "U1 W1 workshop"]
        screen.query_one("#sup-unit", Select).value = str(award_sample.world.units["U2"])
        await wait(pilot)
        assert {r[8] for r in rows(screen, "sup-board")} == {"U2 Plant"}
        screen.query_one("#sup-level", Select).value = "team"
        search = screen.query_one("#sup-search", Input)
        search.value = "w2t2"
        await search.action_submit()
        await wait(pilot)
        assert [r[1] for r in rows(screen, "sup-board")] == ["U2W2T2 team"]


async def test_overdue_and_consistency(award_sample: AwardSample, make_app: Callable[..., InspectorApp]) -> None:
    async with make_app("en").run_test(size=(120, 40)) as pilot:
        screen = await open_supervisor(pilot)
        overdue = rows(screen, "sup-overdue")
        assert [(r[0], r[2]) for r in overdue] == [("[red]4[/]", "U1W1T1 team"), ("[red]3[/]", "U2W2T2 team")]
        await pilot.press("4")
        await wait(pilot)
        teams = rows(screen, "sup-consistency-teams")
        assert [(r[0], r[3]) for r in teams] == [("U1W1T1 team", "[b]3.0[/b]"), ("U1W1T2 team", "[b]1.5[/b]")]
        inspectors = rows(screen, "sup-consistency-inspectors")
        assert {r[0] for r in inspectors} == {"Inspector 0", "Inspector 1"}


async def test_record_nominate_finalise_and_export(
    award_sample: AwardSample, store: Store, make_app: Callable[..., InspectorApp], tmp_path: Path
) -> None:
    target = tmp_path / "commendation.xlsx"
    async with make_app("zh").run_test(size=(120, 40)) as pilot:
        screen = await open_supervisor(pilot)
        await pilot.press("3")
        await wait(pilot)
        await pilot.press("n")  # nothing recorded yet
        await wait(pilot)
        assert any("请先按 e" in n.message for n in pilot.app._notifications)
        await pilot.press("e")
        await wait(pilot)
        awards = rows(screen, "sup-awards")
        assert awards[0][1] == "U1W1T2班" and "✔" in awards[0][3]  # within the quota: nominated when recorded
        await pilot.press("n")  # withdraw the nomination of the first row
        await wait(pilot)
        assert rows(screen, "sup-awards")[0][3] == ""
        await pilot.press("n")
        await wait(pilot)
        await pilot.press("f")
        await wait(pilot)
        await pilot.press("y")
        await wait(pilot)
        assert "✔" in rows(screen, "sup-awards")[0][4]
        await pilot.press("x")
        await wait(pilot)
        field = pilot.app.screen.query_one("#input-value", Input)
        field.value = str(target)
        await pilot.press("enter")
        await wait(pilot)
    workbook = load_workbook(target)
    sheet = workbook.active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["奖项 Award", "级别 Level", "排名 Rank", "名称 Name"]
    assert [row[3] for row in values[1:]] == ["U1W1T2班", "U1W1车间", "U1分厂"]
    with target.with_suffix(".csv").open(encoding="utf-8-sig") as handle:
        assert next(csv.reader(handle))[0] == "奖项 Award"
    with store.session() as session:
        final = session.exec(select(AwardDecision).where(AwardDecision.final == True)).all()  # noqa: E712
        assert len(final) == 3
        kinds = [e.kind for e in session.exec(select(AuditEntry)).all()]
        assert kinds.count("award_decision") == 1 + 2 + 3  # recorded, withdrawn and re-nominated, finalised
        assert verify_chain(session).ok


async def test_verify_and_reject_answered_orders(
    award_sample: AwardSample, store: Store, make_app: Callable[..., InspectorApp]
) -> None:
    async with make_app("zh").run_test(size=(120, 40)) as pilot:
        screen = await open_supervisor(pilot)
        await pilot.press("5")
        await wait(pilot)
        assert [r[6] for r in rows(screen, "sup-verify")] == [
            "叉车充电区无灭火器 / no extinguisher",
            "流槽无液位报警 / no launder level alarm",
        ]
        await pilot.press("down", "v")  # the major hazard has no plan: refused, in Chinese
        await wait(pilot)
        await pilot.press("y")
        await wait(pilot)
        assert any("重大隐患需先登记治理方案" in n.message for n in pilot.app._notifications)
        await pilot.press("j")
        await wait(pilot)
        await typed(pilot, "未见报警装置")
        await pilot.press("enter")
        await wait(pilot)
        await pilot.press("up", "v")
        await wait(pilot)
        await pilot.press("y")
        await wait(pilot)
        assert rows(screen, "sup-verify") == []
    with store.session() as session:
        statuses = {
            o.requirement.split(" / ")[1]: o.status
            for o in session.exec(
                select(RectificationOrder).where(
                    RectificationOrder.team_id.in_(  # type: ignore[attr-defined]
                        [award_sample.world.teams["U1/W2/T1"]]
                    )
                )
            ).all()
        }
        assert statuses == {"no extinguisher": "closed", "no launder level alarm": "reopened"}
        assert verify_chain(session).ok


SCENARIOS = {"board": (), "awards": ("3",)}


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
        await open_supervisor(pilot)
        keys = SCENARIOS[scenario]
        if keys:
            await pilot.press(*keys)
            await wait(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(lang), terminal_size=size, run_before=before)
