"""A small, fixed aluminium group with signed inspections, findings, orders and award decisions.

Used by the label, receipt, chain and report tests. Inspections are signed the way sign-off does it: score with
the engine, store the content hash, chain a sign-off entry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from inspector.audit import record_sign_off
from inspector.checklists.repository import store_checklist
from inspector.checklists.spec import ChecklistSpec, ItemSpec, SectionSpec
from inspector.models import (
    Answer,
    AwardDecision,
    AwardRuleSet,
    Campaign,
    CampaignChecklist,
    Checkpoint,
    Finding,
    Group,
    Inspection,
    InspectionStatus,
    OrderStatus,
    Person,
    RectificationOrder,
    Role,
    Team,
    TemplateItem,
    Unit,
    Workshop,
)
from inspector.scoring import AnswerValue, ItemRule, score_inspection
from inspector.signing import inspection_hash
from inspector.store import Store

TODAY = date(2022, 6, 28)

CHECKLIST = ChecklistSpec(
    code="SAFE",
    name_zh="安全检查表",
    name_en="Safety checklist",
    sections=[
        SectionSpec(
            code="CAST",
            title_zh="熔铸",
            title_en="Casting",
            items=[
                ItemSpec(
                    code="C1",
                    text_zh="深井铸造应急水源",
                    text_en="Emergency water source for DC casting",
                    points=10,
                    always_major=True,
                    veto=True,
                ),
                ItemSpec(code="C2", text_zh="流槽液位报警", text_en="Launder level alarm", points=10),
            ],
        ),
        SectionSpec(
            code="GEN",
            title_zh="通用",
            title_en="General",
            items=[
                ItemSpec(
                    code="G1",
                    text_zh="消防通道畅通",
                    text_en="Fire exits clear",
                    points=10,
                    deduction_per_occurrence=2,
                ),
                ItemSpec(code="G2", kind="score", text_zh="6S 现场", text_en="6S on site", points=10, max_score=5),
                ItemSpec(code="G3", text_zh="劳保用品佩戴", text_en="PPE worn", points=10),
            ],
        ),
    ],
)

UNITS = [("U1", "一分厂", "Plant 1"), ("U2", "二分厂", "Plant 2")]
WORKSHOPS = [
    ("U1", "CAST", "熔铸车间", "Casting workshop"),
    ("U1", "EXTR", "挤压车间", "Extrusion workshop"),
    ("U2", "ANOD", "氧化车间", "Anodising workshop"),
]
TEAMS = [
    ("CAST", "CAST-A", "熔铸甲班", "Casting team A"),
    ("EXTR", "EXTR-A", "挤压甲班", "Extrusion team A"),
    ("EXTR", "EXTR-B", "挤压乙班", "Extrusion team B"),
    ("ANOD", "ANOD-A", "氧化甲班", "Anodising team A"),
]
CHECKPOINTS = [
    ("CAST", "CAST-A", "CAST-01", "熔铸炉平台", "Melting furnace platform"),
    ("CAST", "CAST-A", "CAST-02", "深井铸造井", "DC casting pit"),
    ("EXTR", "EXTR-A", "EXTR-01", "一号挤压机", "Extrusion press 1"),
    ("EXTR", "EXTR-B", "EXTR-02", "叉车充电区", "Forklift charging bay"),
    ("EXTR", "EXTR-B", "EXTR-03", "配电柜", "Power distribution cabinet"),
    ("ANOD", "ANOD-A", "ANOD-01", "氧化槽线", "Anodising tank line"),
    ("ANOD", "ANOD-A", "ANOD-02", "消防通道", "Fire exit"),
]


@dataclass
class World:
    """Ids of what :func:`build_world` made."""

    campaign_id: uuid.UUID
    campaign_code: str
    inspector_id: uuid.UUID
    leader_id: uuid.UUID
    version_id: uuid.UUID
    workshops: dict[str, uuid.UUID] = field(default_factory=dict)
    teams: dict[str, uuid.UUID] = field(default_factory=dict)
    checkpoints: dict[str, uuid.UUID] = field(default_factory=dict)
    inspections: list[uuid.UUID] = field(default_factory=list)
    orders: list[uuid.UUID] = field(default_factory=list)


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2022, 6, day, hour, 0, tzinfo=UTC)


def sign(session: Session, inspection: Inspection, answers: dict[str, AnswerValue], when: datetime) -> None:
    """Store ``answers``, score them and sign the inspection (hash + chain entry), as sign-off does."""
    items = session.exec(select(TemplateItem).where(TemplateItem.version_id == inspection.template_version_id)).all()
    by_code = {item.code: item for item in items}
    for code, value in answers.items():
        session.add(
            Answer(
                inspection_id=inspection.id,
                item_id=by_code[code].id,
                choice=value.choice,
                score=value.score,
                occurrences=value.occurrences,
                answered_at=when,
            )
        )
    rules = [
        ItemRule(
            code=i.code,
            section="S",
            kind=i.kind,
            points=i.points,
            deduction_per_occurrence=i.deduction_per_occurrence,
            max_score=i.max_score,
            veto=i.veto,
        )
        for i in items
    ]
    result = score_inspection(rules, answers)
    inspection.status = InspectionStatus.SIGNED
    inspection.signed_at = when
    inspection.score_earned, inspection.score_possible = result.earned, result.possible
    inspection.score_percent, inspection.grade = result.percent, result.grade
    inspection.vetoed, inspection.rule_version = result.vetoed, result.rule_version
    session.add(inspection)
    session.flush()
    inspection.content_hash = inspection_hash(session, inspection)
    session.add(inspection)
    record_sign_off(session, inspection=inspection, actor_id=inspection.inspector_id)
    session.flush()


def build_world(store: Store, *, inspections: bool = True) -> World:
    """Create the group, its places and people, the campaign and (optionally) a month of signed inspections."""
    with store.session(skip_outbox=True) as session:
        group = Group(code="ALU", name_zh="铝业集团", name_en="Aluminium Group")
        session.add(group)
        session.flush()
        units = {}
        for code, zh, en in UNITS:
            units[code] = Unit(group_id=group.id, code=code, name_zh=zh, name_en=en)
            session.add(units[code])
        session.flush()
        workshops = {}
        for unit_code, code, zh, en in WORKSHOPS:
            workshops[code] = Workshop(unit_id=units[unit_code].id, code=code, name_zh=zh, name_en=en)
            session.add(workshops[code])
        session.flush()
        teams = {}
        for ws, code, zh, en in TEAMS:
            teams[code] = Team(workshop_id=workshops[ws].id, code=code, name_zh=zh, name_en=en)
            session.add(teams[code])
        session.flush()
        checkpoints = {}
        for ws, team, code, zh, en in CHECKPOINTS:
            checkpoints[code] = Checkpoint(
                workshop_id=workshops[ws].id, team_id=teams[team].id, code=code, name_zh=zh, name_en=en
            )
            session.add(checkpoints[code])
        inspector = Person(code="INS-001", name_zh="李明", name_en="Li Ming", role=Role.INSPECTOR)
        leader = Person(code="TL-001", name_zh="王强", name_en="Wang Qiang", role=Role.TEAM_LEADER)
        campaign = Campaign(
            code="SPM-2022",
            name_zh="第二十一届安全生产月",
            name_en="21st Safety Production Month",
            number=21,
            starts_on=date(2022, 6, 1),
            ends_on=date(2022, 6, 30),
            active=True,
        )
        for record in (inspector, leader, campaign):
            session.add(record)
        session.flush()
        version, _ = store_checklist(session, spec=CHECKLIST, source="records_world")
        session.add(CampaignChecklist(campaign_id=campaign.id, template_version_id=version.id))
        session.flush()
        world = World(
            campaign_id=campaign.id,
            campaign_code=campaign.code,
            inspector_id=inspector.id,
            leader_id=leader.id,
            version_id=version.id,
            workshops={k: v.id for k, v in workshops.items()},
            teams={k: v.id for k, v in teams.items()},
            checkpoints={k: v.id for k, v in checkpoints.items()},
        )
        if inspections:
            _inspections(session, world)
        session.commit()
    return world


YES, NO = AnswerValue(choice="yes"), AnswerValue(choice="no")

#: (day, checkpoint, answers, findings as (grade, description, deadline day, order status))
HISTORY: list[tuple[int, str, dict[str, AnswerValue], list[tuple[str, str, int, str]]]] = [
    (3, "CAST-01", {"C1": YES, "C2": YES, "G1": YES, "G2": AnswerValue(score=5), "G3": YES}, []),
    (
        6,
        "CAST-02",
        {"C1": NO, "C2": YES, "G1": YES, "G2": AnswerValue(score=4), "G3": YES},
        [("major", "深井铸造无应急水源 No emergency water for the DC pit", 26, "open")],
    ),
    (
        10,
        "EXTR-01",
        {
            "C1": AnswerValue(choice="na"),
            "C2": AnswerValue(choice="na"),
            "G1": AnswerValue(choice="no", occurrences=2),
            "G2": AnswerValue(score=3),
            "G3": YES,
        },
        [
            ("general", "消防通道堆放型材 Profiles stacked in the fire exit", 17, "closed"),
            ("general", "挤压机护栏缺失 Guard rail missing at press 1", 20, "open"),
        ],
    ),
    (
        17,
        "ANOD-01",
        {
            "C1": AnswerValue(choice="na"),
            "C2": AnswerValue(choice="na"),
            "G1": YES,
            "G2": AnswerValue(score=5),
            "G3": NO,
        },
        [("general", "未戴防酸手套 Acid gloves not worn", 24, "answered")],
    ),
    (24, "EXTR-02", {"C1": AnswerValue(choice="na"), "C2": YES, "G1": YES, "G2": AnswerValue(score=4), "G3": YES}, []),
]


def _inspections(session: Session, world: World) -> None:
    for day, cp_code, answers, findings in HISTORY:
        checkpoint = session.get(Checkpoint, world.checkpoints[cp_code])
        assert checkpoint is not None
        inspection = Inspection(
            campaign_id=world.campaign_id,
            template_version_id=world.version_id,
            workshop_id=checkpoint.workshop_id,
            checkpoint_id=checkpoint.id,
            team_id=checkpoint.team_id,
            inspector_id=world.inspector_id,
            started_at=at(day, 9),
            acknowledged_by_id=world.leader_id,
            acknowledged_at=at(day, 10),
        )
        session.add(inspection)
        session.flush()
        for grade, description, deadline_day, _status in findings:
            session.add(
                Finding(
                    inspection_id=inspection.id,
                    grade=grade,
                    description=description,
                    team_id=checkpoint.team_id,
                    deadline=date(2022, 6, deadline_day),
                    photo_paths=[f"/photos/{cp_code}-{day}.jpg"],
                    raised_by_id=world.inspector_id,
                )
            )
        session.flush()
        sign(session, inspection, answers, at(day, 11))
        world.inspections.append(inspection.id)
        for finding in session.exec(select(Finding).where(Finding.inspection_id == inspection.id)).all():
            status = next(s for g, d, _dd, s in findings if d == finding.description)
            assert checkpoint.team_id is not None
            order = RectificationOrder(
                finding_id=finding.id,
                team_id=checkpoint.team_id,
                requirement=finding.description,
                deadline=finding.deadline,
                status=status,
                closed_at=at(day + 3) if status == OrderStatus.CLOSED else None,
            )
            session.add(order)
            world.orders.append(order.id)
    ruleset = AwardRuleSet(campaign_id=world.campaign_id, version=1, source_text="[rules]", content_hash="0" * 64)
    session.add(ruleset)
    session.flush()
    for team_code, eligible, rank, final in (
        ("CAST-A", True, 1, True),
        ("EXTR-B", True, 2, True),
        ("ANOD-A", False, None, False),
    ):
        session.add(
            AwardDecision(
                campaign_id=world.campaign_id,
                ruleset_id=ruleset.id,
                award="advanced_team",
                level="team",
                subject_id=world.teams[team_code],
                eligible=eligible,
                rank=rank,
                criteria=[{"criterion": "average_score", "figure": 92.5, "threshold": 90, "met": eligible}],
                nominated=eligible,
                final=final,
            )
        )
    session.flush()
