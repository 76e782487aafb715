"""Terminal charts: the score trend and hazard counts draw what they are given, in the screen's language."""

from __future__ import annotations

import asyncio
from datetime import date

from textual.app import App, ComposeResult

from inspector.reports.trends import TrendPoint
from screens.widgets.charts import HazardChart, ScoreTrendChart

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


def rendered(widget: ScoreTrendChart | HazardChart) -> str:
    return str(widget.render())


def test_charts_draw_their_data_and_titles() -> None:
    async def run() -> None:
        app = ChartsApp()
        async with app.run_test(size=(80, 34)) as pilot:
            trend = app.query_one(ScoreTrendChart)
            hazards = app.query_one(HazardChart)
            trend.show_trend(POINTS, title="得分趋势（按周平均）")
            hazards.show_counts(ROWS, grades=GRADES, title="各车间隐患数量")
            await pilot.pause()
            text = rendered(trend)
            assert "得分趋势" in text and "06-06" in text and "06-13" in text
            assert "100" in text  # the 0–100 scale
            bars = rendered(hazards)
            assert "各车间隐患数量" in bars and "熔铸车间" in bars and "一般隐患" in bars and "█" in bars
            trend.show_trend([], title="Score trend", empty="no signed inspections")
            await pilot.pause()
            assert "no signed inspections" in rendered(trend)

    asyncio.run(run())
