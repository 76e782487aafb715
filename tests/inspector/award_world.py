"""A small group for the rectification, award and quality tests: 2 units × 2 workshops × 2 teams, fixed ids.

Inspections are stored as sign-off stores them (score, grade, veto, rule version on the row), so a test states the
figures it needs directly: ``world.inspect("U1/W1/T1", 92.5)``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from inspector.checklists.repository import store_checklist
from inspector.checklists.spec import ChecklistSpec, ItemSpec, SectionSpec
from inspector.models import (
    Campaign,
    CampaignChecklist,
    Finding,
    Group,
    Inspection,
    InspectionStatus,
    OrderStatus,
    Person,
    RectificationEvent,
    RectificationOrder,
    Role,
    Team,
    Unit,
    Workshop,
    stable_id,
)
from inspector.scoring import ENGINE_VERSION

CAMPAIGN_CODE = "SPM-2022"
NO_ID = uuid.UUID(int=0)
START = date(2022, 6, 1)
END = date(2022, 6, 30)

SPEC = ChecklistSpec(
    code="SAFE",
    name_zh="安全检查表",
    name_en="Safety checklist",
    sections=[
        SectionSpec(
            code="S",
            title_zh="安全",
            title_en="Safety",
            items=[
                ItemSpec(code="A1", text_zh="应急水源", text_en="Emergency water", points=10, veto=True),
                ItemSpec(code="A2", text_zh="通道畅通", text_en="Exits clear", points=10),
            ],
        )
    ],
)


def at(day: int, hour: int = 10) -> datetime:
    """A moment in June 2022 (UTC)."""
    return datetime(2022, 6, 1, hour, tzinfo=UTC) + timedelta(days=day - 1)


@dataclass
class AwardWorld:
    session: Session
    campaign_id: uuid.UUID
    version_id: uuid.UUID
    group_id: uuid.UUID
    units: dict[str, uuid.UUID] = field(default_factory=dict)
    workshops: dict[str, uuid.UUID] = field(default_factory=dict)
    teams: dict[str, uuid.UUID] = field(default_factory=dict)
    leaders: dict[str, uuid.UUID] = field(default_factory=dict)
    inspectors: list[uuid.UUID] = field(default_factory=list)
    supervisor_id: uuid.UUID = NO_ID
    _count: int = 0

    def _next(self, kind: str) -> uuid.UUID:
        self._count += 1
        return stable_id("award-world", kind, self._count)

    def at_day(self, day: int) -> date:
        """The date of June ``day``, 2022."""
        return START + timedelta(days=day - 1)

    def workshop_of(self, team: str) -> uuid.UUID:
        return self.workshops[team.rsplit("/", 1)[0]]

    def inspect(
        self,
        team: str,
        percent: float,
        *,
        vetoed: bool = False,
        day: int = 10,
        inspector: int = 0,
        amends: uuid.UUID | None = None,
        status: str = InspectionStatus.SIGNED,
    ) -> uuid.UUID:
        """A signed inspection of ``team`` scored ``percent`` (an amendment when ``amends`` names the original)."""
        inspection = Inspection(
            id=self._next("inspection"),
            campaign_id=self.campaign_id,
            template_version_id=self.version_id,
            workshop_id=self.workshop_of(team),
            team_id=self.teams[team],
            inspector_id=self.inspectors[inspector],
            status=status,
            started_at=at(day, 8),
            signed_at=at(day) if status == InspectionStatus.SIGNED else None,
            score_earned=percent / 5,
            score_possible=20.0,
            score_percent=percent,
            grade="veto" if vetoed else ("excellent" if percent >= 90 else "good"),
            vetoed=vetoed,
            rule_version=f"{ENGINE_VERSION}/1",
            amends_id=amends,
            amendment_reason="correction" if amends else "",
        )
        self.session.add(inspection)
        self.session.flush()
        if amends is not None:
            original = self.session.get(Inspection, amends)
            assert original is not None
            original.superseded_by_id = inspection.id
            self.session.add(original)
            self.session.flush()
        return inspection.id

    def order(
        self,
        inspection_id: uuid.UUID,
        team: str,
        *,
        grade: str = "general",
        deadline_day: int = 15,
        status: str = OrderStatus.OPEN,
        closed_day: int | None = None,
        description: str = "通道堆放型材 Profiles stacked in the exit",
    ) -> uuid.UUID:
        """A finding of ``inspection_id`` and its rectification order (closed on ``closed_day`` when given)."""
        deadline = START + timedelta(days=deadline_day - 1)
        finding = Finding(
            id=self._next("finding"),
            inspection_id=inspection_id,
            grade=grade,
            description=description,
            team_id=self.teams[team],
            deadline=deadline,
        )
        order = RectificationOrder(
            id=self._next("order"),
            finding_id=finding.id,
            team_id=self.teams[team],
            requirement=description,
            deadline=deadline,
            status=status,
            closed_at=at(closed_day) if closed_day is not None else None,
        )
        self.session.add(finding)
        self.session.add(order)
        self.session.add(
            RectificationEvent(order_id=order.id, at=at(1), actor_id=self.inspectors[0], to_status=OrderStatus.OPEN)
        )
        self.session.flush()
        return order.id


def build_award_world(session: Session) -> AwardWorld:
    """Units U1, U2; workshops U1/W1, U1/W2, U2/W1, U2/W2; teams …/T1 and …/T2 (8 teams), each with a leader."""
    group = Group(id=stable_id("aw", "group"), code="ALU", name_zh="铝业集团", name_en="Aluminium Group")
    session.add(group)
    session.flush()
    campaign = Campaign(
        id=stable_id("aw", "campaign"),
        code=CAMPAIGN_CODE,
        name_zh="第二十一届安全生产月",
        name_en="21st Safety Production Month",
        number=21,
        starts_on=START,
        ends_on=END,
        active=True,
    )
    session.add(campaign)
    session.flush()
    version, _ = store_checklist(session, spec=SPEC, source="award_world", id_namespace="award-world")
    session.add(CampaignChecklist(campaign_id=campaign.id, template_version_id=version.id))
    world = AwardWorld(session=session, campaign_id=campaign.id, version_id=version.id, group_id=group.id)
    for u in ("U1", "U2"):
        unit = Unit(id=stable_id("aw", u), group_id=group.id, code=u, name_zh=f"{u}分厂", name_en=f"{u} Plant")
        session.add(unit)
        session.flush()
        world.units[u] = unit.id
        for w in ("W1", "W2"):
            path = f"{u}/{w}"
            workshop = Workshop(
                id=stable_id("aw", path), unit_id=unit.id, code=w, name_zh=f"{u}{w}车间", name_en=f"{u} {w} workshop"
            )
            session.add(workshop)
            session.flush()
            world.workshops[path] = workshop.id
            for tm in ("T1", "T2"):
                team_path = f"{path}/{tm}"
                team = Team(
                    id=stable_id("aw", team_path),
                    workshop_id=workshop.id,
                    code=tm,
                    name_zh=f"{u}{w}{tm}班",
                    name_en=f"{u}{w}{tm} team",
                )
                session.add(team)
                session.flush()
                world.teams[team_path] = team.id
                leader = Person(
                    id=stable_id("aw", "leader", team_path),
                    code=f"TL-{u}{w}{tm}",
                    name_zh=f"班长{u}{w}{tm}",
                    name_en=f"Leader {u}{w}{tm}",
                    role=Role.TEAM_LEADER,
                    team_id=team.id,
                )
                session.add(leader)
                world.leaders[team_path] = leader.id
    for n in range(3):
        person = Person(
            id=stable_id("aw", "inspector", n),
            code=f"INS-{n}",
            name_zh=f"检查员{n}",
            name_en=f"Inspector {n}",
            role=Role.INSPECTOR,
        )
        session.add(person)
        world.inspectors.append(person.id)
    supervisor = Person(
        id=stable_id("aw", "supervisor"), code="SUP-1", name_zh="主管", name_en="Supervisor", role=Role.SUPERVISOR
    )
    session.add(supervisor)
    world.supervisor_id = supervisor.id
    session.flush()
    return world
