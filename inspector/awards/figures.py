"""The figures behind award decisions, computed with SQL ``GROUP BY`` per level so 10,000 teams stay interactive.

What counts (docs/awards.md says the same in prose):

- **inspections**: signed inspections of the campaign that no signed amendment replaced (an amendment counts, the
  original it supersedes does not), optionally only those of the rule file's ``score_templates``; scores are the
  ones stored at sign-off, never recomputed, so a new template or rule version cannot change them.
- **orders**: rectification orders of findings raised in the campaign's inspections (an amended inspection's orders
  still stand). An order is *closed* on the evaluation date when it was verified (销号) by the end of that day; it is
  *overdue* when not closed and its deadline is before that date; it *counts* for the on-time rate when it is closed
  or overdue, and is *on time* when it closed on or before its deadline. With no order counting the rate is 100.
- **quality**: the team's figures for the campaign; workshops and units take the mean over their teams that have a
  figure (complaints: the sum).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from inspector.models import (
    ChecklistTemplate,
    Finding,
    HazardGrade,
    InnovationProject,
    Inspection,
    InspectionStatus,
    OrderStatus,
    QualityFigure,
    RectificationOrder,
    Team,
    TemplateVersion,
    Unit,
    Workshop,
)

Figure = float | int | None

INSPECTION = Inspection.__table__  # type: ignore[attr-defined]
ORDER = RectificationOrder.__table__  # type: ignore[attr-defined]
FINDING = Finding.__table__  # type: ignore[attr-defined]
TEAM = Team.__table__  # type: ignore[attr-defined]
WORKSHOP = Workshop.__table__  # type: ignore[attr-defined]
UNIT = Unit.__table__  # type: ignore[attr-defined]
QUALITY = QualityFigure.__table__  # type: ignore[attr-defined]
PROJECT = InnovationProject.__table__  # type: ignore[attr-defined]
VERSION = TemplateVersion.__table__  # type: ignore[attr-defined]
TEMPLATE = ChecklistTemplate.__table__  # type: ignore[attr-defined]


def round_half_up(value: Decimal | float, places: int = 1) -> float:
    """``value`` to ``places`` decimals, halves up (as score sheets round)."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def mean_of_tenths(total_tenths: int, count: int) -> float | None:
    """The exact mean of one-decimal scores given as a sum of tenths, rounded half up to one decimal (integer
    arithmetic: no float drift at 89.95, and fast for 10,000 teams)."""
    if count <= 0:
        return None
    return ratio_tenths(total_tenths, count) / 10


