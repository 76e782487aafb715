"""A small organisation and a checklist of N items in a fresh database, for benchmarks that need one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from inspector.checklists.repository import store_checklist, version_items
from inspector.checklists.spec import ChecklistSpec, ItemSpec, SectionSpec
from inspector.models import Campaign, Group, Inspection, Person, Team, Unit, Workshop
from inspector.store import Store, open_store


@dataclass
class BenchWorld:
    store: Store
    campaign_id: uuid.UUID
    version_id: uuid.UUID
    workshop_id: uuid.UUID
    team_id: uuid.UUID
    inspector_id: uuid.UUID
    item_ids: list[uuid.UUID]

    def new_inspection(self) -> uuid.UUID:
        with self.store.session() as session:
            inspection = Inspection(
                campaign_id=self.campaign_id,
                template_version_id=self.version_id,
                workshop_id=self.workshop_id,
                team_id=self.team_id,
                inspector_id=self.inspector_id,
            )
            session.add(inspection)
            session.commit()
            return inspection.id


def checklist_spec(items: int, sections: int = 10) -> ChecklistSpec:
    per = max(1, items // sections)
    return ChecklistSpec(
        code="BENCH",
        name_zh="基准检查表",
        name_en="Benchmark checklist",
        sections=[
            SectionSpec(
                code=f"S{s}",
                title_zh=f"第{s}部分",
                title_en=f"Section {s}",
                items=[
                    ItemSpec(code=f"S{s}-{i}", text_zh=f"检查项 {s}-{i}", text_en=f"Item {s}-{i}", points=5)
                    for i in range(per if s < sections - 1 else items - per * (sections - 1))
                ],
            )
            for s in range(sections)
        ],
    )


def build_world(path: Path, items: int = 300) -> BenchWorld:
    store = open_store(path)
    with store.session(skip_outbox=True) as session:
        group = Group(code="G", name_zh="集团", name_en="Group")
        unit = Unit(group_id=group.id, code="U", name_zh="一分厂", name_en="Plant 1")
        workshop = Workshop(unit_id=unit.id, code="W", name_zh="挤压车间", name_en="Extrusion")
        team = Team(workshop_id=workshop.id, code="T", name_zh="挤压甲班", name_en="Extrusion A")
        person = Person(code="P1", name_zh="李明", name_en="Li Ming")
        campaign = Campaign(
            code="BENCH", name_zh="基准", name_en="Bench", starts_on=date(2022, 6, 1), ends_on=date(2022, 6, 30)
        )
        for record in (group, unit, workshop, team, person, campaign):  # parents first: no ORM relationships
            session.add(record)
            session.flush()
        version, _ = store_checklist(session, spec=checklist_spec(items), source="bench")
        session.commit()
        item_ids = [item.id for item in version_items(session, version.id)]
        return BenchWorld(store, campaign.id, version.id, workshop.id, team.id, person.id, item_ids)
