"""A small, fixed group for the sync tests: org, roster, one campaign and checklist, and inspections."""

from __future__ import annotations

import uuid
from datetime import date

from inspector.models import (
    Answer,
    Campaign,
    ChecklistTemplate,
    Finding,
    Group,
    Inspection,
    Person,
    RectificationOrder,
    Team,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
    Unit,
    Workshop,
    stable_id,
)
from inspector.store import Store

ITEMS = 5


class World:
    """Fixed ids of the group's records."""

    group: uuid.UUID = stable_id("g")
    unit: uuid.UUID = stable_id("u")
    workshop: uuid.UUID = stable_id("w")
    team_a: uuid.UUID = stable_id("team", "A")
    team_b: uuid.UUID = stable_id("team", "B")
    inspector_1: uuid.UUID = stable_id("person", "INS-1")
    inspector_2: uuid.UUID = stable_id("person", "INS-2")
    leader_a: uuid.UUID = stable_id("person", "TL-A")
    supervisor: uuid.UUID = stable_id("person", "SUP")
    campaign: uuid.UUID = stable_id("campaign")
    template: uuid.UUID = stable_id("template")
    version: uuid.UUID = stable_id("version")
    section: uuid.UUID = stable_id("section")

    def item(self, n: int) -> uuid.UUID:
        return stable_id("item", n)


WORLD = World()


def seed_reference(store: Store) -> None:
    """What a supervisor's laptop holds (written through the outbox, so it is pushed)."""
    w = WORLD
    with store.session() as s:
        s.add(Group(id=w.group, code="G", name_zh="集团", name_en="Group"))
        s.add(Unit(id=w.unit, group_id=w.group, code="U1", name_zh="一分厂"))
        s.add(Workshop(id=w.workshop, unit_id=w.unit, code="CAST", name_zh="熔铸车间"))
        s.add(Team(id=w.team_a, workshop_id=w.workshop, code="A", name_zh="甲班"))
        s.add(Team(id=w.team_b, workshop_id=w.workshop, code="B", name_zh="乙班"))
        s.add(Person(id=w.inspector_1, code="INS-1", role="inspector", name_zh="检查员一"))
        s.add(Person(id=w.inspector_2, code="INS-2", role="inspector", name_zh="检查员二"))
        s.add(Person(id=w.leader_a, code="TL-A", role="team_leader", team_id=w.team_a, name_zh="甲班长"))
        s.add(Person(id=w.supervisor, code="SUP", role="supervisor", name_zh="主管"))
        s.add(
            Campaign(
                id=w.campaign,
                code="SPM-2022",
                number=21,
                name_zh="安全生产月",
                starts_on=date(2022, 6, 1),
                ends_on=date(2022, 6, 30),
                active=True,
            )
        )
        s.add(ChecklistTemplate(id=w.template, code="SAFE", name_zh="安全检查表"))
        s.add(TemplateVersion(id=w.version, template_id=w.template, version=1))
        s.add(TemplateSection(id=w.section, version_id=w.version, code="S1", position=1, title_zh="熔铸"))
        for n in range(ITEMS):
            s.add(
                TemplateItem(
                    id=w.item(n),
                    version_id=w.version,
                    section_id=w.section,
                    code=f"I{n}",
                    position=n,
                    text_zh=f"检查项{n}",
                    points=5,
                )
            )
        s.commit()


def new_inspection(
    store: Store, inspector: uuid.UUID, team: uuid.UUID, *, answers: int = ITEMS, note: str = ""
) -> uuid.UUID:
    """A draft inspection with its answers, saved as the app does (one transaction, outbox included)."""
    w = WORLD
    inspection = Inspection(
        campaign_id=w.campaign,
        template_version_id=w.version,
        workshop_id=w.workshop,
        team_id=team,
        inspector_id=inspector,
        note=note,
    )
    with store.session() as s:
        s.add(inspection)
        s.flush()
        for n in range(answers):
            s.add(Answer(inspection_id=inspection.id, item_id=w.item(n), choice="yes" if n % 2 else "no"))
        s.commit()
    return inspection.id


def raise_finding(store: Store, inspection_id: uuid.UUID, team: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    with store.session() as s:
        finding = Finding(
            inspection_id=inspection_id,
            item_id=WORLD.item(0),
            description="冷却水无压力报警",
            team_id=team,
            deadline=date(2022, 6, 10),
        )
        s.add(finding)
        s.flush()
        order = RectificationOrder(
            finding_id=finding.id, team_id=team, requirement="加装报警", deadline=date(2022, 6, 10)
        )
        s.add(order)
        s.commit()
        return finding.id, order.id
