"""The supervisor's charts tab: the campaign's weekly score trend (of the whole group or the chosen unit, and of one
leaderboard row against it) and hazards by grade per workshop. The figures are read on the database thread and
drawn in the screen's language (kept apart so the screen module stays about the screen's behaviour)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import VerticalScroll

import screens.messages.charts  # noqa: F401  (registers the texts)
from inspector.reports.trends import GRADES, Scope, TrendPoint, hazard_counts, score_trend
from screens.widgets.charts import HazardChart, ScoreTrendChart

if TYPE_CHECKING:
    from inspector.awards.figures import Subject
    from inspector.store import StoreSession
    from screens.base import InspectorScreen


@dataclass(frozen=True)
class ChartRequest:
    """What the charts show: a campaign, narrowed to a unit or not, maybe one leaderboard row, in a language
    (workshop names come from the database in it). ``score_templates``: the checklists whose scores count — the
    ones the leaderboard counts (the award rules'; empty: every checklist), so the trend agrees with its rows."""

    campaign_id: uuid.UUID
    unit_id: uuid.UUID | None
    subject: Subject | None
    lang: str
    score_templates: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChartFigures:
    """The figures behind the charts tab, for :attr:`request`."""

    request: ChartRequest
    #: The weekly trend of the scope (the group, or the chosen unit).
    trend: list[TrendPoint]
    #: The weekly trend of the chosen leaderboard row (empty without one).
    subject_trend: list[TrendPoint]
    #: (workshop code, {grade: count}) in the scope, in code order (codes fit a bar's width; names do not).
    hazards: list[tuple[str, dict[str, int]]]


def subject_scope(subject: Subject) -> Scope:
    """The trend scope of a leaderboard row (a team, workshop or unit)."""
    if subject.level == "team":
        return Scope(team_id=subject.id)
    if subject.level == "workshop":
        return Scope(workshop_id=subject.id)
    return Scope(unit_id=subject.id)


def load_charts(session: StoreSession, request: ChartRequest) -> ChartFigures:
    """Read the figures for ``request`` (on the database thread)."""
    scope = Scope(unit_id=request.unit_id)
    subject = request.subject
    counted = request.score_templates
    return ChartFigures(
        request,
        score_trend(session, request.campaign_id, scope, score_templates=counted),
        score_trend(session, request.campaign_id, subject_scope(subject), score_templates=counted)
        if subject is not None
        else [],
        # by code: a name cut to a bar's width was the unit's name over and over (三…, Gaom…)
        hazard_counts(session, request.campaign_id, scope, by="workshop", lang=request.lang, codes=True),
    )


class ChartsPane(VerticalScroll):
    """The charts tab's content: the two charts one above the other (the tab scrolls when they do not both fit).

    It keeps the figures it drew and reads new ones through the screen's database queue only when asked for
    something else while it is on view: the figures go through the whole campaign."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.figures: ChartFigures | None = None
        self._wanted: ChartRequest | None = None
        self._reading: ChartRequest | None = None
        self._scope_name = ""

    def compose(self) -> ComposeResult:
        yield ScoreTrendChart(id="sup-trend")
        yield HazardChart(id="sup-hazards")

    @property
    def _screen(self) -> InspectorScreen[None]:
        return cast("InspectorScreen[None]", self.screen)

    def forget(self) -> None:
        """Read the figures again next time (the supervisor asked for a refresh)."""
        self.figures = self._reading = None

    def follow(self, request: ChartRequest, scope_name: str, *, on_view: bool) -> None:
        """Show the figures of ``request``; ``scope_name`` names the whole scope's line ("All units", a unit)."""
        self._wanted, self._scope_name = request, scope_name
        if self.figures is not None and self.figures.request == request:
            self._draw(self.figures)
        elif on_view and self._reading != request:
            self._reading = request
            self._screen.run_db(lambda session: load_charts(session, request), self._loaded)

    def _loaded(self, figures: ChartFigures) -> None:
        if figures.request == self._reading:
            self._reading = None
        if figures.request == self._wanted:  # not overtaken by a filter or language change
            self.figures = figures
            self._draw(figures)

    def _draw(self, figures: ChartFigures) -> None:
        screen = self._screen
        trend, hazards = self.query_one(ScoreTrendChart), self.query_one(HazardChart)
        subject = figures.request.subject
        title, no_inspections = screen.tr("summary.trend"), screen.tr("sup.chart.no_inspections")
        if subject is None:
            trend.show_trend(figures.trend, title=title, empty=no_inspections, label=self._scope_name)
            trend.border_subtitle = screen.tr("sup.chart.hint")
        else:
            trend.show_trend(
                figures.subject_trend,
                title=title,
                empty=no_inspections,
                label=subject.name(screen.lang),
                compare=figures.trend,
                compare_label=self._scope_name,
            )
            trend.border_subtitle = f"{trend.border_subtitle} · {screen.tr('sup.chart.clear_hint')}"
        title = screen.tr("summary.hazard_chart")
        if figures.hazards and not any(sum(counts.values()) for _name, counts in figures.hazards):
            title = f"{title} · {screen.tr('sup.chart.no_hazards')}"
        hazards.show_counts(
            figures.hazards,
            grades=[(grade, screen.tr(f"rpt.hazard.{grade}")) for grade in GRADES],
            title=title,
            empty=no_inspections,
            more=screen.tr("sup.chart.more", shown="{shown}", total="{total}"),
        )
