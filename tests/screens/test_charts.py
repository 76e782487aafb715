"""Terminal charts: the score trend and hazard counts draw what they are given, in the screen's language, within
their width (Chinese names take two cells each, and the frame stays whole)."""

from __future__ import annotations

import asyncio
import itertools
from datetime import date

from rich.cells import cell_len
from textual.app import App, ComposeResult

from inspector.reports.trends import TrendPoint
from screens.cells import clip
from screens.widgets.charts import HazardChart, ScorePoint, ScoreSeriesChart, ScoreTrendChart, plot_text

POINTS = [TrendPoint(date(2022, 6, 6), 88.0, 2), TrendPoint(date(2022, 6, 13), 66.7, 1)]
ROWS = [
    ("熔铸车间", {"general": 0, "significant": 0, "major": 1}),
    ("挤压车间", {"general": 2, "significant": 0, "major": 0}),
]
GRADES = [("general", "一般隐患"), ("significant", "较大隐患"), ("major", "重大隐患")]


class ChartsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ScoreTrendChart(id="trend")
        yield HazardChart(id="hazards")


def lines(widget: ScoreTrendChart | HazardChart | ScoreSeriesChart) -> list[str]:
    return str(widget.render()).splitlines()


def test_charts_draw_their_data_and_titles() -> None:
    async def run() -> None:
        app = ChartsApp()
        async with app.run_test(size=(80, 34)) as pilot:
            trend = app.query_one(ScoreTrendChart)
            hazards = app.query_one(HazardChart)
            trend.show_trend(POINTS, title="得分趋势（按周平均）")
            hazards.show_counts(ROWS, grades=GRADES, title="各车间隐患数量")
            await pilot.pause()
            assert trend.border_title == "得分趋势（按周平均）"
            text = "\n".join(lines(trend))
            assert "06-06" in text and "06-13" in text and "100" in text and "60" in text  # from below the lowest
            assert hazards.border_title == "各车间隐患数量"
            assert "一般隐患" in str(hazards.border_subtitle) and "重大隐患" in str(hazards.border_subtitle)
            bars = lines(hazards)
            assert "熔铸车间" in "\n".join(bars) and "█" in "\n".join(bars)
            # Every line of the drawing is exactly as wide as the widget's content, Chinese names included.
            width = hazards.size.width
            assert {cell_len(line) for line in bars} == {width}
            assert {cell_len(line) for line in lines(trend)} == {trend.size.width}
            trend.show_trend([], title="Score trend", empty="no signed inspections")
            await pilot.pause()
            assert trend.border_title == "Score trend · no signed inspections"

    asyncio.run(run())


def test_a_trend_compared_with_its_scope_has_a_legend() -> None:
    async def run() -> None:
        app = ChartsApp()
        async with app.run_test(size=(80, 34)) as pilot:
            trend = app.query_one(ScoreTrendChart)
            trend.show_trend(POINTS[:1], title="T", label="U1W1T1班", compare=POINTS, compare_label="全部单位")
            await pilot.pause()
            assert [line.label for line in trend.lines] == ["U1W1T1班", "全部单位"]
            assert "U1W1T1班" in str(trend.border_subtitle) and "全部单位" in str(trend.border_subtitle)
            assert trend.points == POINTS[:1]

    asyncio.run(run())


def test_places_that_do_not_fit_leave_room_for_those_with_most_hazards() -> None:
    rows = [(f"车间{n:02d}", {"general": n % 4, "significant": 0, "major": 1 if n == 3 else 0}) for n in range(30)]

    async def run() -> None:
        app = ChartsApp()
        async with app.run_test(size=(60, 34)) as pilot:
            hazards = app.query_one(HazardChart)
            hazards.show_counts(rows, grades=GRADES, title="各车间隐患数量", more="前 {shown} 个（共 {total} 个）")
            await pilot.pause()
            await pilot.pause()
            shown = len(hazards.shown)
            assert 0 < shown < 30
            assert hazards.border_title == f"各车间隐患数量 · 前 {shown} 个（共 30 个）"
            assert all(cell_len(name) <= (hazards.size.width - 6) // shown for name in hazards.shown)
            drawn = {name for name, _counts in hazards.drawn}
            assert [name for name, _counts in hazards.drawn] == sorted(drawn)  # still in name order
            least_drawn = min(sum(counts.values()) for _name, counts in hazards.drawn)
            assert all(sum(counts.values()) <= least_drawn for name, counts in rows if name not in drawn)
            assert "车间03" in drawn
            assert {cell_len(line) for line in lines(hazards)} == {hazards.size.width}

    asyncio.run(run())


def test_wide_characters_are_measured_in_cells() -> None:
    assert cell_len(plot_text("U1车间").replace("\ue000", "")) == cell_len("U1车间")
    assert len(plot_text("U1车间")) == cell_len("U1车间")
    assert clip("U1W1车间", 5) == "U1W1…"
    assert clip("车间", 4) == "车间"
    assert cell_len(clip("挤压车间一班", 7)) <= 7


def test_seventeen_workshop_codes_stay_whole_and_distinct_at_80_columns() -> None:
    """The demo group's 17 workshops at 80 columns: fewer bars, each with its whole code under it (not ``S…``)."""
    kinds = ("CAST", "EXTR", "ANOD", "POWR", "COAT", "MOLD", "PACK", "WARE", "DEEP")
    codes = [f"{unit}-{kind}" for unit in ("SS", "NH", "JX", "GM") for kind in kinds][:17]
    rows = [(code, {"general": n % 3 + 1, "significant": 0, "major": 0}) for n, code in enumerate(codes)]

    async def run() -> None:
        app = ChartsApp()
        async with app.run_test(size=(80, 34)) as pilot:
            hazards = app.query_one(HazardChart)
            hazards.show_counts(rows, grades=GRADES, title="各车间隐患数量", more="前 {shown} 个（共 {total} 个）")
            await pilot.pause()
            await pilot.pause()
            assert 1 < len(hazards.shown) < 17
            assert hazards.shown == [code for code, _counts in hazards.drawn]  # none cut
            assert len(set(hazards.shown)) == len(hazards.shown)
            drawn = str(hazards.render())
            assert all(code in drawn for code in hazards.shown)

    asyncio.run(run())


class SeriesApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ScoreSeriesChart(id="series")


def test_score_ticks_are_evenly_spaced_and_labelled_by_their_rows() -> None:
    """Every tick is a whole number of rows from the next, the same number each time, at one step of score: the
    team leader's chart once printed 100/95/85/80/70 on evenly spaced rows."""
    scores = [ScorePoint("06-02", 90.0), ScorePoint("06-04", 94.0), ScorePoint("06-06", 71.0, vetoed=True)]

    async def run() -> None:
        app = SeriesApp()
        async with app.run_test(size=(80, 40)) as pilot:
            chart = app.query_one(ScoreSeriesChart)
            chart.show_scores(scores, title="各次检查得分")
            for height in range(9, 34, 3):
                chart.styles.height = height
                await pilot.pause()
                ticks = [
                    (row, float(line.split("┤")[0].strip("│ ")))
                    for row, line in enumerate(lines(chart))
                    if "┤" in line and line.split("┤")[0].strip("│ ")
                ]
                assert len(ticks) >= 2 and ticks[0][1] == 100.0, (height, ticks)
                assert min(value for _row, value in ticks) <= 70.0, (height, ticks)  # the lowest score is on it
                gaps = {(b[0] - a[0], a[1] - b[1]) for a, b in itertools.pairwise(ticks)}
                assert len(gaps) == 1, (height, ticks)
            assert chart.border_title == "各次检查得分"

    asyncio.run(run())
