"""Charts in the terminal (textual-plotext): the weekly score trend and hazard counts by grade.

The data comes from :mod:`inspector.reports.trends` (``score_trend``, ``hazard_counts``); load it in a worker and
hand it to :meth:`ScoreTrendChart.show_trend` / :meth:`HazardChart.show_counts`. Both charts take their labels
ready translated, so they follow the screen's language.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual_plotext import PlotextPlot

from inspector.reports.trends import TrendPoint

#: Bar colours per hazard grade (general, significant, major) and the score line colour.
GRADE_COLOURS = ("blue", "orange", "red")
LINE_COLOUR = "green"


class ScoreTrendChart(PlotextPlot):
    """A line of weekly average scores (0–100), one point per week, labelled by the week's Monday."""

    DEFAULT_CSS = """
    ScoreTrendChart { height: 14; min-height: 10; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.points: list[TrendPoint] = []

    def show_trend(self, points: Sequence[TrendPoint], *, title: str, empty: str = "—") -> None:
        """Draw ``points`` (an empty list draws an empty frame with ``empty`` in the title)."""
        self.points = list(points)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title if self.points else f"{title} · {empty}")
        plt.ylim(0, 100)
        if self.points:
            xs = [float(n) for n in range(1, len(self.points) + 1)]
            plt.plot(xs, [p.average for p in self.points], marker="braille", color=LINE_COLOUR)
            plt.scatter(xs, [p.average for p in self.points], marker="●", color=LINE_COLOUR)
            plt.xticks(xs, [p.week.strftime("%m-%d") for p in self.points])
            plt.xlim(0.5, len(self.points) + 0.5)
        self.refresh()


class HazardChart(PlotextPlot):
    """Hazard counts per place (workshop or team), one bar per grade side by side."""

    DEFAULT_CSS = """
    HazardChart { height: 16; min-height: 10; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list[tuple[str, dict[str, int]]] = []

    def show_counts(
        self,
        rows: Sequence[tuple[str, dict[str, int]]],
        *,
        grades: Sequence[tuple[str, str]],
        title: str,
        empty: str = "—",
    ) -> None:
        """Draw ``rows`` of (place name, {grade: count}); ``grades`` are (grade key, label) in display order."""
        self.rows = list(rows)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title if self.rows else f"{title} · {empty}")
        if self.rows:
            names = [name for name, _counts in self.rows]
            series = [[counts.get(key, 0) for _name, counts in self.rows] for key, _label in grades]
            # plotext takes a list of labels and colours here; textual-plotext's stub says one of each
            plt.multiple_bar(  # type: ignore[call-arg]
                names,
                series,
                labels=[label for _key, label in grades],
                color=list(GRADE_COLOURS[: len(grades)]),  # type: ignore[arg-type]
            )
        self.refresh()
