"""A month of past inspections per campaign: signed, scored with the scoring engine, acknowledged by the team
leader, with findings raised from failed items; plus a couple of drafts still in progress.

Everything is drawn from ``random.Random`` seeded per campaign and team, and every id derives from what the record
is (campaign, team, checklist, number), so the same seed always gives the same history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from inspector.demo.answers import Answered, TeamFigures, answer_item, applies
from inspector.demo.campaigns import DEMO_SAFETY_CAMPAIGN, QUALITY_CHECKLIST, SAFETY_CHECKLIST, plan_of
from inspector.demo.checklist_view import ChecklistView
from inspector.demo.org import Organisation
from inspector.demo.people import Roster
from inspector.demo.profiles import MAJOR_CLOSED_ITEM, MAJOR_OPEN_ITEM, TeamProfile
from inspector.demo.records import CHINA_TIME, demo_id, local_time, stamp
from inspector.models import (
    Campaign,
    Checkpoint,
    Finding,
    HazardGrade,
    Inspection,
    InspectionStatus,
    ItemKind,
    Person,
    Team,
    TemplateItem,
    Workshop,
)
from inspector.rectification import default_deadline
from inspector.scoring import AnswerValue, ItemResult

#: The quality sheet has few items, each worth much: its process items fail less often than safety items.
FAIL_SCALE = {QUALITY_CHECKLIST: 0.6}
#: The quality sheet's figures are measured, not hazards: failing them raises no finding.
FIGURE_ITEMS = frozenset({"Q-01", "Q-02", "Q-03", "Q-04"})
STILL_OPEN_NOTE = "已列入重大隐患治理方案，整改中。/ Covered by the major-hazard plan; rectification under way."
#: The inspectors who left an inspection half-done on the last days of the safety campaign.
DRAFT_INSPECTORS = ("HY1001", "HY1003")


@dataclass
class Made:
    """One signed inspection and the findings it raised (with the item each came from)."""

    inspection: Inspection
    team: Team
    profile: TeamProfile
    campaign: Campaign
    findings: list[tuple[Finding, TemplateItem]] = field(default_factory=list)


@dataclass
class History:
    signed: list[Made] = field(default_factory=list)
    drafts: list[Inspection] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    answer_rows: list[dict[str, Any]] = field(default_factory=list)
    #: (campaign code, team code) → the team's 6S percentages.
    six_s: dict[tuple[str, str], list[float]] = field(default_factory=dict)


@dataclass
class HistoryContext:
    org: Organisation
    roster: Roster
    profiles: dict[str, TeamProfile]
    checklists: dict[str, ChecklistView]
    figures: dict[tuple[str, str], TeamFigures]
    seed: int


def signed_day(inspection: Inspection) -> date:
    """The local (China time) day an inspection was signed."""
    assert inspection.signed_at is not None
    return inspection.signed_at.astimezone(CHINA_TIME).date()


def build_history(ctx: HistoryContext, campaign: Campaign) -> History:
    """The campaign's signed inspections (main checklist per visit, one 6S sheet per team) and, in the safety
    campaign, the drafts in progress."""
    history = History()
    plan = plan_of(campaign.code)
    main_code, six_s_code = plan.checklists
    inspectors = {area: ctx.roster.inspector(code) for code, areas in ctx.roster.areas.items() for area in areas}
    last_day = (plan.ends_on - plan.starts_on).days - 2
    workshops = list(ctx.org.workshops)
    for position, workshop in enumerate(workshops):
        inspector = inspectors[workshop.code]
        # The second visit of every team is a cross-check by the inspector of the next workshop, as supervisors
        # arrange so that inspector consistency can be compared on the same teams.
        cross_checker = inspectors[workshops[(position + 1) % len(workshops)].code]
        for team in ctx.org.teams_of(workshop):
            profile = ctx.profiles[team.code]
            rng = random.Random(f"{ctx.seed}/{campaign.code}/{team.code}")
            places = [cp for cp in ctx.org.checkpoints_of(workshop) if cp.team_id == team.id]
            for index, day in enumerate(profile.days[campaign.code]):
                by = cross_checker if index == 1 and cross_checker.id != inspector.id else inspector
                visit = Visit(campaign, workshop, team, profile, by, ctx.roster.leader_of(team), day, index)
                _sign(history, ctx, visit, ctx.checklists[main_code], places[index % len(places)], rng)
            day = plan.starts_on + timedelta(days=rng.randint(4, last_day))
            visit = Visit(campaign, workshop, team, profile, inspector, ctx.roster.leader_of(team), day, 0)
            made = _sign(history, ctx, visit, ctx.checklists[six_s_code], None, rng)
            percent = made.inspection.score_percent
            history.six_s.setdefault((campaign.code, team.code), []).append(percent or 0.0)
    if campaign.code == DEMO_SAFETY_CAMPAIGN:
        for code in DRAFT_INSPECTORS:
            history.drafts.append(_draft(history, ctx, campaign, ctx.checklists[main_code], code))
    history.signed.sort(key=lambda made: (made.inspection.signed_at, made.inspection.id))
    return history


@dataclass(frozen=True)
class Visit:
    campaign: Campaign
    workshop: Workshop
    team: Team
    profile: TeamProfile
    inspector: Person
    leader: Person
    day: date
    index: int


def _forced(visit: Visit, checklist: ChecklistView) -> tuple[str | None, bool]:
    """The item failed on purpose in this visit, and whether a finding is raised for it (a major hazard already
    under its plan is failed again in later visits without a second finding)."""
    profile = visit.profile
    if visit.campaign.code != DEMO_SAFETY_CAMPAIGN or checklist.code != SAFETY_CHECKLIST or not profile.forced_item:
        return None, False
    if visit.index == profile.forced_index:
        return profile.forced_item, True
    still_open = profile.forced_item == MAJOR_OPEN_ITEM or (
        profile.forced_item == MAJOR_CLOSED_ITEM
        and profile.major_closed_on is not None
        and visit.day < profile.major_closed_on
    )
    if visit.index > profile.forced_index and still_open:
        return profile.forced_item, False
    return None, False


def _sign(
    history: History,
    ctx: HistoryContext,
    visit: Visit,
    checklist: ChecklistView,
    checkpoint: Checkpoint | None,
    rng: random.Random,
) -> Made:
    started = local_time(visit.day, rng.randint(8, 15), rng.choice(range(0, 60, 5)))
    duration = timedelta(minutes=rng.randint(35, 95))
    signed_at = started + duration
    inspection = Inspection(
        id=demo_id("inspection", visit.campaign.code, visit.team.code, checklist.code, visit.index),
        campaign_id=visit.campaign.id,
        template_version_id=checklist.version.id,
        workshop_id=visit.workshop.id,
        checkpoint_id=checkpoint.id if checkpoint else None,
        team_id=visit.team.id,
        inspector_id=visit.inspector.id,
        status=InspectionStatus.SIGNED,
        started_at=started,
        current_item_code=checklist.items[-1].code,
        acknowledged_by_id=visit.leader.id,
        acknowledged_at=signed_at - timedelta(minutes=3),
        signed_at=signed_at,
    )
    inspection.created_at, inspection.updated_at = started, signed_at
    forced_item, raise_forced = _forced(visit, checklist)
    figures = ctx.figures.get((visit.campaign.code, visit.team.code)) if checklist.code == QUALITY_CHECKLIST else None
    answers: dict[str, AnswerValue] = {}
    for position, item in enumerate(checklist.items):
        forced = item.code == forced_item
        answered = answer_item(
            item,
            checklist.section_of[item.id],
            visit.profile,
            rng,
            forced_fail=forced,
            figures=figures,
            fail_scale=FAIL_SCALE.get(checklist.code, 1.0),
        )
        if forced and not raise_forced:
            answered = Answered(answered.value, STILL_OPEN_NOTE)
        answers[item.code] = answered.value
        at = started + duration * (position + 1) / (len(checklist.items) + 1)
        history.answer_rows.append(_answer_row(inspection, item, answered, at))
    result = checklist.score(answers)
    inspection.score_earned, inspection.score_possible = result.earned, result.possible
    inspection.score_percent, inspection.grade = result.percent, result.grade
    inspection.vetoed, inspection.rule_version = result.vetoed, result.rule_version
    made = Made(inspection, visit.team, visit.profile, visit.campaign)
    for item, item_result in zip(checklist.items, result.items, strict=True):
        if not item_result.failed or item.code in FIGURE_ITEMS or (item.code == forced_item and not raise_forced):
            continue
        finding = _finding(inspection, item, item_result, answers[item.code], visit, rng)
        made.findings.append((finding, item))
        history.findings.append(finding)
    history.signed.append(made)
    return made


def _answer_row(inspection: Inspection, item: TemplateItem, answered: Answered, at: datetime) -> dict[str, Any]:
    value = answered.value
    return {
        "id": demo_id("answer", inspection.id, item.code),
        "inspection_id": inspection.id,
        "item_id": item.id,
        "choice": value.choice,
        "score": value.score,
        "measurement": value.measurement,
        "text": value.text,
        "photo_path": value.photo_path,
        "occurrences": value.occurrences,
        "note": answered.note,
        "answered_at": at,
        "created_at": at,
        "updated_at": at,
    }


def _grade(item: TemplateItem, rng: random.Random) -> HazardGrade:
    if item.always_major:
        return HazardGrade.MAJOR
    if item.veto:
        return HazardGrade.SIGNIFICANT
    if (item.kind == ItemKind.MEASUREMENT or item.points >= 6) and rng.random() < 0.35:
        return HazardGrade.SIGNIFICANT
    return HazardGrade.GENERAL


def _description(item: TemplateItem, result: ItemResult, value: AnswerValue) -> str:
    if value.measurement is not None:
        zh = f"{item.code} {item.text_zh}：实测 {value.measurement:g} {item.unit}，超出规定范围"
        en = f"{item.code} {item.text_en}: measured {value.measurement:g} {item.unit}, outside the limits"
    elif value.score is not None:
        zh = f"{item.code} {item.text_zh}：评分 {value.score}/{item.max_score}，未达要求"
        en = f"{item.code} {item.text_en}: scored {value.score}/{item.max_score}, below standard"
    else:
        count = value.occurrences
        zh = f"{item.code} 不符合：{item.text_zh}" + (f"（发现 {count} 处）" if count > 1 else "")
        en = f"{item.code} not met: {item.text_en}" + (f" ({count} found)" if count > 1 else "")
    return f"{zh}\n{en} (−{result.deduction:g})"


def _finding(
    inspection: Inspection,
    item: TemplateItem,
    result: ItemResult,
    value: AnswerValue,
    visit: Visit,
    rng: random.Random,
) -> Finding:
    grade = _grade(item, rng)
    finding = Finding(
        id=demo_id("finding", inspection.id, item.code),
        inspection_id=inspection.id,
        item_id=item.id,
        grade=grade,
        description=_description(item, result, value),
        team_id=visit.team.id,
        deadline=default_deadline(grade, signed_day(inspection)),
        photo_paths=[],
        raised_by_id=visit.inspector.id,
    )
    assert inspection.signed_at is not None
    stamp(finding, inspection.signed_at - timedelta(minutes=10))
    return finding


def _draft(
    history: History, ctx: HistoryContext, campaign: Campaign, checklist: ChecklistView, inspector_code: str
) -> Inspection:
    """An inspection left about half-answered on the campaign's second-last day, for the inspector to resume: the
    items that apply to the workshop up to the middle are answered (the ones that do not, N/A), and the draft
    reopens on the next item that applies."""
    inspector = ctx.roster.inspector(inspector_code)
    workshop = next(w for w in ctx.org.workshops if w.code == ctx.roster.areas[inspector_code][0])
    checkpoint = ctx.org.checkpoints_of(workshop)[0]
    team = next(t for t in ctx.org.teams if t.id == checkpoint.team_id)
    profile = ctx.profiles[team.code]
    rng = random.Random(f"{ctx.seed}/{campaign.code}/draft/{inspector_code}")
    started = local_time(plan_of(campaign.code).ends_on - timedelta(days=1), 9, 30)
    asked = [i for i in checklist.items if applies(i.code, checklist.section_of[i.id], profile.workshop_kind)]
    resume_at = asked[len(asked) // 2]
    draft = Inspection(
        id=demo_id("draft", campaign.code, inspector_code),
        campaign_id=campaign.id,
        template_version_id=checklist.version.id,
        workshop_id=workshop.id,
        checkpoint_id=checkpoint.id,
        team_id=team.id,
        inspector_id=inspector.id,
        status=InspectionStatus.DRAFT,
        started_at=started,
        current_item_code=resume_at.code,
    )
    at = started
    for item in checklist.items[: checklist.items.index(resume_at)]:
        answered = answer_item(item, checklist.section_of[item.id], profile, rng)
        at += timedelta(minutes=1)
        history.answer_rows.append(_answer_row(draft, item, answered, at))
    draft.created_at, draft.updated_at = started, at
    return draft
