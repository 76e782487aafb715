"""The supervisor's charts tab: the campaign's weekly score trend (of the whole group or the chosen unit, and of one
leaderboard row against it) and hazards by grade per workshop. Loading runs on the database thread; drawing
takes the figures and the screen's language (kept apart so the screen module stays about behaviour)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import screens.messages.charts  # noqa: F401  (registers the texts)
from inspector.reports.trends import GRADES, Scope, TrendPoint, hazard_counts, score_trend

if TYPE_CHECKING:
    from inspector.awards.figures import Subject
    from inspector.store import StoreSession
    from screens.base import LocalizedMixin
    from screens.widgets.charts import HazardChart, ScoreTrendChart


@dataclass(frozen=True)
class ChartRequest:
    """What the charts show: a campaign, narrowed to a unit or not, maybe one leaderboard row, in a language
    (workshop names come from the database in it)."""

    campaign_id: uuid.UUID
    unit_id: uuid.UUID | None
    subject: Subject | None
    lang: str


@dataclass(frozen=True)
class ChartFigures:
    """The figures behind the charts tab, for :attr:`request`."""

    request: ChartRequest
    #: The weekly trend of the scope (the group, or the chosen unit).
    trend: list[TrendPoint]
    #: The weekly trend of the chosen leaderboard row (empty without one).
    subject_trend: list[TrendPoint]
    #: (workshop name, {grade: count}) in the scope, in name order.
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
    return ChartFigures(
        request,
        score_trend(session, request.campaign_id, scope),
        score_trend(session, request.campaign_id, subject_scope(subject)) if subject is not None else [],
        hazard_counts(session, request.campaign_id, scope, by="workshop", lang=request.lang),
    )


def fill_charts(
    screen: LocalizedMixin,
    trend: ScoreTrendChart,
    hazards: HazardChart,
    figures: ChartFigures,
    scope_name: str,
) -> None:
    """Draw ``figures`` in the screen's language; ``scope_name`` names the whole-scope line ("All units", a unit)."""
    lang = screen.lang
    subject = figures.request.subject
    no_inspections = screen.tr("sup.chart.no_inspections")
    if subject is None:
        trend.show_trend(figures.trend, title=screen.tr("summary.trend"), empty=no_inspections, label=scope_name)
        trend.border_subtitle = screen.tr("sup.chart.hint")
    else:
        trend.show_trend(
            figures.subject_trend,
            title=screen.tr("summary.trend"),
            empty=no_inspections,
            label=subject.name(lang),
            compare=figures.trend,
            compare_label=scope_name,
        )
        trend.border_subtitle = f"{trend.border_subtitle} · {screen.tr('sup.chart.clear_hint')}"
    any_hazard = any(sum(counts.values()) for _name, counts in figures.hazards)
    hazards.show_counts(
        figures.hazards,
        grades=[(grade, screen.tr(f"rpt.hazard.{grade}")) for grade in GRADES],
        title=screen.tr("summary.hazard_chart")
        if any_hazard or not figures.hazards
        else f"{screen.tr('summary.hazard_chart')} · {screen.tr('sup.chart.no_hazards')}",
        empty=no_inspections,
        more=screen.tr("sup.chart.more", shown="{shown}", total="{total}"),
    )
