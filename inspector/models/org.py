"""The group's structure and its people: group → units → workshops → teams, checkpoints, roster."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Field

from inspector.models.base import Bilingual, SyncedRecord, code_field
from inspector.models.enums import Role, UnitKind, WorkshopKind


class Group(SyncedRecord, Bilingual, table=True):
    """The group (集团) that runs the units."""

    code: str = code_field(unique=True)


class Unit(SyncedRecord, Bilingual, table=True):
    """A branch factory, industrial park or member enterprise (单位)."""

    __table_args__ = (sa.UniqueConstraint("group_id", "code"),)

    group_id: uuid.UUID = Field(foreign_key="group.id", index=True)
    code: str = code_field()
    kind: str = Field(default=UnitKind.BRANCH_FACTORY, max_length=32)


class Workshop(SyncedRecord, Bilingual, table=True):
    """A workshop (车间) of a unit."""

    __table_args__ = (sa.UniqueConstraint("unit_id", "code"),)

    unit_id: uuid.UUID = Field(foreign_key="unit.id", index=True)
    code: str = code_field()
    kind: str = Field(default=WorkshopKind.EXTRUSION, max_length=32)


class Team(SyncedRecord, Bilingual, table=True):
    """A team (班组) of a workshop; its leader is the person with the team-leader role on it."""

    __table_args__ = (sa.UniqueConstraint("workshop_id", "code"),)

    workshop_id: uuid.UUID = Field(foreign_key="workshop.id", index=True)
    code: str = code_field()


class Checkpoint(SyncedRecord, Bilingual, table=True):
    """A place inside a workshop that must be visited (检查点); its code is printed on the QR label."""

    workshop_id: uuid.UUID = Field(foreign_key="workshop.id", index=True)
    code: str = code_field(unique=True)
    #: The team responsible for this place (findings default to it).
    team_id: uuid.UUID | None = Field(default=None, foreign_key="team.id")


class Person(SyncedRecord, Bilingual, table=True):
    """Someone on the roster: inspector, team leader, supervisor or auditor."""

    code: str = code_field(unique=True)
    role: str = Field(default=Role.INSPECTOR, max_length=32)
    unit_id: uuid.UUID | None = Field(default=None, foreign_key="unit.id")
    team_id: uuid.UUID | None = Field(default=None, foreign_key="team.id")
    active: bool = Field(default=True)


class InspectorAssignment(SyncedRecord, table=True):
    """An inspector's assigned area: a workshop they inspect during a campaign."""

    __table_args__ = (sa.UniqueConstraint("person_id", "workshop_id", "campaign_id"),)

    person_id: uuid.UUID = Field(foreign_key="person.id", index=True)
    workshop_id: uuid.UUID = Field(foreign_key="workshop.id", index=True)
    campaign_id: uuid.UUID = Field(foreign_key="campaign.id", index=True)
