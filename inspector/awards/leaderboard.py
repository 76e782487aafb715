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
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session

from inspector.awards.figures import (
    INSPECTION,
    Figure,
    Subject,
    counted_inspections,
    inspection_figures,
    order_figures,
    round_half_up,
    subjects,
)
from inspector.models import Person


class LeaderRow(NamedTuple):
    """One team, workshop or unit on the leaderboard (a tuple: 10,000 of them are made per refresh)."""

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
    needle = search.strip().lower()
    keyed: list[tuple[tuple[bool, float, int, str], Subject, dict[str, Figure] | None]] = []
    for subject in people:
        s = scores.get(subject.key)
        if s is None:
            keyed.append(((True, 0.0, 0, subject.code), subject, None))
        else:
            average = s["average_score"]
            keyed.append(
                ((average is None, -(average or 0.0), -int(s["inspection_count"] or 0), subject.code), subject, s)
            )
    keyed.sort(key=lambda item: item[0])
    rows: list[LeaderRow] = []
    previous: tuple[object, ...] | None = None
    current = 0
    for position, (key, subject, s) in enumerate(keyed, start=1):
        rank: int | None = None
        if not key[0]:  # ranked only with a score; equal average and count share a place (1, 2, 2, 4)
            if key[:3] != previous:
                current, previous = position, key[:3]
            rank = current
        if unit_id is not None and subject.unit_id != unit_id:
            continue
        if needle and not _matches(subject, needle):
            continue
        o = orders.get(subject.key)
        score: tuple[Figure, ...] = (0, None, None, 0)
        if s is not None:
            score = (s["inspection_count"], s["average_score"], s["lowest_score"], s["veto_events"])
        order: tuple[Figure, ...] = (0, 0, 0, 100.0)
        if o is not None:
            order = (o["hazards"], o["overdue_orders"], o["open_major_hazards"], o["on_time_rectification_rate"])
        rows.append(
            LeaderRow(
                rank,
                subject,
                int(score[0] or 0),
                None if score[1] is None else float(score[1]),
                None if score[2] is None else float(score[2]),
                int(score[3] or 0),
                int(order[0] or 0),
                int(order[1] or 0),
                int(order[2] or 0),
                float(order[3] or 0.0),
            )
        )
    return rows


def _matches(subject: Subject, needle: str) -> bool:
    return any(
        needle in text.lower()
        for text in (subject.code, subject.name_zh, subject.name_en, subject.belongs("zh"), subject.belongs("en"))
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
    for row in session.connection().execute(statement).all():
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
