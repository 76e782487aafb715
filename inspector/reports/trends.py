"""Figures behind the charts people would rather look at than read: score trends and hazard counts, for a whole
campaign or narrowed to a unit, workshop or team (the team leader's and supervisor's screens use them)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import mean

from sqlmodel import Session, col, select

from inspector.models import Finding, HazardGrade, Inspection, InspectionStatus, Team, Workshop

GRADES: tuple[str, ...] = (HazardGrade.GENERAL, HazardGrade.SIGNIFICANT, HazardGrade.MAJOR)


@dataclass(frozen=True)
class TrendPoint:
    """The average score of the inspections signed in the week starting ``week``."""

    week: date
    average: float
    count: int


@dataclass(frozen=True)
class Scope:
    """What to narrow the figures to (all ``None``: the whole campaign)."""

    unit_id: uuid.UUID | None = None
    workshop_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None


def _counted(session: Session, campaign_id: uuid.UUID, scope: Scope) -> list[Inspection]:
    query = select(Inspection).where(
        Inspection.campaign_id == campaign_id,
        Inspection.status == InspectionStatus.SIGNED,
        col(Inspection.superseded_by_id).is_(None),
    )
    if scope.team_id is not None:
        query = query.where(Inspection.team_id == scope.team_id)
    if scope.workshop_id is not None:
        query = query.where(Inspection.workshop_id == scope.workshop_id)
    if scope.unit_id is not None:
        workshops = select(Workshop.id).where(Workshop.unit_id == scope.unit_id)
        query = query.where(col(Inspection.workshop_id).in_(workshops))
    return list(session.exec(query.order_by(col(Inspection.signed_at))).all())


def weekly_trend(inspections: list[Inspection]) -> list[TrendPoint]:
    """Weekly (Monday-based) average of the signed scores of ``inspections``."""
    weeks: dict[date, list[float]] = defaultdict(list)
    for inspection in inspections:
        if inspection.signed_at is not None and inspection.score_percent is not None:
            day = inspection.signed_at.date()
            weeks[day - timedelta(days=day.weekday())].append(float(inspection.score_percent))
    return [TrendPoint(week, round(mean(values), 1), len(values)) for week, values in sorted(weeks.items())]


def score_trend(session: Session, campaign_id: uuid.UUID, scope: Scope | None = None) -> list[TrendPoint]:
    """The weekly score trend of a campaign, or of one unit, workshop or team."""
    return weekly_trend(_counted(session, campaign_id, scope or Scope()))


def hazard_counts(
    session: Session, campaign_id: uuid.UUID, scope: Scope | None = None, *, by: str = "workshop", lang: str = "zh"
) -> list[tuple[str, dict[str, int]]]:
    """Hazards found per workshop (``by="workshop"``) or per team (``by="team"``), counted by grade, in name order.

    Only places with at least one signed inspection in scope appear.
    """
    if by not in ("workshop", "team"):
        raise ValueError(f"hazard counts are by workshop or team, not {by!r}")
    inspections = _counted(session, campaign_id, scope or Scope())
    owner: dict[uuid.UUID, uuid.UUID | None] = {
        i.id: (i.workshop_id if by == "workshop" else i.team_id) for i in inspections
    }
    places = {key for key in owner.values() if key is not None}
    names: dict[uuid.UUID, str] = {}
    if by == "workshop":
        names = {w.id: w.name(lang) for w in session.exec(select(Workshop).where(col(Workshop.id).in_(places))).all()}
    else:
        names = {t.id: t.name(lang) for t in session.exec(select(Team).where(col(Team.id).in_(places))).all()}
    counts: dict[uuid.UUID, dict[str, int]] = {place: dict.fromkeys(GRADES, 0) for place in places}
    if owner:
        for finding in session.exec(select(Finding).where(col(Finding.inspection_id).in_(list(owner)))).all():
            place = owner.get(finding.inspection_id)
            if by == "team" and finding.team_id is not None:
                place = finding.team_id if finding.team_id in counts else place
            if place is not None:
                counts[place][finding.grade] = counts[place].get(finding.grade, 0) + 1
    return sorted(((names.get(p, "—"), c) for p, c in counts.items()), key=lambda row: row[0])
