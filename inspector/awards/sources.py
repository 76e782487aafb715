"""Where a figure comes from: the inspections, orders, quality rows and projects behind one subject's figure.

People argue about awards; a team leader must be able to see exactly which inspections and findings produced
"average score 88.6" or "on-time rate 90 %". Each :class:`SourceRow` says whether it counted and why (or why not).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from inspector.awards.evaluate import Evaluation
from inspector.awards.figures import counted_inspections, day_end
from inspector.models import (
    Checkpoint,
    Finding,
    HazardGrade,
    InnovationProject,
    Inspection,
    InspectionStatus,
    OrderStatus,
    Person,
    QualityFigure,
    RectificationOrder,
    Team,
    Workshop,
)

INSPECTION_FIGURES = ("inspection_count", "average_score", "lowest_score", "veto_events")
ORDER_FIGURES = ("hazards", "major_hazards", "open_major_hazards", "overdue_orders", "on_time_rectification_rate")
QUALITY_FIGURES = ("first_pass_yield", "defect_rate", "rework_rate", "complaints", "six_s_score")


@dataclass(frozen=True)
class SourceRow:
    """One record behind a figure. ``note`` is a catalogue key (``src.*``) saying how it counted."""

    kind: str  # inspection | order | quality | project | subject
    id: uuid.UUID
    day: date | None
    what_zh: str
    what_en: str
    value: str
    counted: bool
    note: str

    def what(self, lang: str) -> str:
        return (self.what_zh or self.what_en) if lang == "zh" else (self.what_en or self.what_zh)


def _team_ids(session: Session, level: str, subject_id: uuid.UUID) -> list[uuid.UUID]:
    if level == "team":
        return [subject_id]
    statement = select(Team.id).join(Workshop, col(Team.workshop_id) == col(Workshop.id))
    if level == "workshop":
        statement = statement.where(Workshop.id == subject_id)
    else:
        statement = statement.where(Workshop.unit_id == subject_id)
    return list(session.exec(statement).all())


def _inspection_scope(session: Session, level: str, subject_id: uuid.UUID) -> sa.ColumnElement[bool]:
    if level == "team":
        return col(Inspection.team_id) == subject_id
    if level == "workshop":
        return col(Inspection.workshop_id) == subject_id
    workshops = list(session.exec(select(Workshop.id).where(Workshop.unit_id == subject_id)).all())
    return col(Inspection.workshop_id).in_(workshops)


def inspection_sources(
    session: Session, *, evaluation: Evaluation, level: str, subject_id: uuid.UUID, figure: str
) -> list[SourceRow]:
    """The subject's signed inspections in the campaign; superseded originals are listed as not counted."""
    templates = evaluation.rules.score_templates
    counted_ids = set(
        session.exec(
            select(Inspection.id).where(
                counted_inspections(evaluation.campaign_id, templates), _inspection_scope(session, level, subject_id)
            )
        ).all()
    )
    rows = session.exec(
        select(Inspection)
        .where(
            Inspection.campaign_id == evaluation.campaign_id,
            Inspection.status == InspectionStatus.SIGNED,
            _inspection_scope(session, level, subject_id),
        )
        .order_by(col(Inspection.signed_at))
    ).all()
    places = _place_names(session, rows)
    found: list[SourceRow] = []
    for inspection in rows:
        counted = inspection.id in counted_ids
        if figure == "veto_events" and not inspection.vetoed:
            continue
        if counted:
            note = "src.vetoed" if inspection.vetoed else "src.counted"
        elif inspection.superseded_by_id is not None:
            note = "src.superseded"
        else:
            note = "src.other_template"
        zh, en = places[inspection.id]
        score = "—" if inspection.score_percent is None else f"{inspection.score_percent:.1f}"
        found.append(
            SourceRow(
                "inspection",
                inspection.id,
                inspection.signed_at.date() if inspection.signed_at else None,
                zh,
                en,
                score,
                counted,
                note,
            )
        )
    return found


def _place_names(session: Session, inspections: Sequence[Inspection]) -> dict[uuid.UUID, tuple[str, str]]:
    checkpoint_ids = {i.checkpoint_id for i in inspections if i.checkpoint_id}
    workshop_ids = {i.workshop_id for i in inspections}
    person_ids = {i.inspector_id for i in inspections}
    checkpoints = {
        c.id: c for c in session.exec(select(Checkpoint).where(col(Checkpoint.id).in_(checkpoint_ids))).all()
    }
    workshops = {w.id: w for w in session.exec(select(Workshop).where(col(Workshop.id).in_(workshop_ids))).all()}
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(person_ids))).all()}
    names: dict[uuid.UUID, tuple[str, str]] = {}
    for i in inspections:
        place = checkpoints.get(i.checkpoint_id) if i.checkpoint_id else None
        owner = place or workshops.get(i.workshop_id)
        person = people.get(i.inspector_id)
        zh = f"{owner.name('zh') if owner else ''} · {person.name('zh') if person else ''}"
        en = f"{owner.name('en') if owner else ''} · {person.name('en') if person else ''}"
        names[i.id] = (zh, en)
    return names