def ratio_tenths(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up to an integer (both non-negative, denominator > 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def day_end(day: date) -> datetime:
    """The first moment after ``day`` (UTC): closures before it happened by the end of that day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


@dataclass(slots=True)
class Subject:
    """A team, workshop, unit or innovation project that an award can go to, with where it belongs."""

    id: uuid.UUID
    level: str
    code: str
    name_zh: str
    name_en: str
    unit_zh: str = ""
    unit_en: str = ""
    workshop_zh: str = ""
    workshop_en: str = ""
    team_zh: str = ""
    team_en: str = ""
    unit_id: uuid.UUID | None = None
    workshop_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    #: The id as the database stores it (32 hex digits), when the row was read that way.
    stored_id: str = ""

    @property
    def key(self) -> str:
        """The id as the database stores it: what the figure queries group by."""
        return self.stored_id or self.id.hex

    def name(self, lang: str) -> str:
        return (self.name_zh or self.name_en) if lang == "zh" else (self.name_en or self.name_zh)

    def belongs(self, lang: str) -> str:
        """``unit · workshop`` (and ``· team`` for a project), in ``lang``."""
        zh = lang == "zh"
        parts = [
            (self.unit_zh or self.unit_en) if zh else (self.unit_en or self.unit_zh),
            (self.workshop_zh or self.workshop_en) if zh else (self.workshop_en or self.workshop_zh),
            (self.team_zh or self.team_en) if zh else (self.team_en or self.team_zh),
        ]
        return " · ".join(p for p in parts if p)


@dataclass
class LevelFigures:
    """Every figure of every subject of one level."""

    level: str
    subjects: list[Subject]
    figures: dict[uuid.UUID, dict[str, Figure]] = field(default_factory=dict)


def hex_of(column: Any) -> Any:
    """``column`` read as the stored 32-hex text: grouping keys stay strings, no UUID object per row."""
    return sa.type_coerce(column, sa.String)


class _Ids:
    """UUIDs made once per distinct stored id (units and workshops repeat on every team row)."""

    def __init__(self) -> None:
        self._made: dict[str, uuid.UUID] = {}

    def __call__(self, text: str) -> uuid.UUID:
        found = self._made.get(text)
        if found is None:
            found = self._made[text] = uuid.UUID(hex=text)
        return found


def _fetch(conn: sa.Connection, statement: Any) -> Sequence[Any]:
    return conn.execute(statement).all()


def _driver_rows(session: Session, statement: Any) -> list[tuple[Any, ...]]:
    """Run ``statement`` (parameters bound by SQLAlchemy as usual) and return the driver's plain tuples.

    The aggregate queries return 10,000 rows of ints, floats and hex text that need no conversion; skipping the
    Row objects keeps the evaluation within a small factor of the bare SQL."""
    result = session.connection().execute(statement)
    cursor = result.cursor
    if cursor is None:
        return []
    try:
        rows: list[tuple[Any, ...]] = list(cursor.fetchall())
    finally:
        result.close()
    return rows


def subjects(session: Session, level: str, campaign_id: uuid.UUID) -> list[Subject]:
    """Every team, workshop or unit of the group (or the campaign's innovation projects), in no particular order:
    every list made from them is sorted by what it shows."""
    conn = session.connection()
    ids = _Ids()
    if level == "unit":
        rows = _fetch(
            conn,
            sa.select(hex_of(UNIT.c.id).label("id"), UNIT.c.code, UNIT.c.name_zh, UNIT.c.name_en),
        )
        return [
            Subject(ids(r.id), level, r.code, r.name_zh, r.name_en, unit_id=ids(r.id), stored_id=r.id) for r in rows
        ]
    unit_columns = (
        hex_of(UNIT.c.id).label("unit_id"),
        UNIT.c.code.label("unit_code"),
        UNIT.c.name_zh.label("u_zh"),
        UNIT.c.name_en.label("u_en"),
    )
    if level == "workshop":
        rows = _fetch(
            conn,
            sa.select(
                hex_of(WORKSHOP.c.id).label("id"),
                WORKSHOP.c.code,
                WORKSHOP.c.name_zh,
                WORKSHOP.c.name_en,
                *unit_columns,
            ).join(UNIT, WORKSHOP.c.unit_id == UNIT.c.id),
        )
        return [
            Subject(
                ids(r.id),
                level,
                f"{r.unit_code}/{r.code}",
                r.name_zh,
                r.name_en,
                r.u_zh,
                r.u_en,
                unit_id=ids(r.unit_id),
            )
            for r in rows
        ]
    team_columns = (
        hex_of(TEAM.c.id).label("team_id"),
        TEAM.c.code.label("team_code"),
        TEAM.c.name_zh.label("t_zh"),
        TEAM.c.name_en.label("t_en"),
        hex_of(WORKSHOP.c.id).label("workshop_id"),
        WORKSHOP.c.code.label("workshop_code"),
        WORKSHOP.c.name_zh.label("w_zh"),
        WORKSHOP.c.name_en.label("w_en"),
        *unit_columns,
    )
    if level == "team":
        rows = _fetch(
            conn,
            sa.select(*team_columns)
            .join(WORKSHOP, TEAM.c.workshop_id == WORKSHOP.c.id)
            .join(UNIT, WORKSHOP.c.unit_id == UNIT.c.id),
        )
        found = []
        for (
            team_hex,
            team_code,
            t_zh,
            t_en,
            workshop_hex,
            workshop_code,
            w_zh,
            w_en,
            unit_hex,
            unit_code,
            u_zh,
            u_en,
        ) in rows:
            team_id = uuid.UUID(hex=team_hex)
            found.append(
                Subject(
                    team_id,
                    level,
                    f"{unit_code}/{workshop_code}/{team_code}",
                    t_zh,
                    t_en,
                    u_zh,
                    u_en,
                    w_zh,
                    w_en,
                    unit_id=ids(unit_hex),
                    workshop_id=ids(workshop_hex),
                    team_id=team_id,
                    stored_id=team_hex,
                )
            )
        return found
    rows = _fetch(
        conn,
        sa.select(
            hex_of(PROJECT.c.id).label("id"), PROJECT.c.code, PROJECT.c.title_zh, PROJECT.c.title_en, *team_columns
        )
        .join(TEAM, PROJECT.c.team_id == TEAM.c.id)
        .join(WORKSHOP, TEAM.c.workshop_id == WORKSHOP.c.id)
        .join(UNIT, WORKSHOP.c.unit_id == UNIT.c.id)
        .where(PROJECT.c.campaign_id == campaign_id),
    )
    return [
        Subject(
            ids(r.id),
            level,
            r.code,
            r.title_zh,
            r.title_en,
            r.u_zh,
            r.u_en,
            r.w_zh,
            r.w_en,
            r.t_zh,
            r.t_en,
            unit_id=ids(r.unit_id),
            workshop_id=ids(r.workshop_id),
            team_id=ids(r.team_id),
        )
        for r in rows
    ]


def counted_inspections(campaign_id: uuid.UUID, score_templates: Iterable[str] = ()) -> sa.ColumnElement[bool]:
    """The condition an inspection row meets when it counts in the campaign's figures."""
    condition = sa.and_(
        INSPECTION.c.campaign_id == campaign_id,
        INSPECTION.c.status == InspectionStatus.SIGNED.value,
        INSPECTION.c.superseded_by_id.is_(None),
    )
    codes = list(score_templates)
    if codes:
        versions = (
            sa.select(VERSION.c.id)
            .join(TEMPLATE, VERSION.c.template_id == TEMPLATE.c.id)
            .where(TEMPLATE.c.code.in_(codes))
        )
        condition = sa.and_(condition, INSPECTION.c.template_version_id.in_(versions))
    return condition


def _inspection_key(level: str) -> tuple[Any, list[tuple[Any, Any]]]:
    if level == "team":
        return INSPECTION.c.team_id, []
    if level == "workshop":
        return INSPECTION.c.workshop_id, []
    return WORKSHOP.c.unit_id, [(WORKSHOP, INSPECTION.c.workshop_id == WORKSHOP.c.id)]


def _team_key(level: str, team_column: Any) -> tuple[Any, list[tuple[Any, Any]]]:
    """Group rows that carry a team id by team, workshop or unit."""
    if level == "team":
        return team_column, []
    joins: list[tuple[Any, Any]] = [(TEAM, team_column == TEAM.c.id)]
    if level == "workshop":
        return TEAM.c.workshop_id, joins
    return WORKSHOP.c.unit_id, [*joins, (WORKSHOP, TEAM.c.workshop_id == WORKSHOP.c.id)]


def _select_from(base: Any, joins: list[tuple[Any, Any]]) -> Any:
    for table, on in joins:
        base = base.join(table, on)
    return base


def inspection_figures(
    session: Session, *, campaign_id: uuid.UUID, level: str, score_templates: Iterable[str] = ()
) -> dict[str, dict[str, Figure]]:
    """inspection_count, average_score, lowest_score and veto_events per subject of ``level``."""
    key, joins = _inspection_key(level)
    score = INSPECTION.c.score_percent
    statement = (
        sa.select(
            hex_of(key).label("key"),
            sa.func.count().label("n"),
            sa.func.count(score).label("scored"),
            sa.func.sum(sa.cast(sa.func.round(score * 10), sa.Integer)).label("tenths"),
            sa.func.min(score).label("lowest"),
            sa.func.sum(sa.cast(INSPECTION.c.vetoed, sa.Integer)).label("vetoes"),
        )
        .select_from(_select_from(INSPECTION, joins))
        .where(counted_inspections(campaign_id, score_templates), key.is_not(None))
        .group_by(key)
    )
    found: dict[str, dict[str, Figure]] = {}
    # plain tuples from the driver: SUM/COUNT/MIN come back as Python ints and floats already
    for key_text, n, scored, tenths, lowest, vetoes in _driver_rows(session, statement):
        found[key_text] = {
            "inspection_count": n,
            "average_score": mean_of_tenths(tenths or 0, scored),
            "lowest_score": lowest,
            "veto_events": vetoes or 0,
        }
    return found


def order_figures(session: Session, *, campaign_id: uuid.UUID, level: str, as_of: date) -> dict[str, dict[str, Figure]]:
    """hazards, major_hazards, open_major_hazards, overdue_orders and on_time_rectification_rate per subject."""
    key, joins = _team_key(level, ORDER.c.team_id)
    cutoff = day_end(as_of)
    closed = sa.and_(ORDER.c.status == OrderStatus.CLOSED.value, ORDER.c.closed_at < cutoff)
    major = FINDING.c.grade == HazardGrade.MAJOR.value
    overdue = sa.and_(sa.not_(closed), ORDER.c.deadline < as_of)
    on_time = sa.and_(closed, sa.func.date(ORDER.c.closed_at) <= ORDER.c.deadline)

    def total(condition: Any) -> Any:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    base = ORDER.join(FINDING, ORDER.c.finding_id == FINDING.c.id).join(
        INSPECTION, FINDING.c.inspection_id == INSPECTION.c.id
    )
    statement = (
        sa.select(
            hex_of(key).label("key"),
            sa.func.count().label("n"),
            total(major).label("major"),
            total(sa.and_(major, sa.not_(closed))).label("open_major"),
            total(overdue).label("overdue"),
            total(sa.or_(closed, overdue)).label("due"),
            total(on_time).label("on_time"),
        )
        .select_from(_select_from(base, joins))
        .where(INSPECTION.c.campaign_id == campaign_id)
        .group_by(key)
    )
    found: dict[str, dict[str, Figure]] = {}
    for key_text, n, major_count, open_major, overdue_count, due, on_time_count in _driver_rows(session, statement):
        found[key_text] = {
            "hazards": n,
            "major_hazards": major_count or 0,
            "open_major_hazards": open_major or 0,
            "overdue_orders": overdue_count or 0,
            "on_time_rectification_rate": ratio_tenths((on_time_count or 0) * 1000, due) / 10 if due else 100.0,
        }
    return found


QUALITY_MEANS = ("first_pass_yield", "defect_rate", "rework_rate", "six_s_score")


def quality_figures(session: Session, *, campaign_id: uuid.UUID, level: str) -> dict[str, dict[str, Figure]]:
    """The quality figures (team) or their means over teams (complaints: sum) per subject."""
    key, joins = _team_key(level, QUALITY.c.team_id)
    statement = (
        sa.select(
            hex_of(key).label("key"),
            sa.func.count().label("n"),
            *(sa.func.avg(QUALITY.c[name]).label(name) for name in QUALITY_MEANS),
            sa.func.sum(QUALITY.c.complaints).label("complaints"),
        )
        .select_from(_select_from(QUALITY, joins))
        .where(QUALITY.c.campaign_id == campaign_id)
        .group_by(key)
    )
    found: dict[str, dict[str, Figure]] = {}
    for key_text, count, *means, complaints in _driver_rows(session, statement):
        values: dict[str, Figure] = {}
        for name, value in zip(QUALITY_MEANS, means, strict=True):
            # one team's figure is kept as entered; a mean over teams is rounded to two decimals, halves up
            values[name] = None if value is None else (value if count == 1 else round_half_up(value, 2))
        values["complaints"] = None if complaints is None else int(complaints)
        found[key_text] = values
    return found


def project_counts(session: Session, *, campaign_id: uuid.UUID, level: str) -> dict[str, int]:
    """How many innovation/QC projects the subject's teams put forward in the campaign."""
    key, joins = _team_key(level, PROJECT.c.team_id)
    statement = (
        sa.select(hex_of(key).label("key"), sa.func.count().label("n"))
        .select_from(_select_from(PROJECT, joins))
        .where(PROJECT.c.campaign_id == campaign_id)
        .group_by(key)
    )
    return {row.key: int(row.n) for row in session.connection().execute(statement).all()}


def empty_figures() -> dict[str, Figure]:
    """The figures of a subject nothing was recorded for."""
    return {
        "inspection_count": 0,
        "average_score": None,
        "lowest_score": None,
        "veto_events": 0,
        "hazards": 0,
        "major_hazards": 0,
        "open_major_hazards": 0,
        "overdue_orders": 0,
        "on_time_rectification_rate": 100.0,
        "first_pass_yield": None,
        "defect_rate": None,
        "rework_rate": None,
        "complaints": None,
        "six_s_score": None,
        "innovation_projects": 0,
    }


def level_figures(
    session: Session, *, campaign_id: uuid.UUID, level: str, as_of: date, score_templates: Iterable[str] = ()
) -> LevelFigures:
    """Every organisational figure of every subject of ``level`` (team, workshop or unit)."""
    templates = list(score_templates)
    result = LevelFigures(level, subjects(session, level, campaign_id))
    inspections = inspection_figures(session, campaign_id=campaign_id, level=level, score_templates=templates)
    orders = order_figures(session, campaign_id=campaign_id, level=level, as_of=as_of)
    quality = quality_figures(session, campaign_id=campaign_id, level=level)
    projects = project_counts(session, campaign_id=campaign_id, level=level)
    for subject in result.subjects:
        figures = empty_figures()
        key = subject.key
        figures.update(inspections.get(key, {}))
        figures.update(orders.get(key, {}))
        figures.update(quality.get(key, {}))
        figures["innovation_projects"] = projects.get(key, 0)
        result.figures[subject.id] = figures
    return result


def project_figures(
    session: Session, *, campaign_id: uuid.UUID, team_figures: dict[uuid.UUID, dict[str, Figure]]
) -> LevelFigures:
    """Innovation projects with their panel score and their team's veto events and open major hazards."""
    result = LevelFigures("innovation", subjects(session, "innovation", campaign_id))
    scores = {
        row.id: row.panel_score
        for row in session.connection().execute(
            sa.select(PROJECT.c.id, PROJECT.c.panel_score).where(PROJECT.c.campaign_id == campaign_id)
        )
    }
    for subject in result.subjects:
        team = team_figures.get(subject.team_id) if subject.team_id else None
        score = scores.get(subject.id)
        result.figures[subject.id] = {
            "panel_score": float(score) if score is not None else None,
            "team_veto_events": (team or {}).get("veto_events", 0),
            "team_open_major_hazards": (team or {}).get("open_major_hazards", 0),
        }
    return result
