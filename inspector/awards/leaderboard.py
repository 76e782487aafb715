"""The supervisor's leaderboard per level and the inspector-consistency view, from SQL aggregates.

Consistency answers "how differently do inspectors score the same team?": for every team scored by two or more
inspectors, each inspector's mean on it and the spread between the highest and lowest mean; for every inspector,
the mean deviation of their scores from the team means (positive: more lenient than colleagues on the same teams).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from inspector.awards.figures import (
    INSPECTION,
    Subject,
    counted_inspections,
    inspection_figures,
    order_figures,
    round_half_up,
    subjects,
)
from inspector.models import Person


@dataclass(frozen=True)
class LeaderRow:
    """One team, workshop or unit on the leaderboard."""

    rank: int | None
    subject: Subject
    inspections: int
    average: float | None
    lowest: float | None
    vetoes: int
    hazards: int
    overdue: int
    open_major: int
    on_time_rate: float


def leaderboard(
    session: Session,
    *,
    campaign_id: uuid.UUID,
    level: str,
    as_of: date,
    unit_id: uuid.UUID | None = None,
    search: str = "",
    score_templates: tuple[str, ...] = (),
) -> list[LeaderRow]:
    """Every subject of ``level`` ranked by average score (then inspections), filtered by unit and text.

    Subjects without a scored inspection come last without a rank. Ranks are over the whole group, before the
    filter, so a filtered list still shows each subject's group-wide place."""
    people = subjects(session, level, campaign_id)
    scores = inspection_figures(session, campaign_id=campaign_id, level=level, score_templates=score_templates)
    orders = order_figures(session, campaign_id=campaign_id, level=level, as_of=as_of)
    rows: list[LeaderRow] = []
    for subject in people:
        s = scores.get(subject.id, {})
        o = orders.get(subject.id, {})
        rows.append(
            LeaderRow(
                None,
                subject,
                int(s.get("inspection_count") or 0),
                s.get("average_score"),
                s.get("lowest_score"),
                int(s.get("veto_events") or 0),
                int(o.get("hazards") or 0),
                int(o.get("overdue_orders") or 0),
                int(o.get("open_major_hazards") or 0),
                float(o.get("on_time_rectification_rate", 100.0) or 0.0),
            )
        )
    rows.sort(key=lambda r: (r.average is None, -(r.average or 0.0), -r.inspections, r.subject.code))
    ranked: list[LeaderRow] = []
    previous: tuple[float | None, int] | None = None
    current = 0
    for position, row in enumerate(rows, start=1):
        if row.average is None:
            ranked.append(row)
            continue
        key = (row.average, row.inspections)
        if key != previous:
            current, previous = position, key
        ranked.append(_with_rank(row, current))
    needle = search.strip().lower()
    return [
        r
        for r in ranked
        if (unit_id is None or r.subject.unit_id == unit_id)
        and (
            not needle
            or needle in r.subject.code.lower()
            or needle in r.subject.name_zh.lower()
            or needle in r.subject.name_en.lower()
            or needle in r.subject.belongs("zh").lower()
            or needle in r.subject.belongs("en").lower()
        )
    ]


def _with_rank(row: LeaderRow, rank: int) -> LeaderRow:
    return LeaderRow(
        rank,
        row.subject,
        row.inspections,
        row.average,
        row.lowest,
        row.vetoes,
        row.hazards,
        row.overdue,
        row.open_major,
        row.on_time_rate,
    )


@dataclass(frozen=True)
class InspectorOnTeam:
    inspector_id: uuid.UUID
    name_zh: str
    name_en: str
    inspections: int
    mean: float


@dataclass(frozen=True)
class TeamSpread:
    """How differently the inspectors who scored one team scored it."""

    subject: Subject
    team_mean: float
    spread: float
    inspectors: tuple[InspectorOnTeam, ...]


@dataclass(frozen=True)
class InspectorBias:
    """One inspector's scores against the team means (teams scored by two or more inspectors only)."""

    inspector_id: uuid.UUID
    name_zh: str
    name_en: str
    inspections: int
    teams: int
    mean_deviation: float
    mean_abs_deviation: float

    def name(self, lang: str) -> str:
        return (self.name_zh or self.name_en) if lang == "zh" else (self.name_en or self.name_zh)


@dataclass(frozen=True)
class Consistency:
    teams: list[TeamSpread]
    inspectors: list[InspectorBias]


def inspector_consistency(
    session: Session, *, campaign_id: uuid.UUID, unit_id: uuid.UUID | None = None, score_templates: tuple[str, ...] = ()
) -> Consistency:
    """Per team the spread of scores by inspector, per inspector the mean deviation from the team mean."""
    score = INSPECTION.c.score_percent
    statement = (
        sa.select(
            INSPECTION.c.team_id,
            INSPECTION.c.inspector_id,
            sa.func.count(score).label("n"),
            sa.func.sum(score).label("total"),
        )
        .where(counted_inspections(campaign_id, score_templates), INSPECTION.c.team_id.is_not(None), score.is_not(None))
        .group_by(INSPECTION.c.team_id, INSPECTION.c.inspector_id)
    )
    cells: dict[uuid.UUID, dict[uuid.UUID, tuple[int, float]]] = defaultdict(dict)
    for row in session.connection().execute(statement):
        cells[row.team_id][row.inspector_id] = (int(row.n), float(row.total))
    teams = {s.id: s for s in subjects(session, "team", campaign_id)}
    person_rows = session.connection().execute(
        sa.select(Person.__table__.c.id, Person.__table__.c.name_zh, Person.__table__.c.name_en)  # type: ignore[attr-defined]
    )
    people = {r.id: (r.name_zh, r.name_en) for r in person_rows}
    spreads: list[TeamSpread] = []
    deviations: dict[uuid.UUID, list[tuple[int, float]]] = defaultdict(list)
    for team_id, by_inspector in cells.items():
        subject = teams.get(team_id)
        if subject is None or len(by_inspector) < 2 or (unit_id is not None and subject.unit_id != unit_id):
            continue
        count = sum(n for n, _ in by_inspector.values())
        team_mean = sum(total for _, total in by_inspector.values()) / count
        members = []
        for inspector_id, (n, total) in by_inspector.items():
            mean = total / n
            deviations[inspector_id].append((n, mean - team_mean))
            zh, en = people.get(inspector_id, (str(inspector_id), ""))
            members.append(InspectorOnTeam(inspector_id, zh, en, n, round_half_up(Decimal(str(mean)))))
        members.sort(key=lambda m: -m.mean)
        spreads.append(
            TeamSpread(
                subject,
                round_half_up(Decimal(str(team_mean))),
                round_half_up(Decimal(str(members[0].mean - members[-1].mean))),
                tuple(members),
            )
        )
    spreads.sort(key=lambda s: (-s.spread, s.subject.code))
    biases = []
    for inspector_id, items in deviations.items():
        n = sum(k for k, _ in items)
        zh, en = people.get(inspector_id, (str(inspector_id), ""))
        biases.append(
            InspectorBias(
                inspector_id,
                zh,
                en,
                n,
                len(items),
                round_half_up(Decimal(str(sum(k * d for k, d in items) / n))),
                round_half_up(Decimal(str(sum(k * abs(d) for k, d in items) / n))),
            )
        )
    biases.sort(key=lambda b: (-abs(b.mean_deviation), b.name_zh))
    return Consistency(spreads, biases)