def _order_note(order: RectificationOrder, grade: str, figure: str, as_of: date) -> tuple[bool, str]:
    closed = order.status == OrderStatus.CLOSED and order.closed_at is not None and order.closed_at < day_end(as_of)
    overdue = not closed and order.deadline < as_of
    if figure == "hazards":
        return True, "src.closed" if closed else ("src.overdue" if overdue else "src.counted")
    if figure == "major_hazards":
        return True, "src.closed" if closed else "src.open_major"
    if figure == "open_major_hazards":
        return (not closed), ("src.closed" if closed else "src.open_major")
    if figure == "overdue_orders":
        if overdue:
            return True, "src.overdue"
        if closed:
            return False, "src.closed"
        if order.status == OrderStatus.CLOSED:
            return False, "src.closed_after"
        return False, "src.not_due"
    # on-time rate: closed orders and overdue ones count
    if closed:
        assert order.closed_at is not None
        return True, "src.on_time" if order.closed_at.date() <= order.deadline else "src.late"
    if overdue:
        return True, "src.overdue"
    return False, "src.closed_after" if order.status == OrderStatus.CLOSED else "src.not_due"


def order_sources(
    session: Session, *, evaluation: Evaluation, level: str, subject_id: uuid.UUID, figure: str
) -> list[SourceRow]:
    """The subject's rectification orders of the campaign, each marked as counting or not for ``figure``."""
    teams = _team_ids(session, level, subject_id)
    rows = session.exec(
        select(RectificationOrder, Finding)
        .join(Finding, col(RectificationOrder.finding_id) == col(Finding.id))
        .join(Inspection, col(Finding.inspection_id) == col(Inspection.id))
        .where(Inspection.campaign_id == evaluation.campaign_id, col(RectificationOrder.team_id).in_(teams))
        .order_by(col(RectificationOrder.deadline))
    ).all()
    found: list[SourceRow] = []
    for order, finding in rows:
        if figure in ("major_hazards", "open_major_hazards") and finding.grade != HazardGrade.MAJOR:
            continue
        counted, note = _order_note(order, finding.grade, figure, evaluation.as_of)
        closed = order.closed_at.date().isoformat() if order.closed_at else "—"
        found.append(
            SourceRow(
                "order",
                order.id,
                order.deadline,
                finding.description,
                finding.description,
                f"{finding.grade} · {order.status} · {closed}",
                counted,
                note,
            )
        )
    return found


def figure_sources(
    session: Session, *, evaluation: Evaluation, award: str, subject_id: uuid.UUID, figure: str
) -> list[SourceRow]:
    """Every record behind ``figure`` of ``subject_id`` under ``award`` in ``evaluation``."""
    entry = evaluation.entry(award, subject_id)
    if entry is None:
        return []
    level = entry.level
    if level == "innovation":
        team_id = entry.subject.team_id
        if figure == "panel_score":
            project = session.get(InnovationProject, subject_id)
            if project is None:
                return []
            value = "—" if project.panel_score is None else f"{project.panel_score:.1f}"
            return [
                SourceRow("project", project.id, None, project.title_zh, project.title_en, value, True, "src.project")
            ]
        if team_id is None:
            return []
        inner = "veto_events" if figure == "team_veto_events" else "open_major_hazards"
        if inner == "veto_events":
            return inspection_sources(session, evaluation=evaluation, level="team", subject_id=team_id, figure=inner)
        return order_sources(session, evaluation=evaluation, level="team", subject_id=team_id, figure=inner)
    if figure in INSPECTION_FIGURES:
        return inspection_sources(session, evaluation=evaluation, level=level, subject_id=subject_id, figure=figure)
    if figure in ORDER_FIGURES:
        return order_sources(session, evaluation=evaluation, level=level, subject_id=subject_id, figure=figure)
    if figure in QUALITY_FIGURES:
        teams = _team_ids(session, level, subject_id)
        quality = session.exec(
            select(QualityFigure, Team)
            .join(Team, col(QualityFigure.team_id) == col(Team.id))
            .where(QualityFigure.campaign_id == evaluation.campaign_id, col(QualityFigure.team_id).in_(teams))
            .order_by(col(Team.code))
        ).all()
        return [
            SourceRow(
                "quality",
                q.id,
                None,
                team.name_zh,
                team.name_en,
                "—" if getattr(q, figure) is None else str(getattr(q, figure)),
                getattr(q, figure) is not None,
                "src.quality",
            )
            for q, team in quality
        ]
    if figure == "innovation_projects":
        teams = _team_ids(session, level, subject_id)
        projects = session.exec(
            select(InnovationProject)
            .where(InnovationProject.campaign_id == evaluation.campaign_id, col(InnovationProject.team_id).in_(teams))
            .order_by(col(InnovationProject.code))
        ).all()
        return [SourceRow("project", p.id, None, p.title_zh, p.title_en, p.code, True, "src.project") for p in projects]
    if figure in ("eligible_teams", "eligible_workshops"):
        wanted = "team" if figure == "eligible_teams" else "workshop"
        first = next((a.code for a in evaluation.rules.awards if a.level == wanted), None)
        members = [
            e
            for e in evaluation.entries
            if e.award == first and subject_id in (e.subject.workshop_id, e.subject.unit_id)
        ]
        return [
            SourceRow(
                "subject",
                e.subject.id,
                None,
                e.subject.name_zh,
                e.subject.name_en,
                e.subject.code,
                e.eligible,
                "src.eligible_team" if e.eligible else "src.not_eligible_team",
            )
            for e in members
        ]
    return []
