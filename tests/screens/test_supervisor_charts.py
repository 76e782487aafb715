"""The supervisor's charts tab: the weekly score trend and hazards by grade per workshop follow the campaign, the unit
filter, a leaderboard row to compare and the language; snapshots at 80×24 and 120×40 in both languages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Select, TabbedContent

from inspector.models import Campaign
from inspector.reports.trends import Scope, TrendPoint, hazard_counts, score_trend
from inspector.store import Store
from screens.app import InspectorApp
from screens.supervisor import SupervisorScreen
from screens.supervisor_charts import ChartFigures, ChartRequest, ChartsPane
from screens.widgets.charts import HazardChart, ScoreTrendChart
from tests.screens.award_sample import AwardSample, build_award_sample
from tests.screens.conftest import settle
from tests.screens.test_supervisor import open_supervisor

pytestmark = pytest.mark.anyio

WEEK_1, WEEK_2 = date(2022, 5, 30), date(2022, 6, 6)  # the sample's inspections are on 2–7 June 2022


@pytest.fixture
def award_sample(store: Store) -> AwardSample:
    return build_award_sample(store, signed_in="supervisor")


def charts(screen: SupervisorScreen) -> tuple[ScoreTrendChart, HazardChart]:
    return screen.query_one("#sup-trend", ScoreTrendChart), screen.query_one("#sup-hazards", HazardChart)


def trend_of(chart: ScoreTrendChart) -> list[list[tuple[date, float, int]]]:
    return [[(p.week, p.average, p.count) for p in line.points] for line in chart.lines]


def hazards_of(chart: HazardChart) -> dict[str, tuple[int, int, int]]:
    return {name: (c["general"], c["significant"], c["major"]) for name, c in chart.rows}


async def open_charts(pilot: Pilot[Any]) -> SupervisorScreen:
    screen = await open_supervisor(pilot)
    await pilot.press("6")
    await settle(pilot)
    return screen


async def test_charts_load_when_opened_and_show_the_campaign(
    award_sample: AwardSample, store: Store, make_app: Callable[..., InspectorApp]
) -> None:
    async with make_app("en").run_test(size=(120, 40)) as pilot:
        screen = await open_supervisor(pilot)
        pane = screen.query_one(ChartsPane)
        assert pane.figures is None  # the figures go through the whole campaign: read only when looked at
        screen = await open_charts(pilot)
        assert pane.figures is not None and pane.figures.request.campaign_id == award_sample.world.campaign_id
        trend, hazards = charts(screen)
        # Week of 30 May: 90, 94, 96, 97, 95, 86, 88, 99, 98, 91 (the superseded 70 not counted); of 6 June: 92, 84, 97.
        assert trend_of(trend) == [[(WEEK_1, 93.4, 10), (WEEK_2, 91.0, 3)]]
        assert hazards_of(hazards) == {
            "U1-W1": (2, 0, 1),  # both units have a W1 and a W2: the unit's code tells them apart
            "U1-W2": (1, 0, 1),
            "U2-W1": (0, 0, 0),
            "U2-W2": (1, 0, 0),
        }
        with store.session() as session:  # the same figures as the PDF summary's
            campaign = award_sample.world.campaign_id
            assert trend.points == score_trend(session, campaign)
            assert hazards.rows == hazard_counts(session, campaign, lang="en", codes=True)
        assert trend.border_title == "Score trend (weekly average)"
        assert hazards.border_title == "Hazards by workshop"
        assert "General" in str(hazards.border_subtitle) and "Major" in str(hazards.border_subtitle)
        drawn = str(trend.render())
        assert "05-30" in drawn and "06-06" in drawn and "100" in drawn
        bars = str(hazards.render())
        assert "U1-W1" in bars and "█" in bars
        assert screen.focused is screen.query_one("#sup-charts")


async def test_charts_follow_the_unit_filter_and_the_language(
    award_sample: AwardSample, make_app: Callable[..., InspectorApp]
) -> None:
    async with make_app("en").run_test(size=(120, 40)) as pilot:
        screen = await open_charts(pilot)
        trend, hazards = charts(screen)
        screen.query_one("#sup-unit", Select).value = str(award_sample.world.units["U2"])
        await settle(pilot)
        assert trend_of(trend) == [[(WEEK_1, 96.0, 3), (WEEK_2, 97.0, 1)]]  # 99, 98, 91 | 97
        assert hazards_of(hazards) == {"W1": (0, 0, 0), "W2": (1, 0, 0)}  # one unit: its codes are distinct
        await pilot.press("f2")
        await settle(pilot)
        assert trend.border_title == "得分趋势（按周平均）"
        assert hazards.border_title == "各车间隐患数量"
        assert hazards_of(hazards) == {"W1": (0, 0, 0), "W2": (1, 0, 0)}
        assert "一般隐患" in str(hazards.border_subtitle)
        assert "W2" in str(hazards.render())
        screen.query_one("#sup-unit", Select).value = ""
        await settle(pilot)
        assert len(hazards.rows) == 4 and trend_of(trend)[0][0] == (WEEK_1, 93.4, 10)


async def test_a_leaderboard_row_is_compared_with_its_scope(
    award_sample: AwardSample, make_app: Callable[..., InspectorApp]
) -> None:
    async with make_app("zh").run_test(size=(80, 24)) as pilot:
        screen = await open_supervisor(pilot)
        await pilot.press("1", "down", "down", "enter")  # the third row: U1W1T1班, 92.0
        await settle(pilot)
        assert screen.query_one("#sup-tabs", TabbedContent).active == "tab-charts"
        trend, _hazards = charts(screen)
        assert [line.label for line in trend.lines] == ["U1W1T1班", "全部单位"]
        assert trend_of(trend) == [[(WEEK_1, 92.0, 2), (WEEK_2, 92.0, 1)], [(WEEK_1, 93.4, 10), (WEEK_2, 91.0, 3)]]
        assert "U1W1T1班" in str(trend.border_subtitle) and "Esc" in str(trend.border_subtitle)
        await pilot.press("escape")
        await settle(pilot)
        assert [line.label for line in trend.lines] == ["全部单位"]
        assert trend_of(trend) == [[(WEEK_1, 93.4, 10), (WEEK_2, 91.0, 3)]]
        # A workshop row, compared with its unit; changing the unit filter ends the comparison.
        screen.query_one("#sup-level", Select).value = "workshop"
        screen.query_one("#sup-unit", Select).value = str(award_sample.world.units["U1"])
        await settle(pilot)
        await pilot.press("1", "up", "up", "enter")  # U1W1车间 leads U1's workshops
        await settle(pilot)
        assert [line.label for line in trend.lines] == ["U1W1车间", "U1分厂"]
        assert trend_of(trend)[0] == [(WEEK_1, (90 + 94 + 96 + 97 + 95) / 5, 5), (WEEK_2, 92.0, 1)]
        screen.query_one("#sup-unit", Select).value = ""
        await settle(pilot)
        assert [line.label for line in trend.lines] == ["全部单位"]


async def test_charts_follow_the_campaign(
    award_sample: AwardSample, store: Store, make_app: Callable[..., InspectorApp]
) -> None:
    with store.session(skip_outbox=True) as session:
        session.add(
            Campaign(
                id=uuid.UUID(int=7),
                code="AAA-2023",
                name_zh="新活动",
                name_en="New campaign",
                number=22,
                starts_on=date(2023, 6, 1),
                ends_on=date(2023, 6, 30),
                active=False,
            )
        )
        session.commit()
    async with make_app("en").run_test(size=(120, 40)) as pilot:
        screen = await open_charts(pilot)
        trend, hazards = charts(screen)
        assert screen.data is not None and screen.data.campaign.code == "SPM-2022"  # the active one first

        async def pick(code: str) -> None:
            await pilot.press("c")
            await settle(pilot)
            await pilot.press(*code.lower(), "enter")  # the picker's filter, then its highlighted option
            await settle(pilot)
            assert screen.data is not None and screen.data.campaign.code == code

        await pick("AAA-2023")
        assert trend.lines[0].points == [] and hazards.rows == []
        assert trend.border_title == "Score trend (weekly average) · no signed inspections yet"
        assert hazards.border_title == "Hazards by workshop · no signed inspections yet"
        await pick("SPM-2022")
        assert trend_of(trend) == [[(WEEK_1, 93.4, 10), (WEEK_2, 91.0, 3)]]
        assert len(hazards.rows) == 4


async def test_figures_are_read_once_per_question(
    award_sample: AwardSample, make_app: Callable[..., InspectorApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    import screens.supervisor_charts as module

    asked: list[ChartRequest] = []
    real = module.load_charts

    def counted(session: Any, request: ChartRequest) -> ChartFigures:
        asked.append(request)
        return real(session, request)

    monkeypatch.setattr(module, "load_charts", counted)
    async with make_app("en").run_test(size=(80, 24)) as pilot:
        screen = await open_charts(pilot)
        assert [(r.unit_id, r.subject, r.lang) for r in asked] == [(None, None, "en")]
        await pilot.press("1", "6")  # back to the tab: the figures are still the ones asked for
        await settle(pilot)
        assert len(asked) == 1
        await pilot.press("f2")  # workshop names come in the other language
        await settle(pilot)
        assert [r.lang for r in asked] == ["en", "zh"]
        await pilot.press("1", "enter")  # one read for the compared row, though the tab opens and is asked to draw
        await settle(pilot)
        assert len(asked) == 3 and asked[-1].subject is not None
        await pilot.press("r")
        await settle(pilot)
        assert len(asked) == 4 and asked[-1] == asked[-2]
        assert screen.query_one(ChartsPane).figures is not None


def test_trend_scope_of_a_row_matches_the_domain(award_sample: AwardSample, store: Store) -> None:
    from screens.supervisor_charts import load_charts

    world = award_sample.world
    with store.session() as session:
        figures = load_charts(session, ChartRequest(world.campaign_id, world.units["U1"], None, "zh"))
        assert figures.trend == score_trend(session, world.campaign_id, Scope(unit_id=world.units["U1"]))
        assert figures.subject_trend == []
        assert [name for name, _ in figures.hazards] == ["W1", "W2"]
        assert all(isinstance(p, TrendPoint) for p in figures.trend)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_hazard_bars_are_labelled_distinctly_at_80_columns(
    award_sample: AwardSample, make_app: Callable[..., InspectorApp], lang: str
) -> None:
    async with make_app(lang).run_test(size=(80, 24)) as pilot:
        screen = await open_charts(pilot)
        _trend, hazards = charts(screen)
        drawn = str(hazards.render())  # drawn for its size (at 80×24 it is below the trend, scrolled to)
        assert hazards.shown == ["U1-W1", "U1-W2", "U2-W1", "U2-W2"]  # whole, not cut to the units' names
        assert all(label in drawn for label in hazards.shown)


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SCENARIOS = {"charts": ("6",), "compare": ("1", "down", "down", "enter")}


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
        await pilot.press(*SCENARIOS[scenario])
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(lang), terminal_size=size, run_before=before)


def test_chart_texts_exist_in_both_languages() -> None:
    import re
    from pathlib import Path

    import screens.messages.charts as catalogue
    from inspector.i18n import _CATALOG, known_keys

    root = Path(__file__).resolve().parents[2] / "screens"
    used = set(re.findall(r"""\btr\(\s*f?["']([a-z_]+\.[a-z_.]+)["']""", (root / "supervisor_charts.py").read_text()))
    assert {"summary.trend", "summary.hazard_chart", "sup.chart.no_inspections", "sup.chart.more"} <= used
    assert sorted(used - known_keys()) == []
    assert all(f"rpt.hazard.{grade}" in known_keys() for grade in ("general", "significant", "major"))
    for key in re.findall(r'^\s+"([a-z_.]+)": \(', Path(catalogue.__file__ or "").read_text(), flags=re.M):
        zh, en = _CATALOG[key]
        assert zh and en and re.search(r"[\u4e00-\u9fff]", zh), key
