"""Read-only views of a team's campaign record and of rectification orders across the group, for the team leader's
and the supervisor's screens (which never touch the ORM)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from inspector.models import (
    Campaign,
    Checkpoint,
    Finding,
    HazardGrade,
    Inspection,
    InspectionStatus,
    OrderStatus,
    Person,
    RectificationOrder,
    Role,
    Team,
    Unit,
    Workshop,
)
from inspector.rectification import NEXT_ACTIONS, history, is_overdue, plan_gaps, verification_due


@dataclass(frozen=True)
class TeamRef:
    id: uuid.UUID
    code: str
    name_zh: str
    name_en: str
    workshop_zh: str
    workshop_en: str
    unit_zh: str
    unit_en: str

    def name(self, lang: str) -> str:
        return (self.name_zh or self.name_en) if lang == "zh" else (self.name_en or self.name_zh)

    def belongs(self, lang: str) -> str:
        if lang == "zh":
            return f"{self.unit_zh} · {self.workshop_zh}"
        return f"{self.unit_en or self.unit_zh} · {self.workshop_en or self.workshop_zh}"


@dataclass(frozen=True)
class CampaignRef:
    id: uuid.UUID
    code: str
    name_zh: str
    name_en: str
    starts_on: date
    ends_on: date
    active: bool

    def name(self, lang: str) -> str:
        return (self.name_zh or self.name_en) if lang == "zh" else (self.name_en or self.name_zh)


@dataclass(frozen=True)
class TeamInspectionRow:
    id: uuid.UUID
    signed_at: datetime | None
    place_zh: str
    place_en: str
    inspector_zh: str
    inspector_en: str
    percent: float | None
    grade: str | None
    vetoed: bool
    superseded: bool
    amendment: bool


@dataclass(frozen=True)
class OrderRow:
    """A rectification order as the screens list it."""

    id: uuid.UUID
    team: TeamRef
    description: str
    grade: str
    deadline: date
    status: str
    overdue: bool
    days_overdue: int
    verification_due: date | None
    action_taken: str
    evidence_paths: tuple[str, ...]
    plan_missing: tuple[str, ...]
    next_actions: tuple[str, ...]
    plan_measures: str = ""
    plan_funds: float | None = None
    plan_deadline: date | None = None
    plan_emergency: str = ""


@dataclass(frozen=True)
class OrderEvent:
    at: datetime
    actor_zh: str
    actor_en: str
    from_status: str | None
    to_status: str
    note: str


def campaigns(session: Session) -> list[CampaignRef]:
    """Every campaign, the active one first, then the newest."""
    rows = session.exec(select(Campaign).order_by(col(Campaign.starts_on).desc())).all()
    refs = [CampaignRef(c.id, c.code, c.name_zh, c.name_en, c.starts_on, c.ends_on, c.active) for c in rows]
    return sorted(refs, key=lambda c: not c.active)


def teams(session: Session) -> list[TeamRef]:
    """Every team with its workshop and unit, by unit, workshop and team code."""
    rows = session.exec(
        select(Team, Workshop, Unit)
        .join(Workshop, col(Team.workshop_id) == col(Workshop.id))
        .join(Unit, col(Workshop.unit_id) == col(Unit.id))
        .order_by(col(Unit.code), col(Workshop.code), col(Team.code))
    ).all()
    return [_team_ref(t, w, u) for t, w, u in rows]


def _team_ref(team: Team, workshop: Workshop, unit: Unit) -> TeamRef:
    return TeamRef(
        team.id, team.code, team.name_zh, team.name_en, workshop.name_zh, workshop.name_en, unit.name_zh, unit.name_en
    )


def team_ref(session: Session, team_id: uuid.UUID) -> TeamRef | None:
    team = session.get(Team, team_id)
    workshop = session.get(Workshop, team.workshop_id) if team else None
    unit = session.get(Unit, workshop.unit_id) if workshop else None
    if team is None or workshop is None or unit is None:
        return None
    return _team_ref(team, workshop, unit)


def team_inspections(session: Session, *, team_id: uuid.UUID, campaign_id: uuid.UUID) -> list[TeamInspectionRow]:
    """The team's signed inspections in the campaign, oldest first (superseded originals marked)."""
    rows = session.exec(
        select(Inspection)
        .where(
            Inspection.team_id == team_id,
            Inspection.campaign_id == campaign_id,
            Inspection.status == InspectionStatus.SIGNED,
        )
        .order_by(col(Inspection.signed_at))
    ).all()
    found = []
    for i in rows:
        place = session.get(Checkpoint, i.checkpoint_id) if i.checkpoint_id else None
        owner = place or session.get(Workshop, i.workshop_id)
        person = session.get(Person, i.inspector_id)
        found.append(
            TeamInspectionRow(
                i.id,
                i.signed_at,
                owner.name("zh") if owner else "",
                owner.name("en") if owner else "",
                person.name("zh") if person else "",
                person.name("en") if person else "",
                i.score_percent,
                i.grade,
                i.vetoed,
                i.superseded_by_id is not None,
                i.amends_id is not None,
            )
        )
    return found


