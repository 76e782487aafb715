"""What the team leader's and the supervisor's screens load in one unit of work (plain data, no ORM objects)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from inspector.awards.evaluate import AwardEntry, Evaluation
from inspector.awards.leaderboard import Consistency, LeaderRow, inspector_consistency, leaderboard
from inspector.awards.repository import decisions, evaluate_campaign, find_campaign
from inspector.awards.sources import SourceRow, figure_sources
from inspector.errors import InspectorError
from inspector.models import AwardRuleSet, Campaign, OrderStatus, Unit
from inspector.team_records import (
    CampaignRef,
    OrderRow,
    TeamInspectionRow,
    TeamRef,
    campaigns,
    leader_team,
    orders,
    team_inspections,
    team_ref,
    teams,
)


def standing_date(campaign: Campaign | CampaignRef, today: date) -> date:
    """The date a running campaign is judged on: today, or its last day once it is over."""
    return min(today, campaign.ends_on)


@dataclass
class TeamStanding:
    """The team leader's screen: the team's inspections, orders and award entries in one campaign."""

    team: TeamRef
    campaign: CampaignRef
    as_of: date
    inspections: list[TeamInspectionRow]
    orders: list[OrderRow]
    entries: list[AwardEntry]
    evaluation: Evaluation | None
    problem: str = ""
    campaigns: list[CampaignRef] = field(default_factory=list)


def pick_team(session: Session, person_id: uuid.UUID | None, wanted: uuid.UUID | None) -> TeamRef | None:
    """The team to show: the one asked for, else the signed-in leader's, else the first of the group."""
    if wanted is not None:
        found = team_ref(session, wanted)
        if found is not None:
            return found
    if person_id is not None:
        led = leader_team(session, person_id)
        if led is not None:
            return team_ref(session, led)
    every = teams(session)
    return every[0] if every else None


def team_standing(
    session: Session, *, team: TeamRef, campaign_id: uuid.UUID | None, today: date
) -> TeamStanding | None:
    """Everything the team leader's screen shows; ``None`` when there is no campaign at all."""
    known = campaigns(session)
    if not known:
        return None
    campaign = next((c for c in known if c.id == campaign_id), known[0])
    as_of = standing_date(campaign, today)
    evaluation: Evaluation | None = None
    problem = ""
    try:
        evaluation = evaluate_campaign(session, campaign_code=campaign.code, as_of=as_of)
    except InspectorError as exc:  # no rules for this campaign: the rest of the screen still works
        problem = exc.message
    entries = []
    if evaluation is not None:
        entries = [
            e
            for e in evaluation.entries
            if e.subject.id == team.id or (e.level == "innovation" and e.subject.team_id == team.id)
        ]
    return TeamStanding(
        team,
        campaign,
        as_of,
        team_inspections(session, team_id=team.id, campaign_id=campaign.id),
        orders(session, as_of=today, campaign_id=campaign.id, team_id=team.id),
        entries,
        evaluation,
        problem,
        known,
    )


def entry_sources(session: Session, evaluation: Evaluation, entry: AwardEntry, figure: str) -> list[SourceRow]:
    """The records behind one criterion of one entry."""
    return figure_sources(session, evaluation=evaluation, award=entry.award, subject_id=entry.subject.id, figure=figure)


@dataclass(frozen=True)
class UnitRef:
    id: uuid.UUID
    code: str
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        return (self.name_zh or self.name_en) if lang == "zh" else (self.name_en or self.name_zh)


@dataclass
class GroupOverview:
    """The supervisor's screen: leaderboard, overdue orders, award entries with their stored decisions,
    and inspector consistency, for one campaign."""

    campaign: CampaignRef
    campaigns: list[CampaignRef]
    units: list[UnitRef]
    as_of: date
    board: list[LeaderRow]
    overdue: list[OrderRow]
    evaluation: Evaluation | None
    problem: str
    #: (award, subject id) → (decision id, nominated, final) of the recorded decisions under the current rules.
    recorded: dict[tuple[str, uuid.UUID], tuple[uuid.UUID, bool, bool]]
    ruleset_id: uuid.UUID | None
    consistency: Consistency
    #: Orders the teams answered, waiting for on-site verification.
    to_verify: list[OrderRow] = field(default_factory=list)
    #: The stored version of the rules the recorded decisions were made under (the evaluation itself may have read
    #: the rule file shipped for the campaign, which has no version until it is recorded).
    ruleset_version: int | None = None


def group_overview(
    session: Session,
    *,
    campaign_id: uuid.UUID | None,
    today: date,
    level: str = "team",
    unit_id: uuid.UUID | None = None,
    search: str = "",
    reuse: Evaluation | None = None,
) -> GroupOverview | None:
    """Everything the supervisor's screen shows (``None`` without any campaign).

    ``reuse``: an evaluation made moments ago for the same campaign and date (a filter changed, nothing was
    recorded) — the award list is not recomputed, which keeps filtering quick on 10,000 teams."""
    known = campaigns(session)
    if not known:
        return None
    chosen = next((c for c in known if c.id == campaign_id), known[0])
    campaign = find_campaign(session, chosen.code)
    as_of = standing_date(chosen, today)
    evaluation: Evaluation | None = None
    problem = ""
    if reuse is not None and reuse.campaign_id == chosen.id and reuse.as_of == as_of:
        evaluation = reuse
    else:
        try:
            evaluation = evaluate_campaign(session, campaign_code=chosen.code, as_of=as_of)
        except InspectorError as exc:
            problem = exc.message
    templates = tuple(evaluation.rules.score_templates) if evaluation else ()
    recorded: dict[tuple[str, uuid.UUID], tuple[uuid.UUID, bool, bool]] = {}
    ruleset_id = None
    ruleset_version = None
    if evaluation is not None:
        stored = decisions(session, campaign_id=campaign.id)
        if stored:
            ruleset = session.get(AwardRuleSet, stored[0].ruleset_id)
            if ruleset is not None and ruleset.content_hash == evaluation.rules_hash:
                ruleset_id, ruleset_version = ruleset.id, ruleset.version
                recorded = {(d.award, d.subject_id): (d.id, d.nominated, d.final) for d in stored}
    units = [
        UnitRef(u.id, u.code, u.name_zh, u.name_en)
        for u in sorted(session.exec(select(Unit)).all(), key=lambda u: u.code)
    ]
    return GroupOverview(
        chosen,
        known,
        units,
        as_of,
        leaderboard(
            session,
            campaign_id=campaign.id,
            level=level,
            as_of=as_of,
            unit_id=unit_id,
            search=search,
            score_templates=templates,
        ),
        orders(session, as_of=today, campaign_id=campaign.id, unit_id=unit_id, overdue_only=True),
        evaluation,
        problem,
        recorded,
        ruleset_id,
        inspector_consistency(session, campaign_id=campaign.id, unit_id=unit_id, score_templates=templates),
        orders(session, as_of=today, campaign_id=campaign.id, unit_id=unit_id, status=OrderStatus.ANSWERED.value),
        ruleset_version,
    )
