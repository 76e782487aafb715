"""Figures behind the charts people would rather look at than read: score trends and hazard counts, for a whole
campaign or narrowed to a unit, workshop or team (the team leader's and supervisor's screens use them)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import mean
from typing import Any

from sqlmodel import Session, col, func, select

from inspector.awards.figures import counted_inspections
from inspector.models import Finding, HazardGrade, Inspection, Team, Unit, Workshop

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


def _in_scope(query: Any, campaign_id: uuid.UUID, scope: Scope, score_templates: Iterable[str] = ()) -> Any:
    """``query`` narrowed to the inspections that count: signed, not superseded, in the campaign and ``scope`` —
    and, given ``score_templates``, of those checklists only (the same condition the leaderboard uses)."""
    query = query.where(counted_inspections(campaign_id, score_templates))
    if scope.team_id is not None:
        query = query.where(Inspection.team_id == scope.team_id)
    if scope.workshop_id is not None:
        query = query.where(Inspection.workshop_id == scope.workshop_id)
    if scope.unit_id is not None:
        workshops = select(Workshop.id).where(Workshop.unit_id == scope.unit_id)
        query = query.where(col(Inspection.workshop_id).in_(workshops))
    return query


def _weekly(scores: Iterable[tuple[datetime | None, float | None]]) -> list[TrendPoint]:
    weeks: dict[date, list[float]] = defaultdict(list)
    for signed_at, percent in scores:
        if signed_at is not None and percent is not None:
            day = signed_at.date()
            weeks[day - timedelta(days=day.weekday())].append(float(percent))
    return [TrendPoint(week, round(mean(values), 1), len(values)) for week, values in sorted(weeks.items())]


def weekly_trend(inspections: list[Inspection]) -> list[TrendPoint]:
    """Weekly (Monday-based) average of the signed scores of ``inspections``."""
    return _weekly((i.signed_at, i.score_percent) for i in inspections)


def score_trend(
    session: Session, campaign_id: uuid.UUID, scope: Scope | None = None, *, score_templates: Iterable[str] = ()
) -> list[TrendPoint]:
    """The weekly score trend of a campaign, or of one unit, workshop or team.

    ``score_templates``: the checklist codes whose scores count (the award rules' ``score_templates``; empty: every
    checklist) — pass the campaign's so the trend agrees with the leaderboard."""
    # Two columns rather than whole rows: a campaign of a large group has tens of thousands of inspections.
    query = _in_scope(
        select(Inspection.signed_at, Inspection.score_percent), campaign_id, scope or Scope(), score_templates
    )
    return _weekly(session.exec(query).all())


def workshop_codes(workshops: Iterable[Workshop], unit_codes: dict[uuid.UUID, str]) -> dict[uuid.UUID, str]:
    """A short label per workshop that tells them apart in both languages: its code, with its unit's code in front
    (``U2-W1``) when another of ``workshops`` has the same code in another unit (codes are unique per unit)."""
    listed = list(workshops)
    seen: defaultdict[str, int] = defaultdict(int)
    for workshop in listed:
        seen[workshop.code] += 1
    return {w.id: w.code if seen[w.code] == 1 else f"{unit_codes.get(w.unit_id, '?')}-{w.code}" for w in listed}


def hazard_counts(
    session: Session,
    campaign_id: uuid.UUID,
    scope: Scope | None = None,
    *,
    by: str = "workshop",
    lang: str = "zh",
    codes: bool = False,
) -> list[tuple[str, dict[str, int]]]:
    """Hazards found per workshop (``by="workshop"``) or per team (``by="team"``), counted by grade, in name order.

    Only places with at least one signed inspection in scope appear. ``codes``: workshops are named by their short,
    distinct code (:func:`workshop_codes`) instead of their name — what a chart with narrow bars can print.
    """
    if by not in ("workshop", "team"):
        raise ValueError(f"hazard counts are by workshop or team, not {by!r}")
    if codes and by != "workshop":
        raise ValueError("hazard counts are named by code only by workshop")
    scope = scope or Scope()
    place_col = col(Inspection.workshop_id) if by == "workshop" else col(Inspection.team_id)
    places = {
        place
        for place in session.exec(_in_scope(select(place_col).distinct(), campaign_id, scope)).all()
        if place is not None
    }
    names: dict[uuid.UUID, str] = {}
    if by == "workshop":
        found_workshops = session.exec(select(Workshop).where(col(Workshop.id).in_(places))).all()
        if codes:
            unit_codes = {u.id: u.code for u in session.exec(select(Unit)).all()}
            names = workshop_codes(found_workshops, unit_codes)
        else:
            names = {w.id: w.name(lang) for w in found_workshops}
    else:
        names = {t.id: t.name(lang) for t in session.exec(select(Team).where(col(Team.id).in_(places))).all()}
    counts: dict[uuid.UUID, dict[str, int]] = {place: dict.fromkeys(GRADES, 0) for place in places}
    # Counted in the database, grouped by the inspection's place, the finding's own team and the grade.
    found = _in_scope(
        select(place_col, col(Finding.team_id), col(Finding.grade), func.count())
        .join(Inspection, col(Finding.inspection_id) == col(Inspection.id))
        .group_by(place_col, col(Finding.team_id), col(Finding.grade)),
        campaign_id,
        scope,
    )
    for owner, finding_team, grade, number in session.exec(found).all():
        place = owner
        if by == "team" and finding_team is not None and finding_team in counts:
            place = finding_team  # a finding about another team (of a counted inspection) counts for that team
        if place is not None:
            counts[place][grade] = counts[place].get(grade, 0) + number
    return sorted(((names.get(p, "—"), c) for p, c in counts.items()), key=lambda row: row[0])