def _order_row(order: RectificationOrder, finding: Finding, team: TeamRef, as_of: date) -> OrderRow:
    overdue = is_overdue(order, as_of)
    return OrderRow(
        order.id,
        team,
        finding.description,
        finding.grade,
        order.deadline,
        order.status,
        overdue,
        (as_of - order.deadline).days if overdue else 0,
        verification_due(order, finding.grade),
        order.action_taken,
        tuple(str(p) for p in order.evidence_paths),
        tuple(plan_gaps(order)) if finding.grade == HazardGrade.MAJOR else (),
        NEXT_ACTIONS.get(order.status, ()),
        order.plan_measures,
        order.plan_funds,
        order.plan_deadline,
        order.plan_emergency,
    )


def orders(
    session: Session,
    *,
    as_of: date,
    campaign_id: uuid.UUID | None = None,
    team_id: uuid.UUID | None = None,
    unit_id: uuid.UUID | None = None,
    overdue_only: bool = False,
    open_only: bool = False,
    status: str | None = None,
) -> list[OrderRow]:
    """Rectification orders, most overdue first then by deadline; filtered by campaign, team, unit, state."""
    statement = (
        select(RectificationOrder, Finding)
        .join(Finding, col(RectificationOrder.finding_id) == col(Finding.id))
        .join(Inspection, col(Finding.inspection_id) == col(Inspection.id))
        .join(Team, col(RectificationOrder.team_id) == col(Team.id))
        .join(Workshop, col(Team.workshop_id) == col(Workshop.id))
    )
    if campaign_id is not None:
        statement = statement.where(Inspection.campaign_id == campaign_id)
    if team_id is not None:
        statement = statement.where(RectificationOrder.team_id == team_id)
    if unit_id is not None:
        statement = statement.where(Workshop.unit_id == unit_id)
    if overdue_only or open_only:
        statement = statement.where(RectificationOrder.status != OrderStatus.CLOSED)
    if overdue_only:
        statement = statement.where(col(RectificationOrder.deadline) < as_of)
    if status is not None:
        statement = statement.where(RectificationOrder.status == status)
    refs = {ref.id: ref for ref in teams(session)}
    rows = [_order_row(order, finding, refs[order.team_id], as_of) for order, finding in session.exec(statement).all()]
    rows.sort(key=lambda r: (r.status == OrderStatus.CLOSED, not r.overdue, r.deadline, r.team.code))
    return rows


def order_history(session: Session, order_id: uuid.UUID) -> list[OrderEvent]:
    """An order's transitions with who did them, oldest first."""
    events = history(session, order_id)
    actor_ids = {e.actor_id for e in events if e.actor_id}
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(actor_ids))).all()}
    found = []
    for e in events:
        person = people.get(e.actor_id) if e.actor_id else None
        found.append(
            OrderEvent(
                e.at,
                person.name("zh") if person else "",
                person.name("en") if person else "",
                e.from_status,
                e.to_status,
                e.note,
            )
        )
    return found


def leader_team(session: Session, person_id: uuid.UUID) -> uuid.UUID | None:
    """The team a team leader leads (``None`` for anyone else)."""
    person = session.get(Person, person_id)
    if person is None or person.role != Role.TEAM_LEADER:
        return None
    return person.team_id


def count_overdue(session: Session, *, as_of: date) -> int:
    """How many orders across the group are overdue on ``as_of``."""
    table = RectificationOrder.__table__  # type: ignore[attr-defined]
    statement = sa.select(sa.func.count()).where(table.c.status != OrderStatus.CLOSED.value, table.c.deadline < as_of)
    return int(session.connection().execute(statement).scalar() or 0)
