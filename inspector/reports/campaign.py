"""The campaign summary: coverage of workshops, scores by level, hazards by grade, rectification, overdue orders,
and the figures behind its charts (weekly score trend, hazards per workshop).

Counts only signed inspections that no amendment replaced, as every other figure in the product does.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from statistics import mean

from sqlmodel import Session, col, select

import inspector.messages.reports  # noqa: F401  (registers the texts)
from inspector.awards import load_rules
from inspector.errors import InspectorError
from inspector.i18n import t
from inspector.models import (
    Campaign,
    Checkpoint,
    Finding,
    HazardGrade,
    Inspection,
    InspectionStatus,
    OrderStatus,
    RectificationOrder,
    Team,
    Unit,
    Workshop,
)
from inspector.reports.errors import ReportNotFound
from inspector.reports.tables import Table
from inspector.reports.trends import TrendPoint, score_trend

GRADES = (HazardGrade.GENERAL, HazardGrade.SIGNIFICANT, HazardGrade.MAJOR)
STATUSES = (OrderStatus.OPEN, OrderStatus.ANSWERED, OrderStatus.REOPENED, OrderStatus.CLOSED)


@dataclass
class CampaignSummary:
    """The summary's figures and tables, in the reader's language."""

    lang: str
    campaign: str
    campaign_code: str
    starts_on: date
    ends_on: date
    as_of: date
    inspections: int
    average: float | None
    hazards: int
    overdue: int
    coverage: Table
    scores: Table
    hazards_by_grade: Table
    rectification: Table
    overdue_orders: Table
    trend: list[TrendPoint] = field(default_factory=list)
    #: (workshop name, {grade: count}) for the hazard chart, in workshop order.
    hazards_by_workshop: list[tuple[str, dict[str, int]]] = field(default_factory=list)

    def tables(self) -> list[Table]:
        trend = Table(
            "trend",
            t("summary.trend", self.lang),
            [t("summary.week", self.lang), t("summary.average", self.lang), t("summary.inspections", self.lang)],
            [[p.week, p.average, p.count] for p in self.trend],
        )
        return [self.coverage, self.scores, self.hazards_by_grade, self.rectification, self.overdue_orders, trend]


def find_campaign(session: Session, code: str) -> Campaign:
    """The campaign with ``code``; :class:`NotFoundError` naming the known codes otherwise."""
    campaign = session.exec(select(Campaign).where(Campaign.code == code)).first()
    if campaign is None:
        known = ", ".join(session.exec(select(Campaign.code).order_by(col(Campaign.code))).all()) or "—"
        raise ReportNotFound("E_REPORT_CAMPAIGN", "err.campaign_unknown", code=repr(code), known=known)
    return campaign


def counted_inspections(session: Session, campaign_id: uuid.UUID) -> list[Inspection]:
    """Signed inspections of the campaign that no amendment replaced, in signing order."""
    return list(
        session.exec(
            select(Inspection)
            .where(
                Inspection.campaign_id == campaign_id,
                Inspection.status == InspectionStatus.SIGNED,
                col(Inspection.superseded_by_id).is_(None),
            )
            .order_by(col(Inspection.signed_at))
        ).all()
    )


def _score_templates(session: Session, campaign: Campaign) -> tuple[str, ...]:
    """The checklists whose scores count in the campaign's standings (its award rules' ``score_templates``); every
    checklist (empty) when the campaign has no readable rules — as the supervisor's leaderboard does then."""
    try:
        return tuple(load_rules(session, campaign=campaign).rules.score_templates)
    except InspectorError:
        return ()


def _avg(values: list[float]) -> float | None:
    return round(mean(values), 1) if values else None


def _place(workshop: Workshop | None, units: dict[uuid.UUID, Unit], lang: str) -> str:
    """``unit · workshop`` (team names repeat across units)."""
    if workshop is None:
        return "—"
    unit = units.get(workshop.unit_id)
    return f"{unit.name(lang)} · {workshop.name(lang)}" if unit else workshop.name(lang)


