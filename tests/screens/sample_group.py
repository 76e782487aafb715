"""A small, fully deterministic group for the walk's tests: fixed ids, fixed dates, a 9-item checklist (or a big one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import col

from inspector.checklists.repository import store_checklist
from inspector.checklists.spec import ChecklistSpec, ItemSpec, SectionSpec
from inspector.local_settings import set_setting
from inspector.models import (
    Campaign,
    CampaignChecklist,
    Checkpoint,
    Group,
    InspectorAssignment,
    Person,
    Role,
    Team,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
    Unit,
    Workshop,
    stable_id,
)
from inspector.store import Store

FIXED_NOW = datetime(2022, 6, 8, 1, 30, tzinfo=UTC)
T0 = datetime(2022, 6, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Sample:
    campaign_id: object
    version_id: object
    inspector_id: object
    leader_id: object
    other_leader_id: object
    workshop_id: object
    team_id: object
    furnace_id: object
    exit_id: object


def sample_spec(extra_items: int = 0) -> ChecklistSpec:
    """The sample checklist; ``extra_items`` adds that many plain yes/no items in a fourth section."""
    sections = [
        SectionSpec(
            code="CAST",
            title_zh="熔铸安全",
            title_en="Casting safety",
            items=[
                ItemSpec(
                    code="C-01",
                    text_zh="熔铸炉设有应急水源",
                    text_en="Furnace has an emergency water source",
                    points=10,
                    always_major=True,
                    veto=True,
                    basis_zh="重大隐患判定标准",
                    basis_en="Major hazard criteria",
                ),
                ItemSpec(
                    code="C-02",
                    text_zh="结晶器冷却水压力报警正常",
                    text_en="Mould cooling water pressure alarm works",
                    points=10,
                    always_major=True,
                ),
                ItemSpec(
                    code="C-03",
                    text_zh="作业人员穿戴防护用品",
                    text_en="Workers wear protective equipment",
                    points=5,
                    deduction_per_occurrence=1,
                ),
            ],
        ),
        SectionSpec(
            code="6S",
            title_zh="现场6S",
            title_en="6S on site",
            items=[
                ItemSpec(code="S-01", kind="score", max_score=5, text_zh="整理", text_en="Sort"),
                ItemSpec(code="S-02", kind="score", max_score=5, text_zh="整顿", text_en="Set in order"),
            ],
        ),
        SectionSpec(
            code="ELEC",
            title_zh="电气",
            title_en="Electrical",
            items=[
                ItemSpec(
                    code="E-01",
                    kind="measurement",
                    text_zh="接地电阻",
                    text_en="Earth resistance",
                    points=5,
                    upper_limit=4.0,
                    unit="Ω",
                ),
                ItemSpec(
                    code="E-02",
                    text_zh="配电箱门关闭上锁",
                    text_en="Distribution box doors closed and locked",
                    points=5,
                ),
                ItemSpec(code="E-03", kind="text", text_zh="其他说明", text_en="Other remarks", required=False),
                ItemSpec(code="E-04", kind="photo", text_zh="现场照片", text_en="Site photo", required=False),
            ],
        ),
    ]
    if extra_items:
        sections.append(
            SectionSpec(
                code="MORE",
                title_zh="补充检查",
                title_en="Further checks",
                items=[
                    ItemSpec(code=f"M-{n:03d}", text_zh=f"补充检查项 {n}", text_en=f"Further check {n}", points=2)
                    for n in range(1, extra_items + 1)
                ],
            )
        )
    return ChecklistSpec(code="SAFE", name_zh="安全检查表", name_en="Safety checklist", sections=sections)


def build_sample(store: Store, *, extra_items: int = 0, signed_in: bool = True) -> Sample:
    """Create the sample group in ``store`` (committed)."""
    with store.session(skip_outbox=True) as s:
        group = Group(id=stable_id("g"), code="DEMO", name_zh="示范铝业集团", name_en="Demo Aluminium Group")
        unit = Unit(id=stable_id("u"), group_id=group.id, code="F1", name_zh="一分厂", name_en="Branch Factory 1")
        ws = Workshop(
            id=stable_id("w"),
            unit_id=unit.id,
            code="CAST",
            kind="casting",
            name_zh="熔铸车间",
            name_en="Casting workshop",
        )
        team = Team(id=stable_id("t1"), workshop_id=ws.id, code="CAST-A", name_zh="熔铸甲班", name_en="Casting team A")
        team2 = Team(id=stable_id("t2"), workshop_id=ws.id, code="CAST-B", name_zh="熔铸乙班", name_en="Casting team B")
        furnace = Checkpoint(
            id=stable_id("cp1"),
            workshop_id=ws.id,
            code="F1-CAST-FURN",
            team_id=team.id,
            name_zh="熔炼炉平台",
            name_en="Furnace platform",
        )
        exit_ = Checkpoint(
            id=stable_id("cp2"),
            workshop_id=ws.id,
            code="F1-CAST-EXIT",
            team_id=team2.id,
            name_zh="安全出口",
            name_en="Fire exit",
        )
        inspector = Person(
            id=stable_id("p1"), code="INS-01", name_zh="张伟", name_en="Zhang Wei", role=Role.INSPECTOR, unit_id=unit.id
        )
        leader = Person(
            id=stable_id("p2"), code="TL-01", name_zh="李强", name_en="Li Qiang", role=Role.TEAM_LEADER, team_id=team.id
        )
        leader2 = Person(
            id=stable_id("p3"),
            code="TL-02",
            name_zh="王芳",
            name_en="Wang Fang",
            role=Role.TEAM_LEADER,
            team_id=team2.id,
        )
        campaign = Campaign(
            id=stable_id("c"),
            code="SPM-2022",
            name_zh="第二十一届安全生产月",
            name_en="21st Safety Production Month",
            number=21,
            starts_on=date(2022, 6, 1),
            ends_on=date(2022, 6, 30),
            active=True,
        )
        for record in (group, unit, ws, team, team2, furnace, exit_, inspector, leader, leader2, campaign):
            record.created_at = record.updated_at = T0
            s.add(record)
        s.flush()
        version, _ = store_checklist(s, spec=sample_spec(extra_items), source="sample")
        version.imported_at = T0
        s.flush()
        # A fixed version id, so signed content hashes are the same on every run (snapshots show them).
        fixed = stable_id("version", extra_items)
        s.connection().exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        for model in (TemplateSection, TemplateItem):
            s.execute(sa.update(model).where(col(model.version_id) == version.id).values(version_id=fixed))
        s.execute(sa.update(TemplateVersion).where(col(TemplateVersion.id) == version.id).values(id=fixed))
        s.expire_all()
        s.add(CampaignChecklist(id=stable_id("cc"), campaign_id=campaign.id, template_version_id=fixed))
        s.add(
            InspectorAssignment(id=stable_id("a"), person_id=inspector.id, workshop_id=ws.id, campaign_id=campaign.id)
        )
        if signed_in:
            set_setting(s, "walk.person_id", str(inspector.id))
        s.commit()
        return Sample(campaign.id, fixed, inspector.id, leader.id, leader2.id, ws.id, team.id, furnace.id, exit_.id)
