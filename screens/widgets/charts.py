"""Charts in the terminal (textual-plotext): the weekly score trend and hazard counts by grade.

The data comes from :mod:`inspector.reports.trends` (``score_trend``, ``hazard_counts``); load it in a worker and
hand it to :meth:`ScoreTrendChart.show_trend` / :meth:`HazardChart.show_counts`. Both charts take their labels
ready translated, so they follow the screen's language. Titles and legends sit in the widget's border (Textual
draws those, Chinese included); the plot itself is redrawn for the widget's size on every render, so ticks and
labels thin out instead of overlapping when the terminal is small.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from plotext._dict import themes as plotext_themes
from rich.cells import cell_len
from rich.markup import escape
from rich.text import Text
from textual.app import RenderResult
from textual.color import Color
from textual_plotext import PlotextPlot
from textual_plotext.plot import Color as PlotColour
from textual_plotext.plot import Plot, _rgbify_theme, _sequence

from inspector.reports.trends import TrendPoint
from screens.cells import clip

#: Bar colours per hazard grade (general, significant, major), as RGB for plotext and hex for the legend.
GRADE_COLOURS: tuple[tuple[int, int, int], ...] = ((66, 133, 244), (255, 152, 0), (229, 57, 53))
#: The line of the chosen team or workshop, and the line of the whole scope it is compared with.
LINE_COLOUR = (67, 160, 71)
SCOPE_COLOUR = (150, 150, 150)

#: plotext counts characters, a terminal counts cells: every double-width character is followed by this
#: placeholder while plotext lays the chart out, and the placeholder is taken out of the finished drawing.
_WIDE_PAD = "\ue000"
#: Columns plotext gives the y-axis tick labels and the frame.
_Y_AXIS = 6
#: The fewest cells a hazard bar gets: its label (a workshop code such as ``SS-CAST``, or ``SS熔铸``) must still
#: be readable under it, so fewer places are drawn rather than every label cut to ``S…``.
_BAR_CELLS = 8


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def plot_text(text: str) -> str:
    """``text`` as plotext should measure it (one placeholder after each double-width character)."""
    return "".join(ch + _WIDE_PAD if cell_len(ch) == 2 else ch for ch in text)


def nice_step(span: float, slots: int, steps: Sequence[float]) -> float:
    """The smallest of ``steps`` that puts at most ``slots`` ticks on ``span``."""
    for step in steps:
        if span / step + 1 <= max(2, slots):
            return step
    return steps[-1]


def score_axis(plt: Plot, values: Sequence[float], height: int) -> None:
    """Put a score axis up to 100 on ``plt`` for a drawing ``height`` rows high, ticked at a nice step (5, 10, 20,
    25 or 50) that lands every tick exactly on a row: the ticks are a whole number of rows apart, so 95 is never one
    row under 100 and two rows over 90. The axis goes down to a round number below the lowest of ``values``."""
    rows = max(2, height - 3)  # the frame above and below, and the dates
    low = max(0.0, math.floor((min(values) - 5) / 10) * 10) if values else 0.0
    need = 100.0 - low
    best: tuple[tuple[bool, bool, bool, float], float, float] | None = None
    for step in (5.0, 10.0, 20.0, 25.0, 50.0):
        for apart in range(1, rows):  # rows between two ticks
            span = (rows - 1) * step / apart
            if span < need:
                break
            # rather ticks two rows apart or more, an axis that stays above 0, three ticks or more on an axis not
            # much longer than needed, then the finest
            few = not (span // step >= 2 and span <= 1.5 * need)
            key = (apart < 2 <= rows - 1, span > 100.0, few, span)
            if best is None or key < best[0]:
                best = (key, step, span)
    if best is None:  # a drawing too small for any tick but 100
        plt.ylim(low, 100)
        plt.yticks([100.0])
        return
    _key, step, span = best
    plt.ylim(100.0 - span, 100)
    plt.yticks([100.0 - n * step for n in range(int(span // step) + 1) if 100.0 - n * step >= 0])


class _CellPlot(Plot):
    """A plotext figure whose drawing is in terminal cells (see :data:`_WIDE_PAD`)."""

    def build(self) -> str:
        return str(super().build()).replace(_WIDE_PAD, "")


class _Chart(PlotextPlot):
    """A plot with its title and legend in its border, drawn afresh for its current size."""

    DEFAULT_CSS = """
    _Chart {
        border: round $primary 50%;
        border-title-color: $text;
        border-title-style: bold;
        border-subtitle-color: $text;
        padding: 0 1 0 0;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._plot = _CellPlot()

    def render(self) -> RenderResult:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self._ensure_theme()
        self.draw(max(1, self.size.width), max(1, self.size.height))
        rendered = super().render()
        return rendered if isinstance(rendered, Text) else Text(str(rendered))

    def draw(self, width: int, height: int) -> None:
        """Plot the data on :attr:`plt` for a drawing of ``width`` × ``height`` cells (subclasses)."""

    def _ensure_theme(self) -> None:
        """Register the plot colours of the app's theme before the first drawing.

        textual-plotext registers them when the widget mounts, in a dict shared by the whole process; a render
        that came first would draw in plotext's default colours in one process and not in another."""
        name = self._get_plotext_theme_name(self.app.theme)
        if self.theme == "auto" and name not in plotext_themes:
            variables = self.app.theme_variables
            surface = Color.parse(variables.get("surface", "black")).rgb
            foreground = Color.parse(variables.get("foreground", "white")).rgb
            sequence: list[PlotColour] = list(_sequence)
            plotext_themes[name] = _rgbify_theme(surface, surface, foreground, "default", sequence)


@dataclass(frozen=True)
class TrendLine:
    """One line of the score trend: its weekly points and its name in the legend."""

    points: Sequence[TrendPoint]
    label: str
    colour: tuple[int, int, int] = LINE_COLOUR


class ScoreTrendChart(_Chart):
    """Weekly average scores, one point per week labelled by the week's Monday; one line, or a team's or
    workshop's line against the line of the whole scope."""

    DEFAULT_CSS = """
    ScoreTrendChart { height: 14; min-height: 10; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.lines: list[TrendLine] = []

    @property
    def points(self) -> list[TrendPoint]:
        """The points of the first (main) line."""
        return list(self.lines[0].points) if self.lines else []

    def show_trend(
        self,
        points: Sequence[TrendPoint],
        *,
        title: str,
        empty: str = "—",
        label: str = "",
        compare: Sequence[TrendPoint] = (),
        compare_label: str = "",
    ) -> None:
        """Draw ``points`` (named ``label`` in the legend), with ``compare`` as a grey line behind it when given.

        Without any point the frame stays empty and the title says ``empty``."""
        self.lines = [TrendLine(points, label)]
        if compare_label:
            self.lines.append(TrendLine(compare, compare_label, SCOPE_COLOUR))
        anything = any(line.points for line in self.lines)
        self.border_title = escape(title if anything else f"{title} · {empty}")
        legend = [f"[{_hex(line.colour)}]●[/] {escape(line.label)}" for line in self.lines if line.label]
        self.border_subtitle = "  ".join(legend) if len(legend) > 1 else ""
        self.refresh()

    def draw(self, width: int, height: int) -> None:
        plt = self.plt
        weeks = sorted({p.week for line in self.lines for p in line.points})
        score_axis(plt, [p.average for line in self.lines for p in line.points], height)
        if not weeks:
            plt.xticks([], [])
            return
        index = {week: n for n, week in enumerate(weeks, start=1)}
        for line in reversed(self.lines):  # the main line last, on top
            if line.points:
                xs = [float(index[p.week]) for p in line.points]
                ys = [p.average for p in line.points]
                plt.plot(xs, ys, marker="braille", color=line.colour)
                plt.scatter(xs, ys, marker="●", color=line.colour)
        every = max(1, math.ceil(len(weeks) * 7 / max(1, width - _Y_AXIS)))
        shown = [n for n in range(1, len(weeks) + 1) if (n - 1) % every == 0]
        plt.xticks([float(n) for n in shown], [weeks[n - 1].strftime("%m-%d") for n in shown])
        plt.xlim(0.5, len(weeks) + 0.5)


@dataclass(frozen=True)
class ScorePoint:
    """One signed inspection's score on :class:`ScoreSeriesChart`: its date label, score and whether it was vetoed."""

    label: str
    score: float
    vetoed: bool = False


class ScoreSeriesChart(_Chart):
    """One team's scores, one point per signed inspection labelled by its date; a vetoed inspection is a red ✘."""

    DEFAULT_CSS = """
    ScoreSeriesChart { height: 14; min-height: 8; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.points: list[ScorePoint] = []

    def show_scores(self, points: Sequence[ScorePoint], *, title: str, empty: str = "—") -> None:
        """Draw ``points`` in order; without any the frame stays empty and the title (in the border) says ``empty``."""
        self.points = list(points)
        self.border_title = escape(title if self.points else f"{title} · {empty}")
        self.refresh()

    def draw(self, width: int, height: int) -> None:
        plt = self.plt
        score_axis(plt, [p.score for p in self.points], height)
        if not self.points:
            plt.xticks([], [])
            return
        xs = [float(n) for n in range(1, len(self.points) + 1)]
        ys = [p.score for p in self.points]
        plt.plot(xs, ys, marker="braille", color=LINE_COLOUR)
        plt.scatter(xs, ys, marker="●", color=LINE_COLOUR)
        vetoed = [(x, p.score) for x, p in zip(xs, self.points, strict=True) if p.vetoed]
        if vetoed:
            plt.scatter([x for x, _y in vetoed], [y for _x, y in vetoed], marker="✘", color=GRADE_COLOURS[2])
        every = max(1, math.ceil(len(xs) * 7 / max(1, width - _Y_AXIS)))  # "06-02" and a space each
        shown = [n for n in range(1, len(xs) + 1) if (n - 1) % every == 0]
        plt.xticks([float(n) for n in shown], [self.points[n - 1].label for n in shown])
        plt.xlim(0.5, len(xs) + 0.5)


class HazardChart(_Chart):
    """Hazard counts per place (workshop or team): one bar per place, stacked by grade."""

    DEFAULT_CSS = """
    HazardChart { height: 16; min-height: 10; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list[tuple[str, dict[str, int]]] = []
        self.grades: list[tuple[str, str]] = []
        #: The places drawn at the last render (all, or those with most hazards) and their names as drawn.
        self.drawn: list[tuple[str, dict[str, int]]] = []
        self.shown: list[str] = []
        self._title = ""
        self._more = ""

    def show_counts(
        self,
        rows: Sequence[tuple[str, dict[str, int]]],
        *,
        grades: Sequence[tuple[str, str]],
        title: str,
        empty: str = "—",
        more: str = "",
    ) -> None:
        """Draw ``rows`` of (place name, {grade: count}); ``grades`` are (grade key, label) in stacking order.

        When the places do not all fit the width, the ones with most hazards are drawn and ``more`` (a text with
        ``{shown}`` and ``{total}``) is added to the title."""
        self.rows = list(rows)
        self.grades = list(grades)
        self._title = title if self.rows else f"{title} · {empty}"
        self._more = more
        self.border_title = escape(self._title)
        self.border_subtitle = "  ".join(
            f"[{_hex(colour)}]█[/] {escape(label)}"
            for (_key, label), colour in zip(grades, GRADE_COLOURS, strict=False)
        )
        self.refresh()

    def _fitting(self, width: int) -> list[tuple[str, dict[str, int]]]:
        """The places that fit ``width`` at :data:`_BAR_CELLS` cells each: all of them, or those with most hazards."""
        room = max(1, (width - _Y_AXIS) // _BAR_CELLS)
        if len(self.rows) <= room:
            return self.rows
        ranked = sorted(range(len(self.rows)), key=lambda n: -sum(self.rows[n][1].values()))[:room]
        return [self.rows[n] for n in sorted(ranked)]  # in the given (name) order

    def draw(self, width: int, height: int) -> None:
        plt = self.plt
        rows = self.drawn = self._fitting(width)
        title = self._title
        if len(rows) < len(self.rows) and self._more:
            title = f"{title} · {self._more.format(shown=len(rows), total=len(self.rows))}"
        if self.border_title != escape(title):  # only when the width changed what fits (this is a render)
            self.border_title = escape(title)
        top = max((sum(counts.get(key, 0) for key, _label in self.grades) for _name, counts in rows), default=0)
        step = int(nice_step(max(top, 1), (height - 3) // 3 + 1, (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)))
        ceiling = max(step, math.ceil(top / step) * step)
        # plotext fills a bar from the row holding its base: with the base half a row below the lowest row, a
        # bar of n hazards is n rows-per-hazard tall (from 0 it would be half a row taller than it should be).
        canvas = max(2, height - 3)  # the frame above and below, and the names
        plt.ylim(0.5 * ceiling / (canvas - 1), ceiling)
        plt.yticks(list(range(step, ceiling + 1, step)))
        if not rows:
            plt.xticks([], [])
            return
        slot = (width - _Y_AXIS) // len(rows)
        self.shown = [clip(name, max(1, slot - 1)) for name, _counts in rows]
        xs = [float(n) for n in range(1, len(rows) + 1)]
        # Stacked by drawing each grade's cumulative height over the one above it (general at the bottom), and
        # only where it is above zero: plotext's own stacked bars paint zero-height parts over the base row.
        keys = [key for key, _label in self.grades]
        for depth in range(len(keys), 0, -1):
            heights = [sum(counts.get(key, 0) for key in keys[:depth]) for _name, counts in rows]
            drawn = [(x, h) for x, h in zip(xs, heights, strict=True) if h > 0]
            if drawn:
                plt.bar([x for x, _h in drawn], [h for _x, h in drawn], color=GRADE_COLOURS[depth - 1], width=0.6)
        plt.xticks(xs, [plot_text(name) for name in self.shown])
        plt.xlim(0.5, len(rows) + 0.5)