def campaign_summary(session: Session, code: str, *, today: date, lang: str = "zh") -> CampaignSummary:
    """Gather the summary of the campaign ``code`` as of ``today`` (what is overdue depends on it)."""
    campaign = find_campaign(session, code)
    inspections = counted_inspections(session, campaign.id)
    units = {u.id: u for u in session.exec(select(Unit)).all()}
    workshops = sorted(
        session.exec(select(Workshop)).all(),
        key=lambda w: (units[w.unit_id].code if w.unit_id in units else "", w.code),
    )
    teams = {tm.id: tm for tm in session.exec(select(Team)).all()}
    checkpoints = session.exec(select(Checkpoint)).all()
    scored = [i for i in inspections if i.score_percent is not None]

    # coverage
    coverage = Table(
        "coverage",
        t("summary.coverage", lang),
        [
            t("report.unit", lang),
            t("report.workshop", lang),
            t("summary.checkpoints", lang),
            t("summary.visited", lang),
            t("summary.inspections", lang),
            t("summary.average", lang),
            t("summary.last", lang),
        ],
    )
    for ws in workshops:
        in_ws = [i for i in inspections if i.workshop_id == ws.id]
        cps = [c for c in checkpoints if c.workshop_id == ws.id]
        visited = {i.checkpoint_id for i in in_ws if i.checkpoint_id is not None}
        last = max((i.signed_at for i in in_ws if i.signed_at), default=None)
        coverage.rows.append(
            [
                units[ws.unit_id].name(lang) if ws.unit_id in units else "",
                ws.name(lang),
                len(cps),
                len(visited),
                len(in_ws),
                _avg([i.score_percent for i in in_ws if i.score_percent is not None]),
                last.date() if last else None,
            ]
        )

    # scores by level
    scores = Table(
        "scores",
        t("summary.scores", lang),
        [
            t("summary.level", lang),
            t("summary.name", lang),
            t("summary.inspections", lang),
            t("summary.average", lang),
            t("summary.lowest", lang),
            t("summary.highest", lang),
        ],
    )
    ws_by_id = {w.id: w for w in workshops}
    groups: dict[tuple[int, str, str], list[float]] = defaultdict(list)
    for i in scored:
        percent = float(i.score_percent or 0.0)
        of_ws = ws_by_id.get(i.workshop_id)
        if of_ws is not None and of_ws.unit_id in units:
            unit = units[of_ws.unit_id]
            groups[(0, unit.code, unit.name(lang))].append(percent)
            groups[(1, f"{unit.code}/{of_ws.code}", of_ws.name(lang))].append(percent)
        if i.team_id in teams:
            team = teams[i.team_id]
            groups[(2, team.code, team.name(lang))].append(percent)
    level_names = [t("rpt.level.unit", lang), t("rpt.level.workshop", lang), t("rpt.level.team", lang)]
    for (level, _code, name), values in sorted(groups.items()):
        scores.rows.append([level_names[level], name, len(values), _avg(values), min(values), max(values)])

    # hazards and rectification
    inspection_ids = [i.id for i in inspections]
    findings = (
        session.exec(select(Finding).where(col(Finding.inspection_id).in_(inspection_ids))).all()
        if inspection_ids
        else []
    )
    orders = {
        o.finding_id: o
        for o in session.exec(
            select(RectificationOrder).where(col(RectificationOrder.finding_id).in_([f.id for f in findings]))
        ).all()
    }

    def is_overdue(order: RectificationOrder | None, deadline: date) -> bool:
        return (order is None or order.status != OrderStatus.CLOSED) and deadline < today

    hazards_by_grade = Table(
        "hazards",
        t("summary.hazards", lang),
        [
            t("report.hazard_grade", lang),
            t("summary.total", lang),
            t("summary.closed", lang),
            t("summary.open", lang),
            t("summary.overdue", lang),
        ],
    )
    for grade in GRADES:
        of_grade = [f for f in findings if f.grade == grade]
        closed = sum(1 for f in of_grade if (o := orders.get(f.id)) is not None and o.status == OrderStatus.CLOSED)
        overdue = sum(1 for f in of_grade if is_overdue(orders.get(f.id), f.deadline))
        hazards_by_grade.rows.append(
            [t(f"rpt.hazard.{grade}", lang), len(of_grade), closed, len(of_grade) - closed, overdue]
        )
    totals = [0, 0, 0, 0]
    for row in hazards_by_grade.rows:
        for index in range(4):
            value = row[index + 1]
            totals[index] += value if isinstance(value, int) else 0
    hazards_by_grade.rows.append([t("summary.total", lang), *totals])

    rectification = Table(
        "rectification",
        t("summary.rectification", lang),
        [t("report.order_status", lang), t("summary.count", lang)],
    )
    all_orders = list(orders.values())
    for status in STATUSES:
        rectification.rows.append([t(f"rpt.order.{status}", lang), sum(1 for o in all_orders if o.status == status)])
    closed_orders = [o for o in all_orders if o.status == OrderStatus.CLOSED and o.closed_at is not None]
    on_time = sum(1 for o in closed_orders if o.closed_at is not None and o.closed_at.date() <= o.deadline)
    rate = f"{on_time / len(closed_orders) * 100:.1f}%" if closed_orders else "—"
    rectification.rows.append([t("summary.on_time", lang), rate])

    overdue_orders = Table(
        "overdue",
        t("summary.overdue_list", lang),
        [
            t("report.workshop", lang),
            t("report.team", lang),
            t("report.hazard_grade", lang),
            t("report.description", lang),
            t("report.deadline", lang),
            t("summary.days_overdue", lang),
            t("report.order_status", lang),
        ],
    )
    inspection_ws = {i.id: i.workshop_id for i in inspections}
    for finding in sorted(findings, key=lambda f: (f.deadline, f.description)):
        order = orders.get(finding.id)
        if not is_overdue(order, finding.deadline):
            continue
        team_id = order.team_id if order else finding.team_id
        of_finding = ws_by_id.get(inspection_ws[finding.inspection_id])
        overdue_orders.rows.append(
            [
                _place(of_finding, units, lang),
                teams[team_id].name(lang) if team_id in teams else "—",
                t(f"rpt.hazard.{finding.grade}", lang),
                finding.description,
                finding.deadline,
                (today - finding.deadline).days,
                t(f"rpt.order.{order.status}", lang) if order else t("rpt.order.none", lang),
            ]
        )

    # charts: the trend counts what the leaderboard counts (only the award rules' scoring checklists)
    trend = score_trend(session, campaign.id, score_templates=_score_templates(session, campaign))
    hazards_by_workshop = []
    for ws in workshops:
        counts = {str(g): 0 for g in GRADES}
        for f in findings:
            if inspection_ws.get(f.inspection_id) == ws.id:
                counts[f.grade] = counts.get(f.grade, 0) + 1
        hazards_by_workshop.append((ws.name(lang), counts))

    return CampaignSummary(
        lang=lang,
        campaign=campaign.name(lang),
        campaign_code=campaign.code,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        as_of=today,
        inspections=len(inspections),
        average=_avg([float(i.score_percent or 0.0) for i in scored]),
        hazards=len(findings),
        overdue=len(overdue_orders.rows),
        coverage=coverage,
        scores=scores,
        hazards_by_grade=hazards_by_grade,
        rectification=rectification,
        overdue_orders=overdue_orders,
        trend=trend,
        hazards_by_workshop=hazards_by_workshop,
    )
